package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;

/**
 * The degree of reordering the path has shown, in segments: how far below the highest SACKed
 * sequence number a segment sent once arrived (Linux's {@code tp->reordering}, reported as {@code
 * tcpi_reordering}). It starts at the duplicate-ACK threshold (Linux's sysctl {@code
 * tcp_reordering}, 3) and only grows, up to {@link #MAX} (Linux's {@code tcp_max_reordering}).
 *
 * <p>RFC 4653 (TCP-NCR) and RFC 8985 §6.2 (RACK's reordering detection) describe the same
 * measurement; Linux uses the degree to decide whether a SACK that advances no cumulative ACK may
 * still grow the window ({@link #isHigh}), and how many SACKed segments make a hole a loss before
 * reordering was seen. Fed by the loss-recovery room with each newly delivered segment; {@link
 * #endAck} applies what one ACK showed.
 *
 * <p>Not thread-safe; one per connection.
 */
final class Reordering {
    /** Linux's sysctl tcp_max_reordering: the degree never exceeds it. */
    static final int MAX = 300;

    /** The threshold the degree starts at (the duplicate-ACK threshold), segments. */
    private final int initial;
    /** The degree, segments; at least {@link #initial}. */
    private int degree;
    /** Times reordering was seen (Linux's {@code reord_seen}). */
    private long seen;
    /** The highest sequence number SACKed so far (FACK); valid when {@link #haveFack}. */
    private int fack;
    private boolean haveFack;
    /** The lowest start of a segment sent once and delivered below {@link #fack} in this ACK; valid when {@link #haveLow}. */
    private int low;
    private boolean haveLow;

    Reordering(int initial) {
        this.initial = Math.max(initial, 1);
        this.degree = this.initial;
    }

    /**
     * One segment [start, end) newly delivered by the ACK being processed, cumulatively or (when
     * {@code bySack}) by a SACK block. Delivered below the highest SACKed sequence and never resent:
     * it was passed by later data, not lost.
     */
    void onDelivered(int start, int end, boolean retransmitted, boolean bySack) {
        if (!retransmitted && haveFack && SeqNum.lt(start, fack) && (!haveLow || SeqNum.lt(start, low))) {
            low = start;
            haveLow = true;
        }
        if (bySack && (!haveFack || SeqNum.gt(end, fack))) {
            fack = end;
            haveFack = true;
        }
    }

    /**
     * The ACK is processed: if it showed reordering, count it, and raise the degree to the distance
     * from the lowest reordered segment to FACK, in segments of {@code smss}, if that is more.
     *
     * @return whether this ACK showed reordering
     */
    boolean endAck(int smss) {
        if (!haveLow) {
            return false;
        }
        haveLow = false;
        long distance = Integer.toUnsignedLong(SeqNum.diff(fack, low));
        if (smss > 0 && distance > (long) degree * smss) {
            degree = (int) Math.min((distance + smss - 1) / smss, MAX);
        }
        seen++;
        return true;
    }

    /** The degree of reordering, segments (Linux's tcpi_reordering). */
    int degree() {
        return degree;
    }

    /** Reordering events seen (Linux's tcpi_reord_seen). */
    long seen() {
        return seen;
    }

    /**
     * The degree exceeds the threshold it started at: Linux then grows the window on every ACK that
     * delivers data, SACKed or not, instead of only on ACKs that advance SND.UNA (RFC 5681 §3.1).
     */
    boolean isHigh() {
        return degree > initial;
    }
}
