package dev.jtcp.tcp;

/**
 * What one ACK taught the sender, handed to the {@link CongestionControl} as a whole: the data it
 * newly delivered, the RTT it measured, what is in flight after it, the losses it revealed, and
 * the delivery rate sample (draft-ietf-ccwg-bbr §4.5). One instance per connection, refilled for
 * every ACK by the loss-recovery room; a controller reads it during the call and keeps nothing.
 *
 * <p>Not thread-safe; one per connection.
 */
final class AckSample {
    /** When the ACK arrived, ns. */
    long nowNs;
    /** SEG.ACK. */
    int ack;
    /** SND.NXT after the ACK (rounds end when an ACK passes what was SND.NXT at their start). */
    int sndNxt;
    /** Bytes newly delivered by this ACK: cumulatively acknowledged or SACKed, counted once. */
    int deliveredBytes;
    /** Bytes newly deemed lost while processing this ACK. */
    int lostBytes;
    /** An RTT measured by this ACK, ns, or -1. */
    long rttNs;
    /** The smoothed RTT, ns, or -1 before any sample. */
    long srttNs;
    /** The minimum RTT seen, ns, or -1 before any sample. */
    long minRttNs;
    /** Bytes in the network after the ACK (RFC 6675 pipe). */
    int inFlight;
    /** Eff.snd.MSS. */
    int smss;
    /** Loss recovery (fast or after a timeout) is in progress after this ACK. */
    boolean inRecovery;
    /** C.delivered after the ACK: bytes delivered over the connection's life. */
    long totalDelivered;
    /** Rate sample: rs.delivered, bytes, or -1 when this ACK gave no valid sample. */
    long rateDelivered;
    /** Rate sample: rs.interval, ns. */
    long rateIntervalNs;
    /** Rate sample: rs.prior_delivered, the C.delivered when the sampled segment was sent. */
    long ratePriorDelivered;
    /** Rate sample: taken while the application limited sending. */
    boolean rateAppLimited;

    /**
     * The flight used the window enough for this ACK to grow it ({@link CwndUse#isCwndLimited}; always
     * true with {@link TcpConfig#cwndValidation()} off). The loss-based controllers grow only then.
     */
    boolean cwndLimited = true;

    /** rs.delivery_rate in bytes per second, or 0 without a valid sample. */
    double rateBytesPerSec() {
        return rateDelivered < 0 || rateIntervalNs <= 0 ? 0 : rateDelivered * 1e9 / rateIntervalNs;
    }

    /** Clears the per-ACK fields before an ACK is processed. */
    void reset(long nowNs, int ack, int smss) {
        this.nowNs = nowNs;
        this.ack = ack;
        this.smss = smss;
        deliveredBytes = 0;
        lostBytes = 0;
        rttNs = -1;
        rateDelivered = -1;
        rateIntervalNs = 0;
        rateAppLimited = false;
    }
}
