package dev.jtcp.tcp;

/**
 * How CUBIC's slow start decides to stop before a loss does: HyStart++ (RFC 9406, {@link
 * HyStartPlusPlus}) or Linux's classic HyStart ({@link HyStart}). {@link Cubic} asks it on every ACK
 * in slow start how much the window may grow, and whether slow start is over.
 *
 * <p>Not thread-safe; one per connection.
 */
interface SlowStartExit {
    /**
     * One ACK in slow start.
     *
     * @param nowNs     the time of the ACK
     * @param ack       the ACK's acknowledgment number
     * @param sndNxt    SND.NXT now (the end of a round that begins)
     * @param acked     bytes newly delivered
     * @param rttNs     an RTT sample from this ACK, or -1 without one
     * @param cwndBytes the window before this ACK's growth
     * @return bytes by which cwnd grows
     */
    int onAck(long nowNs, int ack, int sndNxt, int acked, long rttNs, int cwndBytes, int smss);

    /** Slow start is over: ssthresh becomes cwnd and congestion avoidance begins. */
    boolean shouldEnterCongestionAvoidance();

    /** Starts over after a loss or an idle restart. */
    void reset();
}
