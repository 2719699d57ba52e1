package dev.jtcp.tcp;

import java.util.SplittableRandom;

/**
 * The host-wide limit on challenge ACKs (RFC 5961 §7: "implementations SHOULD include an ACK
 * throttling mechanism"), shared by every connection so an attacker cannot multiply the budget by
 * opening connections.
 *
 * <p>A fixed, shared, deterministic budget is itself an off-path side channel (CVE-2016-5696): an
 * attacker spends it from its own connection, and one challenge ACK fewer than the budget tells it a
 * guessed RST landed in someone else's window. So, as Linux since 4.7: the budget of each one-second
 * interval is drawn anew, uniformly in [limit/2, 3·limit/2) (rounded as Linux), from a random source
 * seeded by the host's secrets, so it cannot be counted; and each connection sends at most one
 * challenge ACK per {@link TcpConfig#invalidRateLimitNs()} ({@link Sender#outOfWindowRateLimited}),
 * so no single connection can drain it.
 *
 * <p>Not thread-safe: owned by one host.
 */
public final class ChallengeAckLimiter {
    private static final long INTERVAL_NS = 1_000_000_000L;

    /** The mean budget per interval ({@code net.ipv4.tcp_challenge_ack_limit}). */
    private final int perSecond;
    /** Draws each interval's budget; seeded from the host's secrets, so deterministic per seed. */
    private final SplittableRandom random;
    /** The interval the budget belongs to ({@code nowNs / 1 s}), or Long.MIN_VALUE before the first. */
    private long interval = Long.MIN_VALUE;
    /** Challenge ACKs still allowed in {@link #interval}. */
    private int left;
    private long suppressed;

    public ChallengeAckLimiter(int perSecond, long seed) {
        this.perSecond = perSecond;
        this.random = new SplittableRandom(seed);
    }

    /** Whether a challenge ACK may be sent now; counts it if so. */
    public boolean tryAcquire(long nowNs) {
        long now = Math.floorDiv(nowNs, INTERVAL_NS);
        if (now != interval) {
            interval = now;
            int half = (perSecond + 1) >> 1;
            left = half + random.nextInt(perSecond); // uniform in [half, perSecond + half - 1]
        }
        if (left > 0) {
            left--;
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
