package dev.jtcp.tcp;

import java.util.random.RandomGenerator;

/**
 * Initial sequence numbers per RFC 6528 (RFC 9293 §3.4.1): {@code ISN = M + F(4-tuple, secret)}, where
 * M is a clock ticking every 4 microseconds (MUST-8) and F is SipHash keyed with a secret drawn once
 * from the host's random source (SHLD-1), so nobody off the host can compute it (MUST-9). In
 * simulation the random source is seeded and runs repeat exactly; on real networks it is {@link
 * java.security.SecureRandom}.
 *
 * <p>Not thread-safe: owned by one host.
 */
public final class IsnGenerator implements IsnSource {
    /** RFC 9293 §3.4.1: the clock increments roughly every 4 microseconds. */
    private static final long TICK_NS = 4_000;

    private final SipHash prf;

    public IsnGenerator(RandomGenerator random) {
        this.prf = new SipHash(random.nextLong(), random.nextLong());
    }

    @Override
    public int isn(long nowNs, long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort) {
        long f = prf.hash(localHi, localLo, remoteHi, remoteLo, (long) localPort << 16 | remotePort, 0);
        return (int) (nowNs / TICK_NS) + (int) f;
    }
}
