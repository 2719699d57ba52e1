package dev.jtcp.tcp;

/**
 * The host-wide limit on challenge ACKs (RFC 5961 §7: "implementations SHOULD include an ACK
 * throttling mechanism"): at most {@code perSecond} in each one-second window, shared by every
 * connection so an attacker cannot multiply the budget by opening connections.
 *
 * <p>Not thread-safe: owned by one host.
 */
public final class ChallengeAckLimiter {
    private static final long WINDOW_NS = 1_000_000_000L;

    private final int perSecond;
    private long windowStartNs = Long.MIN_VALUE;
    private int sentInWindow;
    private long suppressed;

    public ChallengeAckLimiter(int perSecond) {
        this.perSecond = perSecond;
    }

    /** Whether a challenge ACK may be sent now; counts it if so. */
    public boolean tryAcquire(long nowNs) {
        if (windowStartNs == Long.MIN_VALUE || nowNs - windowStartNs >= WINDOW_NS) {
            windowStartNs = nowNs;
            sentInWindow = 0;
        }
        if (sentInWindow < perSecond) {
            sentInWindow++;
            return true;
        }
        suppressed++;
        return false;
    }

    /** Challenge ACKs not sent because of the limit. */
    public long suppressed() {
        return suppressed;
    }
}
