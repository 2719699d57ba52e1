/**
 * The host around the TCP engine, in rooms as smoltcp splits its {@code iface}; each is handed the
 * parts it uses, never the host:
 *
 * <ul>
 *   <li>{@link dev.jtcp.stack.Host}: configuration (interfaces, addresses, routes, TTL, secrets),
 *       IP input checks, the {@link dev.jtcp.stack.TimerWheel}, and the engine's {@code TcpContext};
 *   <li>{@link dev.jtcp.stack.Interfaces}, {@link dev.jtcp.stack.NetInterface},
 *       {@link dev.jtcp.stack.InterfaceAddress}: interfaces and their addresses;
 *   <li>{@link dev.jtcp.stack.RoutingTable}: outgoing interface and source address (MUST-44/45);
 *   <li>{@link dev.jtcp.stack.TcpDemux}: TCP input, the {@link dev.jtcp.stack.ConnectionTable},
 *       TIME-WAIT records, listeners, the RST for segments that match nothing;
 *   <li>{@link dev.jtcp.stack.PortAllocator}: RFC 6056 ephemeral ports, bind rules;
 *   <li>{@link dev.jtcp.stack.IcmpInput}: echo replies, received ICMP errors
 *       ({@link dev.jtcp.stack.IcmpErrorMessage}, {@link dev.jtcp.stack.PathMtuCache}), protocol
 *       unreachable ({@link dev.jtcp.stack.IcmpRateLimiter});
 *   <li>{@link dev.jtcp.stack.UdpDemux}: UDP input (RFC 768), bound ports ({@link
 *       dev.jtcp.stack.UdpReceiver}), ICMP port unreachable;
 *   <li>{@link dev.jtcp.stack.AnyAddressFlows}: TCP flows to addresses not ours, for a forwarder's
 *       {@link dev.jtcp.stack.AnyAddressAcceptor} (accept, refuse, unreachable, or hold the SYN);
 *   <li>{@link dev.jtcp.stack.IpOutput}: every packet sent, written in place;
 *   <li>{@link dev.jtcp.stack.TraceRelay}, {@link dev.jtcp.stack.DropCounters}: what the host
 *       reports.
 * </ul>
 *
 * <p>Sans-IO like the engine: every call takes the time, and the host says when to call it next.
 *
 * <p>Read first: {@link dev.jtcp.stack.Host}.
 *
 * <p>Uses {@code tcp} (the engine it hosts) and {@code link} (only {@code PacketSink}, where its
 * packets go), with {@code event} and {@code wire}.
 *
 * <p>Thread-safety: none. One thread drives a host and every connection on it.
 */
package dev.jtcp.stack;
