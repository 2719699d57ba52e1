package dev.jtcp.stack;

import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.wire.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A host's small routing table: which interface a packet for a destination leaves through, by
 * longest-prefix match over connected subnets (added with each interface address) and explicit
 * routes, including default routes (0.0.0.0/0, ::/0). On layer-3 links a route needs no gateway:
 * everything sent through the interface reaches the peer at its other end. It also picks the source
 * address of a new connection (RFC 9293 MUST-44, {@link #sourceFor}).
 *
 * <p>Not thread-safe: the host's thread.
 */
public final class RoutingTable {
    /**
     * A route: destinations in {@code prefix} leave through {@code via}.
     *
     * @param prefix the destinations, as an address and prefix length
     * @param via    the interface they leave through
     */
    public record Route(InterfaceAddress prefix, NetInterface via) {
        public Route {
            Objects.requireNonNull(prefix);
            Objects.requireNonNull(via);
        }

        @Override
        public String toString() {
            return (prefix.prefixLength() == 0 ? "default" + (prefix.address().isV4() ? "" : " (IPv6)")
                    : prefix.toString()) + " dev " + via.name();
        }
    }

    private final List<Route> routes = new ArrayList<>();

    /** Adds a route; a route for the same prefix and interface is not added twice. */
    public void add(InterfaceAddress prefix, NetInterface via) {
        InterfaceAddress network = network(prefix);
        for (Route r : routes) {
            if (r.prefix().equals(network) && r.via() == via) {
                return;
            }
        }
        routes.add(new Route(network, via));
    }

    /** Adds default routes for both families through {@code via}. */
    public void addDefault(NetInterface via) {
        add(new InterfaceAddress(IpAddress.ANY_V4, 0), via);
        add(new InterfaceAddress(IpAddress.ANY_V6, 0), via);
    }

    /** The most specific route for {@code destination}, or null if none matches. */
    public Route lookup(IpAddress destination) {
        Route best = null;
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            if (r.prefix().contains(destination)
                    && (best == null || r.prefix().prefixLength() > best.prefix().prefixLength())) {
                best = r;
            }
        }
        return best;
    }

    /** The interface packets for {@code destination} leave through, or null if no route matches. */
    public NetInterface interfaceFor(IpAddress destination) {
        Route r = lookup(destination);
        return r == null ? null : r.via();
    }

    /**
     * Source address selection, MUST-44: "ask the IP layer to select a local IP address" (RFC 1122
     * §3.3.4.3): the route towards {@code remote} names the interface, and the interface an address
     * on the peer's subnet or else its first of the family. An interface without an address of
     * the family lends one from another of {@code interfaces}, in their order (the weak host model
     * of RFC 1122 §3.3.4.2). MUST-45 (the same local address for the whole connection) holds
     * because the address is part of the connection's key.
     *
     * @param hostName names the host in the error
     * @throws TcpException NO_ROUTE if no route leads to {@code remote} or no interface has an
     *     address of its family
     */
    public IpAddress sourceFor(IpAddress remote, List<NetInterface> interfaces, String hostName) {
        NetInterface via = interfaceFor(remote);
        if (via == null) {
            throw new TcpException(TcpError.NO_ROUTE, "no route from host " + hostName + " to " + remote);
        }
        IpAddress src = via.sourceFor(remote);
        for (int i = 0; src == null && i < interfaces.size(); i++) {
            src = interfaces.get(i).sourceFor(remote);
        }
        if (src == null) {
            throw new TcpException(TcpError.NO_ROUTE, "no " + (remote.isV4() ? "IPv4" : "IPv6") + " address on host "
                    + hostName + " to reach " + remote);
        }
        return src;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /** The prefix with its host bits cleared, so equal networks compare equal. */
    private static InterfaceAddress network(InterfaceAddress a) {
        IpAddress x = a.address();
        int bits = x.isV4() ? 96 + a.prefixLength() : a.prefixLength();
        long hiMask = bits >= 64 ? -1L : bits == 0 ? 0 : -1L << (64 - bits);
        long loMask = bits <= 64 ? 0 : bits >= 128 ? -1L : -1L << (128 - bits);
        long lo = x.lo() & loMask;
        if (x.isV4()) {
            lo |= 0x0000_FFFF_0000_0000L;
        }
        return new InterfaceAddress(new IpAddress(x.hi() & hiMask, lo), a.prefixLength());
    }

    @Override
    public String toString() {
        return routes.toString();
    }
}
