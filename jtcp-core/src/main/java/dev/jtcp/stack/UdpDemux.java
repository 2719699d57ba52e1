package dev.jtcp.stack;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.UdpPacket;
import java.util.Objects;

/**
 * UDP input (RFC 768, RFC 1122 §4.1): an arriving datagram's length and checksum are checked (a zero
 * checksum means none over IPv4 and is invalid over IPv6, RFC 8200 §8.1), then it goes to the
 * {@link UdpReceiver} bound to its destination port, to the forwarder's hook when it is for an
 * address not ours, or nowhere, answered with ICMP port unreachable (RFC 1122 §4.1.3.1, rate-limited
 * with the host's other ICMP errors).
 *
 * <p>One binding per port (an address of the host or the wildcard); ports are a space of their own,
 * apart from TCP's. The table of 65536 bindings is allocated on the first bind; lookups allocate
 * nothing.
 *
 * <p>Not thread-safe: the host's thread.
 */
final class UdpDemux {
    private final String hostName;
    private final TraceRelay trace;
    private final DropCounters drops;
    private final Interfaces interfaces;
    private final IcmpInput icmp;
    private final UdpPacket udp = new UdpPacket();
    /** The binding of each port, or null; allocated on the first bind. */
    private Binding[] byPort;
    private int bindings;
    /** Where the next ephemeral-port search starts. */
    private int nextEphemeral;
    /** Sessions for addresses not ours, when a forwarder is installed; else null. */
    private UdpSessions anyAddress;

    private record Binding(IpAddress local, UdpReceiver receiver) {}

    UdpDemux(String hostName, TraceRelay trace, DropCounters drops, Interfaces interfaces, IcmpInput icmp,
             int ephemeralStart) {
        this.hostName = Objects.requireNonNull(hostName);
        this.trace = Objects.requireNonNull(trace);
        this.drops = Objects.requireNonNull(drops);
        this.interfaces = Objects.requireNonNull(interfaces);
        this.icmp = Objects.requireNonNull(icmp);
        this.nextEphemeral = ephemeralStart;
    }

    void anyAddress(UdpSessions sessions) {
        this.anyAddress = sessions;
    }

    int bindingCount() {
        return bindings;
    }

    /**
     * Binds {@code port} (0: an ephemeral one) on {@code local} (unspecified: every address) to
     * {@code receiver}; returns the port.
     *
     * @throws TcpException ADDRESS_IN_USE if the port is bound, BAD_ADDRESS if {@code local} is not ours
     */
    int bind(IpAddress local, int port, UdpReceiver receiver) {
        Objects.requireNonNull(receiver);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (!local.isUnspecified() && !interfaces.isLocal(local.hi(), local.lo())) {
            throw new TcpException(TcpError.BAD_ADDRESS, local + " is not an address of host " + hostName);
        }
        if (byPort == null) {
            byPort = new Binding[65536];
        }
        if (port == 0) {
            port = ephemeral();
        } else if (byPort[port] != null) {
            throw new TcpException(TcpError.ADDRESS_IN_USE, "UDP port " + port + " is bound");
        }
        byPort[port] = new Binding(local, receiver);
        bindings++;
        return port;
    }

    private int ephemeral() {
        int range = PortAllocator.EPHEMERAL_HIGH - PortAllocator.EPHEMERAL_LOW + 1;
        for (int i = 0; i < range; i++) {
            int p = PortAllocator.EPHEMERAL_LOW + Math.floorMod(nextEphemeral + i, range);
            if (byPort[p] == null) {
                nextEphemeral = nextEphemeral + i + 1;
                return p;
            }
        }
        throw new TcpException(TcpError.ADDRESS_IN_USE, "no ephemeral UDP port is free");
    }

    /** Unbinds {@code port} if {@code receiver} holds it. */
    void unbind(int port, UdpReceiver receiver) {
        if (byPort != null && port > 0 && port < 65536 && byPort[port] != null
                && byPort[port].receiver() == receiver) {
            byPort[port] = null;
            bindings--;
        }
    }

    /** A UDP datagram arrived in {@code ip}; {@code local}: for an address of ours (else for the forwarder). */
    void onDatagram(long nowNs, IpPacket ip, boolean local) {
        DropReason r = udp.wrap(ip.buffer(), ip.payloadOffset(), ip.payloadLength())
                .check(ip.pseudoHeaderSum(), ip.version());
        if (r == null && interfaces.isUnusableSource(ip.srcHi(), ip.srcLo())) {
            r = DropReason.IP_BAD_SOURCE;
        }
        if (r == null && udp.dstPort() == 0) {
            r = DropReason.UDP_NO_SOCKET;
        }
        if (r != null) {
            drop(nowNs, r, ip.packetLength());
            return;
        }
        if (!local) {
            DropReason why = anyAddress.onDatagram(nowNs, ip.dst(), udp.dstPort(), ip.src(), udp.srcPort(),
                    udp.buffer(), udp.payloadOffset(), udp.payloadLength());
            if (why == null) {
                traceReceived(nowNs, ip.packetLength());
            } else {
                drop(nowNs, why, ip.packetLength());
            }
            return;
        }
        Binding b = byPort == null ? null : byPort[udp.dstPort()];
        if (b == null || !(b.local().isUnspecified()
                || (b.local().hi() == ip.dstHi() && b.local().lo() == ip.dstLo()))) {
            drop(nowNs, DropReason.UDP_NO_SOCKET, ip.packetLength());
            // RFC 1122 §4.1.3.1: SHOULD send ICMP port unreachable; never about a bogus source (MUST-57).
            icmp.sendPortUnreachable(nowNs, ip);
            return;
        }
        traceReceived(nowNs, ip.packetLength());
        b.receiver().onDatagram(nowNs, ip.src(), udp.srcPort(), ip.dst(), udp.dstPort(), udp.buffer(),
                udp.payloadOffset(), udp.payloadLength());
    }

    private void traceReceived(long nowNs, int length) {
        if (trace.isEnabled()) {
            trace.direct.onEvent(new TraceEvent.PacketEvent(nowNs, hostName, TraceEvent.Direction.RECEIVED, length,
                    null, "UDP " + udp.srcPort() + " > " + udp.dstPort() + " len " + udp.payloadLength()));
        }
    }

    private void drop(long nowNs, DropReason reason, int length) {
        drops.count(reason);
        if (trace.isEnabled()) {
            trace.direct.onEvent(new TraceEvent.PacketEvent(nowNs, hostName, TraceEvent.Direction.DROPPED, length,
                    reason, "UDP"));
        }
    }
}
