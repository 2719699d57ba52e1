package dev.jtcp.event;

import dev.jtcp.wire.IpAddress;

/**
 * A connection's identity: the 4-tuple (RFC 9293 §3.3.1, "socket pair") as seen from the local end.
 *
 * @param localAddress  our address
 * @param localPort     our port
 * @param remoteAddress the peer's address
 * @param remotePort    the peer's port
 */
public record ConnectionKey(IpAddress localAddress, int localPort, IpAddress remoteAddress, int remotePort) {
    /** The same connection as the peer names it. */
    public ConnectionKey reversed() {
        return new ConnectionKey(remoteAddress, remotePort, localAddress, localPort);
    }

    /** {@code 198.18.0.1:40000 > 198.18.0.2:80}; IPv6 addresses in brackets. */
    @Override
    public String toString() {
        return endpoint(localAddress, localPort) + " > " + endpoint(remoteAddress, remotePort);
    }

    /** {@code addr:port}, with brackets around IPv6 addresses. */
    public static String endpoint(IpAddress address, int port) {
        return (address.isV4() ? address.toString() : "[" + address + "]") + ":" + port;
    }
}
