package dev.jtcp.link.sim;

import dev.jtcp.link.impair.DropCause;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A node that forwards IP packets by destination address: the route with the longest prefix that
 * matches decides the port a packet leaves on. IPv4 destinations are read at bytes 16–19, IPv6 at
 * bytes 24–39; the version is the first nibble. Packets that are not IP, or have no route, are
 * dropped, counted and reported to the taps ({@link DropCause#NOT_IP}, {@link DropCause#NO_ROUTE}).
 *
 * <p>Deliberately simpler than a real router: it forwards the bytes unchanged (no TTL or hop-limit
 * decrement, so no checksum update and no ICMP), and may send a packet back out of the port it came
 * in on. It has no timers.
 *
 * <p>Thread-safety: not thread-safe; driven by the thread that runs the network.
 */
public final class SimRouter implements SimNode {

    private static final int IPV4_HEADER_BYTES = 20;
    private static final int IPV4_DST_OFFSET = 16;
    private static final int IPV6_HEADER_BYTES = 40;
    private static final int IPV6_DST_OFFSET = 24;

    /** One route: a prefix of {@code length} bits, as 128 bits (IPv4 in {@code hi}'s top 32 bits). */
    private record Route(long hi, long lo, int length, SimPort port) {
        boolean matches(long dstHi, long dstLo) {
            return ((dstHi ^ hi) & maskHi(length)) == 0 && ((dstLo ^ lo) & maskLo(length)) == 0;
        }
    }

    private final String name;
    /** IPv4 routes, longest prefix first. */
    private final List<Route> routes4 = new ArrayList<>();
    /** IPv6 routes, longest prefix first. */
    private final List<Route> routes6 = new ArrayList<>();
    private long forwarded;
    private final long[] drops = new long[DropCause.values().length];

    /** Creates a router with no routes; {@code name} is its {@link #toString()}. */
    public SimRouter(String name) {
        this.name = name;
    }

    /**
     * Routes the prefix written {@code address/length} (for example {@code 10.1.0.0/16} or
     * {@code 2001:db8::/32}; a bare address is a host route) to {@code port}.
     *
     * @throws IllegalArgumentException if the prefix is malformed or the port is not this router's
     */
    public void route(String prefix, SimPort port) {
        int slash = prefix.indexOf('/');
        String address = slash < 0 ? prefix : prefix.substring(0, slash);
        InetAddress parsed;
        int length;
        try {
            parsed = InetAddress.ofLiteral(address.strip());
            int bits = parsed instanceof Inet4Address ? 32 : 128;
            length = slash < 0 ? bits : Integer.parseInt(prefix.substring(slash + 1).strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad prefix '" + prefix + "': expected address/length", e);
        }
        route(parsed, length, port);
    }

    /**
     * Routes the first {@code length} bits of {@code prefix} to {@code port}, replacing any route for
     * the same prefix.
     *
     * @throws IllegalArgumentException if the length is out of range, the prefix has bits set beyond
     *     it, or the port is not this router's
     */
    public void route(InetAddress prefix, int length, SimPort port) {
        if (port.node() != this) {
            throw new IllegalArgumentException("port " + port + " belongs to " + port.node() + ", not " + this);
        }
        byte[] bytes = prefix.getAddress();
        int bits = bytes.length * 8;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " is not in 0.." + bits);
        }
        ByteBuffer address = ByteBuffer.wrap(bytes);
        long hi = bytes.length == 4 ? (long) address.getInt(0) << 32 : address.getLong(0);
        long lo = bytes.length == 4 ? 0 : address.getLong(8);
        if ((hi & ~maskHi(length)) != 0 || (lo & ~maskLo(length)) != 0) {
            throw new IllegalArgumentException(
                    prefix.getHostAddress() + "/" + length + " has bits set beyond the prefix");
        }
        List<Route> routes = bytes.length == 4 ? routes4 : routes6;
        routes.removeIf(r -> r.hi == hi && r.lo == lo && r.length == length);
        int at = 0;
        while (at < routes.size() && routes.get(at).length >= length) {
            at++;
        }
        routes.add(at, new Route(hi, lo, length, port));
    }

    @Override
    public void onPacket(SimPort port, ByteBuffer packet, long nowNs) {
        SimPort out = null;
        DropCause cause = DropCause.NOT_IP;
        int start = packet.position();
        int length = packet.remaining();
        int version = length == 0 ? 0 : (packet.get(start) & 0xff) >>> 4;
        if (version == 4 && length >= IPV4_HEADER_BYTES) {
            out = lookup(routes4, (packet.getInt(start + IPV4_DST_OFFSET) & 0xffffffffL) << 32, 0);
            cause = DropCause.NO_ROUTE;
        } else if (version == 6 && length >= IPV6_HEADER_BYTES) {
            long dstHi = packet.getLong(start + IPV6_DST_OFFSET);
            long dstLo = packet.getLong(start + IPV6_DST_OFFSET + 8);
            out = lookup(routes6, dstHi, dstLo);
            cause = DropCause.NO_ROUTE;
        }
        if (out == null) {
            drops[cause.ordinal()]++;
            port.reportDrop(packet, cause);
            return;
        }
        forwarded++;
        out.transmit(packet);
    }

    /** Packets forwarded so far. */
    public long forwarded() {
        return forwarded;
    }

    /** Packets dropped for {@code cause} so far. */
    public long dropped(DropCause cause) {
        return drops[cause.ordinal()];
    }

    @Override
    public String toString() {
        return name;
    }

    private static SimPort lookup(List<Route> routes, long dstHi, long dstLo) {
        for (int i = 0; i < routes.size(); i++) {
            Route route = routes.get(i);
            if (route.matches(dstHi, dstLo)) {
                return route.port;
            }
        }
        return null;
    }

    /** The top {@code length} bits (of 128) that fall in the high word. */
    private static long maskHi(int length) {
        return length == 0 ? 0 : -1L << (64 - Math.min(length, 64));
    }

    /** The top {@code length} bits (of 128) that fall in the low word. */
    private static long maskLo(int length) {
        return length <= 64 ? 0 : -1L << (128 - length);
    }
}
