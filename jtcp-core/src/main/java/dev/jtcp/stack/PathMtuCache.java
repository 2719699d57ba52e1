package dev.jtcp.stack;

import dev.jtcp.wire.IpAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Path MTUs learnt from ICMP "fragmentation needed" (RFC 1191) and "packet too big" (RFC 8201)
 * messages, per destination. Entries age out after {@link #EXPIRY_NS} (RFC 1191 §6.3 suggests ten
 * minutes, as Linux's mtu_expires does) so a path that grew again is found; at most
 * {@link #CAPACITY} destinations are remembered, the least recently updated forgotten first.
 *
 * <p>Not thread-safe: the host's thread.
 */
final class PathMtuCache {
    static final long EXPIRY_NS = 600_000_000_000L;
    static final int CAPACITY = 1024;

    private record Learnt(int mtu, long expiryNs) {}

    private final Map<IpAddress, Learnt> entries = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<IpAddress, Learnt> eldest) {
            return size() > CAPACITY;
        }
    };

    /** The path MTU towards {@code destination}, or {@code linkMtu} if nothing smaller is known. */
    int mtu(IpAddress destination, int linkMtu, long nowNs) {
        if (entries.isEmpty()) {
            return linkMtu;
        }
        Learnt e = entries.get(destination);
        if (e == null) {
            return linkMtu;
        }
        if (e.expiryNs() - nowNs <= 0) {
            entries.remove(destination);
            return linkMtu;
        }
        return Math.min(e.mtu(), linkMtu);
    }

    /** Records a smaller path MTU; returns whether it lowered what was known. */
    boolean lower(IpAddress destination, int mtu, int linkMtu, long nowNs) {
        int known = mtu(destination, linkMtu, nowNs);
        if (mtu >= known) {
            return false;
        }
        entries.remove(destination);
        entries.put(destination, new Learnt(mtu, nowNs + EXPIRY_NS));
        return true;
    }

    int size() {
        return entries.size();
    }
}
