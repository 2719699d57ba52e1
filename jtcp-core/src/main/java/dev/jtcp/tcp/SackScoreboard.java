package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpOptions;

/**
 * The sender's record of what the peer has selectively acknowledged (RFC 2018, RFC 6675 §3): the
 * SACKed runs above SND.UNA, and from them the three questions of RFC 6675 — is a sequence number
 * lost ({@link #lostBoundary}), how much data is in the network ({@link #pipe}), and which hole to
 * retransmit next ({@link #nextHole}).
 *
 * <p>Runs are kept as sorted, disjoint sequence ranges in (SND.UNA, SND.MAX]. The arrays are
 * allocated with the first SACK block: most connections never see a loss. Blocks outside the
 * outstanding data are ignored (RFC 2018 §8: a peer may renege, so SACKed data stays in the send
 * buffer until cumulatively acknowledged; the scoreboard only steers retransmission).
 *
 * <p>Not thread-safe; one per connection.
 */
final class SackScoreboard {
    /** Runs tracked; RFC 2018 limits a segment to 4 blocks, but losses accumulate runs over a window. */
    static final int MAX_RUNS = 32;

    private int[] start;
    private int[] end;
    private int runs;
    private int sackedBytes;

    boolean isEmpty() {
        return runs == 0;
    }

    int sackedBytes() {
        return sackedBytes;
    }

    /** The end of the highest SACKed run, or {@code sndUna} when there is none. */
    int highestSacked(int sndUna) {
        return runs == 0 ? sndUna : end[runs - 1];
    }

    void clear() {
        runs = 0;
        sackedBytes = 0;
    }

    /** Adds the SACK blocks of an arriving ACK that lie within the outstanding data (SND.UNA, SND.MAX]. */
    void update(TcpOptions options, int sndUna, int sndMax) {
        for (int b = 0; b < options.sackBlocks; b++) {
            int left = options.sackEdges[2 * b];
            int right = options.sackEdges[2 * b + 1];
            if (SeqNum.le(right, left) || SeqNum.le(right, sndUna) || SeqNum.gt(right, sndMax)) {
                continue;
            }
            add(SeqNum.max(left, sndUna), right);
        }
    }

    private void add(int s, int e) {
        if (start == null) {
            start = new int[MAX_RUNS];
            end = new int[MAX_RUNS];
        }
        int i = 0;
        while (i < runs && SeqNum.lt(end[i], s)) {
            i++;
        }
        int j = i;
        int ns = s;
        int ne = e;
        while (j < runs && SeqNum.le(start[j], ne)) {
            ns = SeqNum.min(ns, start[j]);
            ne = SeqNum.max(ne, end[j]);
            sackedBytes -= end[j] - start[j];
            j++;
        }
        int merged = j - i;
        if (merged == 0 && runs == MAX_RUNS) {
            return;
        }
        int shift = 1 - merged;
        if (shift != 0) {
            System.arraycopy(start, j, start, j + shift, runs - j);
            System.arraycopy(end, j, end, j + shift, runs - j);
            runs += shift;
        }
        start[i] = ns;
        end[i] = ne;
        sackedBytes += ne - ns;
    }

    /** Forgets everything at or below the new SND.UNA. */
    void advance(int sndUna) {
        int drop = 0;
        while (drop < runs && SeqNum.le(end[drop], sndUna)) {
            sackedBytes -= end[drop] - start[drop];
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(start, drop, start, 0, runs - drop);
            System.arraycopy(end, drop, end, 0, runs - drop);
            runs -= drop;
        }
        if (runs > 0 && SeqNum.lt(start[0], sndUna)) {
            sackedBytes -= sndUna - start[0];
            start[0] = sndUna;
        }
    }

    /** Whether {@code seq} has been SACKed. */
    boolean isSacked(int seq) {
        for (int i = 0; i < runs; i++) {
            if (SeqNum.inWindow(seq, start[i], end[i] - start[i])) {
                return true;
            }
        }
        return false;
    }

    /**
     * The sequence number below which every un-SACKed byte counts as lost (RFC 6675 §4 IsLost: more
     * than (DupThresh − 1) × SMSS bytes SACKed above it), or {@code sndUna} when nothing is lost yet.
     */
    int lostBoundary(int sndUna, int smss, int dupThresh) {
        long above = 0;
        long need = (long) (dupThresh - 1) * smss;
        for (int i = runs - 1; i >= 0; i--) {
            above += end[i] - start[i];
            if (above > need) {
                return start[i];
            }
        }
        return sndUna;
    }

    /**
     * RFC 6675 §4 SetPipe: the bytes presumed still in the network — every un-SACKed byte between
     * SND.UNA and SND.MAX that is not lost, plus every lost byte already retransmitted (below
     * {@code highRxt}).
     */
    int pipe(int sndUna, int sndMax, int lostBoundary, int highRxt) {
        int outstanding = SeqNum.diff(sndMax, sndUna) - sackedBytes;
        int lost = unsackedBetween(sndUna, lostBoundary);
        int retransmitted = unsackedBetween(sndUna, SeqNum.min(highRxt, lostBoundary));
        return Math.max(0, outstanding - lost + retransmitted);
    }

    /** Un-SACKed bytes in [from, to). */
    private int unsackedBetween(int from, int to) {
        if (SeqNum.ge(from, to)) {
            return 0;
        }
        int n = SeqNum.diff(to, from);
        for (int i = 0; i < runs; i++) {
            int s = SeqNum.max(start[i], from);
            int e = SeqNum.min(end[i], to);
            if (SeqNum.lt(s, e)) {
                n -= e - s;
            }
        }
        return n;
    }

    /**
     * The first un-SACKed sequence number at or after {@code from} and below {@code limit}, or
     * {@code limit} if every byte in between is SACKed (RFC 6675 §4 NextSeg, rules 1 and 3).
     */
    int nextHole(int from, int limit) {
        int seq = from;
        for (int i = 0; i < runs && SeqNum.lt(seq, limit); i++) {
            if (SeqNum.le(end[i], seq)) {
                continue;
            }
            if (SeqNum.lt(seq, start[i])) {
                return seq;
            }
            seq = end[i];
        }
        return SeqNum.lt(seq, limit) ? seq : limit;
    }

    /** Where the SACKed run containing or following {@code seq} starts, or {@code limit}: the hole's end. */
    int holeEnd(int seq, int limit) {
        for (int i = 0; i < runs; i++) {
            if (SeqNum.gt(start[i], seq)) {
                return SeqNum.min(start[i], limit);
            }
        }
        return limit;
    }
}
