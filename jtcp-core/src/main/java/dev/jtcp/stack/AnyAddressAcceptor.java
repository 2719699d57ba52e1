package dev.jtcp.stack;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.wire.IpAddress;

/**
 * The forwarder's hook: what a host does with a TCP SYN for an address it does not own, as a VPN's
 * or a transparent proxy's stack must (tun2socks). Installed with {@link
 * Host#acceptAnyAddress(AnyAddressAcceptor, int)}; without it such packets are dropped as today
 * ({@code IP_NOT_FOR_US}).
 *
 * <p>The host asks {@link #onSyn} once per new flow. The answer may come at once, or later through
 * {@link Host#decideFlow} (return null): the SYN is then held, and its retransmissions dropped, until
 * the outbound connection's result is known, so the client sees what the real server did:
 *
 * <ul>
 *   <li>{@link Verdict#ACCEPT}: the handshake completes with the original destination as the local
 *       address; {@link #onAccepted} hands over the established connection;
 *   <li>{@link Verdict#REFUSE}: a RST, as from a closed port;
 *   <li>{@link Verdict#UNREACHABLE}: ICMP destination unreachable (host unreachable / address
 *       unreachable), sent from the original destination.
 * </ul>
 *
 * <p>Called on the host's thread; implementations must not block it.
 */
public interface AnyAddressAcceptor {
    /** What becomes of a flow. */
    enum Verdict { ACCEPT, REFUSE, UNREACHABLE }

    /**
     * A new flow: a SYN from {@code flow.remote} to {@code flow.local} (the original destination)
     * that no connection or TIME-WAIT record took.
     *
     * @return the verdict, or null to hold the SYN until {@link Host#decideFlow} gives one
     */
    Verdict onSyn(long nowNs, ConnectionKey flow);

    /** An accepted flow finished its handshake; {@code connection}'s key is the flow's. */
    void onAccepted(TcpConnection connection);

    /**
     * A UDP datagram to {@code dst}:{@code dstPort}, an address not ours, from {@code src}:{@code
     * srcPort}: {@code length} bytes of {@code buf} from {@code offset}, valid during the call.
     * Replies go back with {@link Host#sendUdp} from {@code dst}:{@code dstPort}. Returns whether it
     * was taken; by default none is (the datagram is dropped silently: no ICMP about another
     * host's port). Each datagram belongs to a UDP session kept by the host (see {@link
     * Host#acceptAnyAddress(AnyAddressAcceptor, int, int, long)}), which ends after an idle time
     * with {@link #onUdpSessionEnded}.
     */
    default boolean onDatagram(long nowNs, IpAddress dst, int dstPort, IpAddress src, int srcPort,
                               java.nio.ByteBuffer buf, int offset, int length) {
        return false;
    }

    /**
     * A UDP session (a 5-tuple whose datagrams {@link #onDatagram} took; {@code session}'s local
     * side is the original destination) ended: no datagram either way for the host's idle
     * timeout. By default nothing.
     */
    default void onUdpSessionEnded(long nowNs, ConnectionKey session) {
    }

    /**
     * A flow ended without reaching {@link #onAccepted}: held past its time without a verdict, or
     * accepted but its handshake failed (the client gave up or reset). By default nothing.
     */
    default void onAbandoned(ConnectionKey flow) {
    }
}
