package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;

/**
 * The segments sent and not yet cumulatively acknowledged, one record each in sequence order, and
 * what loss detection and rate estimation need to know of each one: when it was last sent, whether
 * it was ever retransmitted, whether the peer has SACKed it, whether it is deemed lost (RFC 8985
 * §5.1's per-segment variables), and the connection's delivery state when it was sent (the rate
 * sample of draft-ietf-ccwg-bbr's delivery rate estimation).
 *
 * <p>Read with RFC 8985 (RACK-TLP) and RFC 6675 §3 (the pipe). The records tile the sequence space
 * from SND.UNA to SND.MAX without gaps: record {@code p} covers {@code [start(p), end(p))} and
 * {@code end(p) == start(p + 1)}. A record is one segment as first sent (a FIN counts as one
 * sequence number); a retransmission resends whole records, and {@link #split} cuts one first when
 * the segment size shrank. The byte counters follow Linux's {@code packets_in_flight} arithmetic:
 * {@link #pipe()} is what is outstanding, less what the peer SACKed and what is deemed lost, plus
 * retransmissions still in the network.
 *
 * <p>Records live in parallel primitive arrays used as a ring, allocated with the first segment
 * and doubled when full: no allocation per segment once the window has grown, nothing for an idle
 * connection. Positions ({@code p}) count from the oldest record, 0 to {@link #size()} − 1.
 *
 * <p>Not thread-safe; one per connection.
 */
final class Flight {
    /** The peer reported the record in a SACK block; it is no longer in the network. */
    static final int SACKED = 1;
    /** Deemed lost (RACK, an RTO, or NewReno's fast retransmit); needs a retransmission unless {@link #RETRANS_OUT}. */
    static final int LOST = 2;
    /** Sent more than once (RFC 8985's Segment.retransmitted). */
    static final int RETRANSMITTED = 4;
    /** Its latest retransmission is still in the network (not SACKed, not deemed lost again). */
    static final int RETRANS_OUT = 8;
    /** Sent while the application had nothing more to send (the rate sample is then a lower bound). */
    static final int APP_LIMITED = 16;

    /** Initial capacity of the ring, in records; grows by doubling. */
    private static final int INITIAL_CAPACITY = 16;

    /** First sequence number of each record. */
    private int[] start;
    /** Sequence number after each record; equals the next record's start. */
    private int[] end;
    /** When each record was last (re)transmitted, ns; RFC 8985's Segment.xmit_ts. */
    private long[] xmitNs;
    /**
     * The order of each record's latest (re)transmission among all of the connection's sends (a
     * counter, compared with wrap-around): it breaks ties between records sent at the same instant.
     */
    private int[] sendOrder;
    /** The flag bits above. */
    private byte[] flags;
    /** The connection's delivered-bytes count when the record was sent (rate sampling). */
    private long[] delivered;
    /** When that delivered count was last increased, as of the record's sending, ns. */
    private long[] deliveredNs;
    /** When the first segment of the then-current flight was sent, as of the record's sending, ns. */
    private long[] firstTxNs;
    /** The {@link #sendOrder} of the next transmission. */
    private int nextSendOrder;
    /** Ring index of position 0. */
    private int head;
    /** Records held; 0 when nothing is outstanding. */
    private int count;
    /** Bytes in records with {@link #SACKED}. */
    private int sackedBytes;
    /** Bytes in records with {@link #LOST} and not {@link #SACKED}. */
    private int lostBytes;
    /** Bytes in records with {@link #RETRANS_OUT}. */
    private int retransOutBytes;
    /** Records with {@link #RETRANS_OUT}; lets a scan in sending order stop early. */
    private int retransOutRecords;

    /** Records outstanding. */
    int size() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int start(int p) {
        return start[at(p)];
    }

    int end(int p) {
        return end[at(p)];
    }

    int length(int p) {
        int i = at(p);
        return SeqNum.diff(end[i], start[i]);
    }

    long xmitNs(int p) {
        return xmitNs[at(p)];
    }

    /** The record's place in the order of transmissions (see {@link #sendOrder}). */
    int sendOrder(int p) {
        return sendOrder[at(p)];
    }

    int flags(int p) {
        return flags[at(p)];
    }

    boolean has(int p, int flag) {
        return (flags[at(p)] & flag) != 0;
    }

    long deliveredAtSend(int p) {
        return delivered[at(p)];
    }

    long deliveredNsAtSend(int p) {
        return deliveredNs[at(p)];
    }

    long firstTxNsAtSend(int p) {
        return firstTxNs[at(p)];
    }

    /** The sequence number after the newest record (SND.MAX as far as records go), or {@code fallback} when empty. */
    int endSeq(int fallback) {
        return count == 0 ? fallback : end[at(count - 1)];
    }

    int sackedBytes() {
        return sackedBytes;
    }

    int lostBytes() {
        return lostBytes;
    }

    int retransOutBytes() {
        return retransOutBytes;
    }

    int retransOutRecords() {
        return retransOutRecords;
    }

    /** Bytes from the oldest record's start to the newest's end. */
    int outstandingBytes() {
        return count == 0 ? 0 : SeqNum.diff(end[at(count - 1)], start[head]);
    }

    /**
     * The data in the network (RFC 6675 §3 "pipe", Linux's packets_in_flight in bytes): outstanding,
     * less SACKed and deemed-lost data, plus retransmissions not yet accounted for.
     */
    int pipe() {
        return outstandingBytes() - sackedBytes - lostBytes + retransOutBytes;
    }

    /**
     * Records a new segment {@code [seq, endSeq)} sent at {@code nowNs}; it must start where the
     * newest record ends (new data is sent in order).
     */
    void append(int seq, int endSeq, long nowNs, long deliveredAtSend, long deliveredNsAtSend,
                long firstTxNsAtSend, boolean appLimited) {
        if (count > 0 && end[at(count - 1)] != seq) {
            throw new IllegalStateException("new segment at " + SeqNum.toString(seq) + " does not follow "
                    + SeqNum.toString(end[at(count - 1)]));
        }
        if (!SeqNum.gt(endSeq, seq)) {
            throw new IllegalArgumentException("empty segment at " + SeqNum.toString(seq));
        }
        ensureRoom();
        int i = at(count);
        start[i] = seq;
        end[i] = endSeq;
        xmitNs[i] = nowNs;
        sendOrder[i] = nextSendOrder++;
        flags[i] = (byte) (appLimited ? APP_LIMITED : 0);
        delivered[i] = deliveredAtSend;
        deliveredNs[i] = deliveredNsAtSend;
        firstTxNs[i] = firstTxNsAtSend;
        count++;
    }

    /** The position of the record holding {@code seq}, or -1 when no record does. */
    int find(int seq) {
        if (count == 0) {
            return -1;
        }
        int base = start[head];
        int offset = SeqNum.diff(seq, base);
        if (offset < 0 || offset >= outstandingBytes()) {
            return -1;
        }
        int lo = 0;
        int hi = count - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (SeqNum.diff(start[at(mid)], base) <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * Cuts record {@code p} at {@code seq} ({@code start < seq < end}) into two with the same
     * history, so a smaller segment can be retransmitted on its own. Moves the later records.
     */
    void split(int p, int seq) {
        int i = at(p);
        if (!SeqNum.gt(seq, start[i]) || !SeqNum.lt(seq, end[i])) {
            throw new IllegalArgumentException("split at " + SeqNum.toString(seq) + " outside the record");
        }
        ensureRoom();
        i = at(p);
        for (int q = count; q > p + 1; q--) {
            copy(at(q - 1), at(q));
        }
        int j = at(p + 1);
        copy(i, j);
        end[i] = seq;
        start[j] = seq;
        count++;
        // Both halves keep the flags; the byte counters already count the whole range once, but a
        // retransmission in flight is now two records.
        if ((flags[i] & RETRANS_OUT) != 0) {
            retransOutRecords++;
        }
    }

    /** Records that record {@code p} was sent again at {@code nowNs} (RFC 8985: its xmit_ts moves). */
    void retransmitted(int p, long nowNs) {
        int i = at(p);
        int f = flags[i];
        if ((f & SACKED) != 0) {
            throw new IllegalStateException("retransmitting a SACKed record");
        }
        if ((f & RETRANS_OUT) == 0) {
            retransOutBytes += SeqNum.diff(end[i], start[i]);
            retransOutRecords++;
        }
        flags[i] = (byte) (f | RETRANSMITTED | RETRANS_OUT);
        xmitNs[i] = nowNs;
        sendOrder[i] = nextSendOrder++;
    }

    /** Replaces record {@code p}'s rate-sample stamps with those of its latest transmission. */
    void restamp(int p, long deliveredAtSend, long deliveredNsAtSend, long firstTxNsAtSend, boolean appLimited) {
        int i = at(p);
        delivered[i] = deliveredAtSend;
        deliveredNs[i] = deliveredNsAtSend;
        firstTxNs[i] = firstTxNsAtSend;
        flags[i] = (byte) (appLimited ? flags[i] | APP_LIMITED : flags[i] & ~APP_LIMITED);
    }

    /** Takes back every "lost" mark (a loss episode turned out spurious); retransmissions in flight stay counted. */
    void unmarkLost() {
        for (int p = 0; p < count; p++) {
            int i = at(p);
            if ((flags[i] & (LOST | SACKED)) == LOST) {
                lostBytes -= SeqNum.diff(end[i], start[i]);
                flags[i] = (byte) (flags[i] & ~LOST);
            }
        }
    }

    /**
     * Deems record {@code p} lost. A retransmission of it that was in the network is lost too (RFC
     * 8985 §6.2 finds lost retransmissions), so the record needs sending again.
     */
    void markLost(int p) {
        int i = at(p);
        int f = flags[i];
        if ((f & SACKED) != 0) {
            return;
        }
        int len = SeqNum.diff(end[i], start[i]);
        if ((f & RETRANS_OUT) != 0) {
            retransOutBytes -= len;
            retransOutRecords--;
            f &= ~RETRANS_OUT;
        }
        if ((f & LOST) == 0) {
            lostBytes += len;
            f |= LOST;
        }
        flags[i] = (byte) f;
    }

    /** Whether record {@code p} is lost and no retransmission of it is in the network: the next to resend. */
    boolean needsRetransmission(int p) {
        return (flags[at(p)] & (LOST | RETRANS_OUT | SACKED)) == LOST;
    }

    /** Receives each record the peer newly acknowledged (cumulatively or by SACK), oldest first. */
    @FunctionalInterface
    interface DeliveryVisitor {
        /**
         * @param p     the record's position (valid only during the call)
         * @param flags its flags before this acknowledgment
         */
        void onDelivered(Flight flight, int p, int flags);
    }

    /**
     * Drops the records below the new SND.UNA, telling {@code visitor} of each that had not been
     * SACKed; a record acknowledged in part is trimmed and stays.
     *
     * @return bytes newly delivered (not counting data SACKed before)
     */
    int acknowledge(int sndUna, DeliveryVisitor visitor) {
        int deliveredBytes = 0;
        while (count > 0) {
            int i = head;
            if (SeqNum.le(end[i], sndUna)) {
                int f = flags[i];
                int len = SeqNum.diff(end[i], start[i]);
                if ((f & SACKED) == 0) {
                    deliveredBytes += len;
                    if (visitor != null) {
                        visitor.onDelivered(this, 0, f);
                    }
                }
                forget(i, f, len);
                head = (head + 1) & (start.length - 1);
                count--;
                continue;
            }
            if (SeqNum.lt(start[i], sndUna)) {
                int cut = SeqNum.diff(sndUna, start[i]);
                int f = flags[i];
                if ((f & SACKED) != 0) {
                    sackedBytes -= cut;
                } else {
                    deliveredBytes += cut;
                    if ((f & LOST) != 0) {
                        lostBytes -= cut;
                    }
                    if ((f & RETRANS_OUT) != 0) {
                        retransOutBytes -= cut;
                    }
                }
                start[i] = sndUna;
            }
            break;
        }
        return deliveredBytes;
    }

    /**
     * Marks the records wholly inside the SACK block {@code [left, right)} as SACKed, telling {@code
     * visitor} of each newly SACKed one. A record only partly covered stays un-SACKed, as the peer
     * still misses part of it.
     *
     * @return bytes newly SACKed
     */
    int sack(int left, int right, DeliveryVisitor visitor) {
        int p = find(left);
        if (p < 0) {
            if (count == 0 || !SeqNum.lt(left, start[head])) {
                return 0;
            }
            p = 0;
        }
        int newly = 0;
        for (; p < count; p++) {
            int i = at(p);
            if (SeqNum.gt(end[i], right)) {
                break;
            }
            if (SeqNum.lt(start[i], left)) {
                continue;
            }
            int f = flags[i];
            if ((f & SACKED) != 0) {
                continue;
            }
            int len = SeqNum.diff(end[i], start[i]);
            if (visitor != null) {
                visitor.onDelivered(this, p, f);
            }
            forget(i, f, len);
            flags[i] = (byte) ((f & ~(LOST | RETRANS_OUT)) | SACKED);
            sackedBytes += len;
            newly += len;
        }
        return newly;
    }

    /** Forgets everything (the connection closed). Keeps the arrays. */
    void clear() {
        count = 0;
        head = 0;
        sackedBytes = 0;
        lostBytes = 0;
        retransOutBytes = 0;
        retransOutRecords = 0;
    }

    /** Removes a record's share from the counters that only un-SACKed records hold. */
    private void forget(int i, int f, int len) {
        if ((f & SACKED) != 0) {
            sackedBytes -= len;
            return;
        }
        if ((f & LOST) != 0) {
            lostBytes -= len;
        }
        if ((f & RETRANS_OUT) != 0) {
            retransOutBytes -= len;
            retransOutRecords--;
        }
    }

    private int at(int p) {
        return (head + p) & (start.length - 1);
    }

    private void copy(int from, int to) {
        start[to] = start[from];
        end[to] = end[from];
        xmitNs[to] = xmitNs[from];
        sendOrder[to] = sendOrder[from];
        flags[to] = flags[from];
        delivered[to] = delivered[from];
        deliveredNs[to] = deliveredNs[from];
        firstTxNs[to] = firstTxNs[from];
    }

    private void ensureRoom() {
        if (start == null) {
            allocate(INITIAL_CAPACITY);
            return;
        }
        if (count < start.length) {
            return;
        }
        int[] oldStart = start;
        int[] oldEnd = end;
        long[] oldXmit = xmitNs;
        int[] oldOrder = sendOrder;
        byte[] oldFlags = flags;
        long[] oldDelivered = delivered;
        long[] oldDeliveredNs = deliveredNs;
        long[] oldFirstTx = firstTxNs;
        int oldMask = oldStart.length - 1;
        allocate(oldStart.length * 2);
        for (int p = 0; p < count; p++) {
            int from = (head + p) & oldMask;
            start[p] = oldStart[from];
            end[p] = oldEnd[from];
            xmitNs[p] = oldXmit[from];
            sendOrder[p] = oldOrder[from];
            flags[p] = oldFlags[from];
            delivered[p] = oldDelivered[from];
            deliveredNs[p] = oldDeliveredNs[from];
            firstTxNs[p] = oldFirstTx[from];
        }
        head = 0;
    }

    private void allocate(int capacity) {
        start = new int[capacity];
        end = new int[capacity];
        xmitNs = new long[capacity];
        sendOrder = new int[capacity];
        flags = new byte[capacity];
        delivered = new long[capacity];
        deliveredNs = new long[capacity];
        firstTxNs = new long[capacity];
    }
}
