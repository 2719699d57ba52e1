package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;

/**
 * Congestion-window validation as Linux does it (RFC 7661's idea, Linux's {@code tcp_cwnd_validate}
 * and {@code tcp_is_cwnd_limited}): the window grows only while the flight actually used it. After
 * every send loop that sent something or was stopped by the window, {@link #onSendLoop} records
 * whether cwnd stopped it and the most bytes outstanding during the current window of data; {@link
 * #isCwndLimited} then tells the controller whether an ACK may grow cwnd. In slow start a flight
 * that stayed below the window still lets cwnd grow to twice the most it held, so an
 * application-limited sender of 9 segments with IW 10 reaches 18, and one of 5 stays at 10.
 * Switched by {@link TcpConfig#cwndValidation()}; bytes where Linux counts packets.
 *
 * <p>Not thread-safe; one per connection.
 */
final class CwndUse {
    /** The send loop was stopped by cwnd in the current window ({@code tp->is_cwnd_limited}). */
    private boolean cwndLimited;
    /** The most bytes outstanding in the current window ({@code tp->max_packets_out}). */
    private int maxOutstanding;
    /** The current window ends when SND.UNA reaches this ({@code tp->cwnd_usage_seq}). */
    private int usageSeq;
    private boolean started;

    /**
     * A send loop ended.
     *
     * @param sndUna      SND.UNA
     * @param sndNxt      SND.NXT after the loop
     * @param outstanding bytes sent and not cumulatively acknowledged (SND.NXT − SND.UNA)
     * @param limited     the window stopped the loop: less than one segment of cwnd room is left
     */
    void onSendLoop(int sndUna, int sndNxt, int outstanding, boolean limited) {
        if (!started || SeqNum.ge(sndUna, usageSeq) || limited || (!cwndLimited && outstanding > maxOutstanding)) {
            started = true;
            cwndLimited = limited;
            maxOutstanding = outstanding;
            usageSeq = sndNxt;
        }
    }

    /**
     * Whether the flight used the window enough for an ACK to grow it: the send loop was stopped by
     * cwnd in this window, or, in slow start ({@code cwnd < ssthresh}), cwnd is below twice the most
     * bytes outstanding.
     */
    boolean isCwndLimited(int cwnd, int ssthresh) {
        if (!started || cwndLimited) {
            return true;
        }
        return cwnd < ssthresh && cwnd < 2L * maxOutstanding;
    }
}
