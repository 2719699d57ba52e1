package dev.jtcp.stack;

/**
 * A token bucket for the ICMP errors a host sends (RFC 1812 §4.3.2.8; RFC 4443 §2.4(f) makes it a
 * MUST for ICMPv6), so a flood of unanswerable packets cannot make the host a traffic amplifier.
 * Defaults as Linux's icmp_msgs_per_sec and icmp_msgs_burst: 1000 per second, bursts of 50.
 *
 * <p>Not thread-safe: the host's thread.
 */
final class IcmpRateLimiter {
    private final long nsPerToken;
    private final int burst;
    private long tokens;
    private long lastNs = Long.MIN_VALUE;

    IcmpRateLimiter(int perSecond, int burst) {
        this.nsPerToken = 1_000_000_000L / perSecond;
        this.burst = burst;
        this.tokens = burst;
    }

    /** Takes a token if one is available at {@code nowNs}. */
    boolean tryAcquire(long nowNs) {
        if (lastNs != Long.MIN_VALUE) {
            long earned = (nowNs - lastNs) / nsPerToken;
            if (earned > 0) {
                tokens = Math.min(burst, tokens + earned);
                lastNs += earned * nsPerToken;
            }
        } else {
            lastNs = nowNs;
        }
        if (tokens == 0) {
            return false;
        }
        if (tokens == burst) {
            lastNs = nowNs;
        }
        tokens--;
        return true;
    }
}
