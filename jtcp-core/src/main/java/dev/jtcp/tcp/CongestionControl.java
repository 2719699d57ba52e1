package dev.jtcp.tcp;

/**
 * A congestion-window policy (RFC 5681, MUST-19). The connection detects losses, runs fast
 * retransmit and NewReno fast recovery (RFC 6582), and tells the policy what happened; the policy
 * owns {@code cwnd} and {@code ssthresh}. Reno is {@link NewReno}; CUBIC (RFC 9438) or a SACK-based
 * recovery (RFC 6675) plug in here.
 *
 * <p>All sizes in bytes. Not thread-safe; one instance per connection.
 */
interface CongestionControl {
    int cwnd();

    int ssthresh();

    /** New data was acknowledged outside recovery (slow start or congestion avoidance). */
    void onAck(int bytesAcked, int smss);

    /** Fast retransmit after the duplicate-ACK threshold (RFC 5681 §3.2 steps 2 and 3). */
    void onFastRetransmit(int flightSize, int smss, int dupAcks);

    /** A further duplicate ACK during fast recovery: inflate by one segment (§3.2 step 4). */
    void onDupAckInRecovery(int smss);

    /** A partial ACK during NewReno recovery (RFC 6582 §3.2 step 5): deflate by the amount acknowledged. */
    void onPartialAck(int bytesAcked, int smss);

    /** Recovery ended with a full ACK (RFC 6582 §3.2 step 4 / RFC 5681 §3.2 step 6). */
    void onRecoveryEnd(int flightSize, int smss);

    /** The retransmission timer expired (RFC 5681 §3.1 equation 4, loss window = 1 segment). */
    void onRetransmitTimeout(int flightSize, int smss);

    /**
     * The peer echoed a Congestion Experienced mark (ECE, RFC 3168 §6.1.2): reduce the window as
     * for a loss, at most once per window of data (the connection sees to that).
     */
    void onEcnEcho(int flightSize, int smss);

    /**
     * A fast retransmit turned out spurious (RFC 3522): go back to the window held before it (the
     * Eifel response of RFC 4015 §3, for a fast retransmit).
     */
    void undo(int cwnd, int ssthresh);

    /** Restart after an idle period longer than the RTO (RFC 5681 §4.1). */
    void onIdleRestart(int smss, int initialWindow);
}
