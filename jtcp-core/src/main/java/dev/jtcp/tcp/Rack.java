package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;

/**
 * RACK, the time-based loss detector of RFC 8985 (§6): a segment is lost when a segment sent
 * sufficiently later has been delivered. "Sufficiently" is the reordering window: a quarter of the
 * minimum RTT, zero once recovery is under way (or DupThresh segments are SACKed) while no
 * reordering has been seen, and growing with each round of D-SACKs (RFC 2883) that proves a
 * retransmission spurious.
 *
 * <p>Deviation, with {@link TcpConfig#rackFirstLossWait()} (the first loss decision): until RACK has deemed any segment lost, the window is
 * that of one D-SACK round (half the minimum RTT), and the zero window of "no reordering seen" does
 * not apply. The first hole of a connection tells loss from reordering no better than the RFC's
 * DupThresh does, and a wrong guess costs a retransmission and a halved window in slow start
 * (undone later, when timestamps or D-SACKs prove it); waiting half a round trip once per
 * connection costs little. From the first loss decision on, RFC 8985's window applies.
 *
 * <p>Deviation, with {@link TcpConfig#rackNoDupThresh()} (Linux's {@code net.ipv4.tcp_recovery}
 * bit 2, {@code TCP_RACK_NO_DUPTHRESH}): outside recovery the window is min_RTT / 4 even when
 * DupThresh segments are SACKed and no reordering has been seen, so a loss is decided only after
 * the ACKs that arrive together with the one revealing it have been read, and the episode's
 * recovery point takes in what they released. Inside recovery the window stays zero, as the RFC
 * has it, so lost retransmissions are found as soon.
 *
 * <p>Read RFC 8985 §6.2 alongside: {@link #onDelivered} is steps 2 and 3 for one newly acknowledged
 * segment, {@link #updateReorderingWindow} step 4, {@link #detectLoss} step 5 over the {@link
 * Flight}, and {@link #markLossesOnRto} §6.3. The caller (the loss-recovery room) feeds it from
 * every ACK and arms the RACK reordering timer with what {@link #detectLoss} returns.
 *
 * <p>Not thread-safe; one per connection.
 */
final class Rack {
    /** RFC 8985 §6.2: the reordering window persists for 16 loss recoveries after a D-SACK round. */
    private static final int REO_WND_PERSIST = 16;

    /** RACK.xmit_ts: send time of the most recently sent segment known delivered; valid when {@link #haveDelivery}. */
    private long xmitNs;
    /**
     * That segment's place in the order of transmissions ({@link Flight#sendOrder}), where RFC 8985
     * keeps RACK.end_seq: it breaks ties between segments sent at the same instant.
     */
    private int xmitOrder;
    /** Whether any segment's delivery has been measured yet. */
    private boolean haveDelivery;
    /** RACK.rtt: the RTT of that segment's delivery, ns. */
    private long rttNs;
    /** RACK.min_RTT: the smallest RTT seen, ns; {@link Long#MAX_VALUE} before the first. */
    private long minRttNs = Long.MAX_VALUE;
    /** RACK.fack: the highest sequence number delivered, cumulatively or by SACK; valid when {@link #haveFack}. */
    private int fack;
    private boolean haveFack;
    /** RACK.reordering_seen: a segment not retransmitted was delivered below {@link #fack}. */
    private boolean reorderingSeen;
    /** RACK.reo_wnd_mult: multiplier of min_RTT / 4, raised once per round with D-SACKs. */
    private int reoWndMult = 1;
    /** RACK.reo_wnd_persist: recoveries left before the multiplier returns to 1. */
    private int reoWndPersist;
    /** RACK.dsack_round: the round that raised the multiplier ends when SND.UNA passes this; valid when {@link #inDsackRound}. */
    private int dsackRound;
    private boolean inDsackRound;
    /** No segment has been deemed lost yet: the first decision waits for a wider window (see the class comment). */
    private boolean beforeFirstLoss;

    /** Outside recovery, DupThresh SACKed segments do not zero the window (see the class comment). */
    private final boolean noDupThresh;

    /** RFC 8985's detector, as Linux has it. */
    Rack() {
        this(false, false);
    }

    /**
     * @param firstLossWait the first loss decision waits a wider window (see the class comment)
     * @param noDupThresh   outside recovery the window stays min_RTT / 4 also when DupThresh segments
     *                      are SACKed (see the class comment)
     */
    Rack(boolean firstLossWait, boolean noDupThresh) {
        this.beforeFirstLoss = firstLossWait;
        this.noDupThresh = noDupThresh;
    }
    /** RACK.reo_wnd as last computed, ns. */
    private long reoWndNs;
    /** Segments found reordered (a delivery below FACK), for statistics. */
    private long reorderEvents;

    long reoWndNs() {
        return reoWndNs;
    }

    long rttNs() {
        return rttNs;
    }

    long minRttNs() {
        return minRttNs;
    }

    boolean reorderingSeen() {
        return reorderingSeen;
    }

    int reoWndMult() {
        return reoWndMult;
    }

    long reorderEvents() {
        return reorderEvents;
    }

    /** Feeds an RTT sample from the RTT estimator (step 1: RACK.min_RTT). */
    void onRttSample(long rttNs) {
        if (rttNs >= 0 && rttNs < minRttNs) {
            minRttNs = rttNs;
        }
    }

    /**
     * Steps 2 and 3 for one segment newly acknowledged by an ACK, called for each in ascending
     * order of sequence number.
     *
     * @param ambiguous the segment was retransmitted and the ACK may be for an earlier transmission:
     *                  its timestamp echo is older than the retransmission (RFC 8985 §6.2 step 2)
     */
    void onDelivered(int segEnd, long segXmitNs, int segOrder, boolean retransmitted, boolean ambiguous,
                     long nowNs) {
        // Step 3: reordering, a delivery below the highest delivered sequence of a segment sent once.
        if (!haveFack || SeqNum.gt(segEnd, fack)) {
            fack = segEnd;
            haveFack = true;
        } else if (SeqNum.lt(segEnd, fack) && !retransmitted) {
            reorderingSeen = true;
            reorderEvents++;
        }
        // Step 2: the RTT of this delivery, unless the ACK may be for another transmission, or came
        // quicker than any round trip could (then it answers the original, not the retransmission).
        long rtt = nowNs - segXmitNs;
        if (retransmitted && (ambiguous || rtt < minRttNs)) {
            return;
        }
        onRttSample(rtt);
        if (!haveDelivery || sentAfter(segXmitNs, segOrder, xmitNs, xmitOrder)) {
            // RACK.rtt goes with RACK.xmit_ts: the RTT of the most recently sent delivered segment
            // (the RFC visits an ACK's segments in sending order and keeps the last one's).
            rttNs = rtt;
            xmitNs = segXmitNs;
            xmitOrder = segOrder;
            haveDelivery = true;
        }
    }

    /**
     * Step 4: the reordering window for this ACK.
     *
     * @param dsack         the ACK carries a D-SACK block (RFC 2883)
     * @param exitRecovery  loss recovery (fast or RTO) ended with this ACK
     * @param inRecovery    the sender is in loss recovery (after {@code exitRecovery} is applied)
     * @param sackedSegments segments the peer has SACKed (RACK.segs_sacked)
     */
    long updateReorderingWindow(boolean dsack, boolean exitRecovery, boolean inRecovery, int sackedSegments,
                                int dupThresh, int sndUna, int sndNxt, long srttNs) {
        if (inDsackRound && SeqNum.ge(sndUna, dsackRound)) {
            inDsackRound = false;
        }
        if (dsack && !reorderingSeen) {
            // A D-SACK shows a segment arrived after it was retransmitted: the network reorders (Linux
            // counts a D-SACKed retransmission as reordering too). Without this the first segment that
            // arrives late is retransmitted before its delivery can reveal the reordering.
            reorderingSeen = true;
            reorderEvents++;
        }
        if (!inDsackRound && dsack) {
            // Grow the window once per round trip that sees D-SACKs; keep it for 16 recoveries.
            inDsackRound = true;
            dsackRound = sndNxt;
            reoWndMult++;
            reoWndPersist = REO_WND_PERSIST;
        } else if (exitRecovery) {
            reoWndPersist--;
            if (reoWndPersist <= 0) {
                reoWndMult = 1;
            }
        }
        if (beforeFirstLoss && !inRecovery && minRttNs != Long.MAX_VALUE) {
            // Deviation (class comment): the first loss decision waits as after one D-SACK round.
            long wnd = Math.max(reoWndMult, 2) * (minRttNs / 4);
            reoWndNs = srttNs > 0 ? Math.min(wnd, srttNs) : wnd;
        } else if (!reorderingSeen && (inRecovery || (!noDupThresh && sackedSegments >= dupThresh))) {
            // No reordering seen: once recovery is under way (or DupThresh segments are SACKed, unless
            // noDupThresh), a hole is a loss at once, as with the duplicate-ACK threshold.
            reoWndNs = 0;
        } else if (minRttNs == Long.MAX_VALUE) {
            reoWndNs = 0;
        } else {
            long wnd = reoWndMult * (minRttNs / 4);
            reoWndNs = srttNs > 0 ? Math.min(wnd, srttNs) : wnd;
        }
        return reoWndNs;
    }

    /**
     * Step 5: marks lost every segment in flight that was sent before the most recently delivered
     * one by more than RACK.rtt + reo_wnd.
     *
     * @return how long until the next not-yet-lost segment would expire, ns (0 when none waits):
     *         the RACK reordering timer
     */
    long detectLoss(Flight flight, long nowNs) {
        if (!haveDelivery) {
            return 0;
        }
        long timeout = 0;
        int retransSeen = 0;
        int retransOut = flight.retransOutRecords();
        for (int p = 0; p < flight.size(); p++) {
            int f = flight.flags(p);
            if ((f & Flight.SACKED) != 0 || (f & (Flight.LOST | Flight.RETRANS_OUT)) == Flight.LOST) {
                continue; // delivered, or already lost and waiting to be resent
            }
            boolean retransmission = (f & Flight.RETRANS_OUT) != 0;
            if (retransmission) {
                retransSeen++;
            }
            long segXmit = flight.xmitNs(p);
            if (sentAfter(xmitNs, xmitOrder, segXmit, flight.sendOrder(p))) {
                long remaining = segXmit + rttNs + reoWndNs - nowNs;
                if (remaining <= 0) {
                    beforeFirstLoss = false;
                    flight.markLost(p);
                } else {
                    timeout = Math.max(timeout, remaining);
                }
            } else if (!retransmission && retransSeen == retransOut) {
                // First transmissions go out in sequence order, so every later record was sent later
                // still; with no retransmission left beyond this one, nothing further can be lost.
                break;
            }
        }
        return timeout;
    }

    /**
     * RFC 8985 §6.3: on a retransmission timeout, the first segment is lost, and so is every other
     * that RACK would already consider lost; the rest may still be on their way (Linux does the same).
     */
    void markLossesOnRto(Flight flight, long nowNs) {
        for (int p = 0; p < flight.size(); p++) {
            if (flight.has(p, Flight.SACKED)) {
                continue;
            }
            if (p == 0 || !haveDelivery || flight.xmitNs(p) + rttNs + reoWndNs - nowNs <= 0) {
                beforeFirstLoss = false;
                flight.markLost(p);
            }
        }
    }

    /**
     * RFC 8985's RACK_sent_after: t1 later, or the same time and sent later. The RFC breaks a tie by
     * the higher sequence number, which stands for the send order when new data goes out in sequence;
     * a retransmission sent in the same instant after new data (on a later ACK of the same burst,
     * as the simulator's virtual clock delivers them) would look older than that data and be deemed
     * lost again by its first SACK. Linux stamps each send with a nanosecond clock read per send
     * loop, so its ties are within one loop, in sequence order; the transmission counter gives
     * the true order in every case.
     */
    static boolean sentAfter(long t1, int order1, long t2, int order2) {
        return t1 - t2 > 0 || (t1 == t2 && order1 - order2 > 0);
    }
}
