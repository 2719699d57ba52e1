package dev.jtcp.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.event.TcpState;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.tcp.TcpHandler;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IcmpPacket;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Interfaces, routes, source addresses, broadcast rules, port reuse and ICMP, on bare hosts. */
class HostStackTest {
    private static final long MS = 1_000_000L;

    private static Host host() {
        return new Host("h", TcpConfig.defaults(), new SplittableRandom(1));
    }

    private static IpAddress src(ByteBuffer p) {
        IpPacket ip = new IpPacket().wrap(p, 0, p.limit());
        assertThat(ip.check()).isNull();
        return ip.src();
    }

    private static int mssOption(ByteBuffer p) {
        IpPacket ip = new IpPacket().wrap(p, 0, p.limit());
        ip.check();
        TcpPacket t = new TcpPacket().wrap(p, ip.payloadOffset(), ip.payloadLength());
        return dev.jtcp.wire.TcpHeader.of(t).options().stream()
                .filter(o -> o instanceof dev.jtcp.wire.TcpOption.Mss).map(o -> ((dev.jtcp.wire.TcpOption.Mss) o).mss())
                .findFirst().orElse(-1);
    }

    // ---- routing and source address selection (MUST-44) ----

    @Test
    void packetsLeaveThroughTheRoutedInterfaceFromItsAddress() {
        Host h = host();
        RawPackets.Capture eth0 = new RawPackets.Capture();
        RawPackets.Capture eth1 = new RawPackets.Capture();
        NetInterface i0 = h.addInterface("eth0", 1500, eth0);
        NetInterface i1 = h.addInterface("eth1", 9000, eth1);
        h.addAddress(i0, InterfaceAddress.parse("198.18.0.2/24"));
        h.addAddress(i1, InterfaceAddress.parse("198.18.1.2/24"));

        h.connect(0, IpAddress.parse("198.18.1.9"), 80);
        assertThat(eth1.packets).hasSize(1);
        assertThat(src(eth1.last())).isEqualTo(IpAddress.parse("198.18.1.2"));
        assertThat(mssOption(eth1.last())).as("MSS from eth1's MTU").isEqualTo(9000 - 40);
        h.connect(0, IpAddress.parse("198.18.0.9"), 80);
        assertThat(eth0.packets).hasSize(1);
        assertThat(src(eth0.last())).isEqualTo(IpAddress.parse("198.18.0.2"));
        assertThat(mssOption(eth0.last())).isEqualTo(1460);

        assertThatThrownBy(() -> h.connect(0, IpAddress.parse("10.1.2.3"), 80)).isInstanceOf(TcpException.class)
                .satisfies(e -> assertThat(((TcpException) e).error()).isEqualTo(TcpError.NO_ROUTE));
        h.addRoute("10.0.0.0/8", i1);
        h.connect(0, IpAddress.parse("10.1.2.3"), 80);
        assertThat(eth1.packets).hasSize(2);
        assertThat(src(eth1.last())).isEqualTo(IpAddress.parse("198.18.1.2"));
        h.addDefaultRoute(i0);
        h.connect(0, IpAddress.parse("192.0.2.1"), 80);
        assertThat(eth0.packets).hasSize(2);
        assertThat(h.routes().lookup(IpAddress.parse("10.9.9.9")).via()).isSameAs(i1);
    }

    @Test
    @Requirement({"MUST-44", "MUST-45"})
    void theSourceIsTheAddressOnThePeersSubnet() {
        Host h = host();
        RawPackets.Capture link = new RawPackets.Capture();
        h.addAddress("198.18.0.2/24").addAddress("198.19.0.2/24").attach(link);
        h.connect(0, IpAddress.parse("198.19.0.7"), 80);
        assertThat(src(link.last())).isEqualTo(IpAddress.parse("198.19.0.2"));
        h.connect(0, IpAddress.parse("192.0.2.1"), 80);
        assertThat(src(link.last())).isEqualTo(IpAddress.parse("198.18.0.2"));
        assertThatThrownBy(() -> h.connect(0, IpAddress.parse("fd00::9"), 80))
                .satisfies(e -> assertThat(((TcpException) e).error()).isEqualTo(TcpError.NO_ROUTE));
    }

    // ---- broadcast and multicast (MUST-46, MUST-57) ----

    @Test
    @Requirement({"MUST-46"})
    void openToABroadcastOrMulticastAddressIsRefused() {
        Host h = host().addAddress("198.18.0.2/24").addAddress("fd00::2/64").attach(new RawPackets.Capture());
        for (String bad : new String[] {"224.0.0.1", "255.255.255.255", "198.18.0.255", "ff02::1", "0.0.0.0"}) {
            assertThatThrownBy(() -> h.connect(0, IpAddress.parse(bad), 80)).as(bad)
                    .satisfies(e -> assertThat(((TcpException) e).error()).isEqualTo(TcpError.BAD_ADDRESS));
        }
    }

    @Test
    @Requirement({"MUST-57"})
    void segmentsToBroadcastOrMulticastAddressesAreSilentlyDiscarded() {
        RawPackets.Capture link = new RawPackets.Capture();
        Host h = host().addAddress("198.18.0.2/24").attach(link);
        h.listen(0, 80, 16);
        h.onPacket(0, RawPackets.syn("198.18.0.1", 40000, "198.18.0.255", 80));
        h.onPacket(0, RawPackets.syn("198.18.0.1", 40000, "224.0.0.1", 80));
        h.onPacket(0, RawPackets.syn("198.18.0.1", 40000, "255.255.255.255", 80));
        assertThat(link.packets).as("no SYN-ACK, no RST").isEmpty();
        assertThat(h.drops().get(DropReason.IP_BROADCAST_OR_MULTICAST)).isEqualTo(3);
        assertThat(h.connectionCount()).isZero();
    }

    // ---- protocol unreachable ----

    @Test
    void aProtocolJtcpLacksDrawsProtocolUnreachable() {
        RawPackets.Capture link = new RawPackets.Capture();
        Host h = host().addAddress("198.18.0.2/24").addAddress("fd00::2/64").attach(link);
        ByteBuffer sctp = RawPackets.sctp("198.18.0.1", "198.18.0.2");
        h.onPacket(0, sctp.duplicate());
        ByteBuffer reply = link.last();
        assertThat(RawPackets.icmpHeader(reply)).containsExactly(IcmpPacket.V4_DEST_UNREACHABLE,
                IcmpPacket.V4_CODE_PROTOCOL_UNREACHABLE, 0);
        assertThat(new IpPacket().wrap(reply, 0, reply.limit()).check()).isNull();
        assertThat(reply.slice(28, sctp.limit())).as("quotes the datagram").isEqualTo(sctp.duplicate().rewind());

        h.onPacket(0, RawPackets.sctp("fd00::1", "fd00::2"));
        ByteBuffer reply6 = link.last();
        IpPacket ip6 = new IpPacket().wrap(reply6, 0, reply6.limit());
        assertThat(ip6.check()).isNull();
        assertThat(new IcmpPacket().wrap(reply6, ip6.payloadOffset(), ip6.payloadLength()).check(ip6.pseudoHeaderSum()))
                .isNull();
        assertThat(RawPackets.icmpHeader(reply6)).as("parameter problem at the Next Header field")
                .containsExactly(IcmpPacket.V6_PARAMETER_PROBLEM, IcmpPacket.V6_CODE_UNRECOGNIZED_NEXT_HEADER, 6);
    }

    @Test
    void protocolUnreachableIsRateLimitedAndNeverSentToUnusableSources() {
        RawPackets.Capture link = new RawPackets.Capture();
        Host h = host().addAddress("198.18.0.2/24").attach(link);
        h.onPacket(0, RawPackets.sctp("0.0.0.0", "198.18.0.2"));
        assertThat(link.packets).isEmpty();
        for (int i = 0; i < 200; i++) {
            h.onPacket(0, RawPackets.sctp("198.18.0.1", "198.18.0.2"));
        }
        assertThat(link.packets).as("a burst of 50").hasSize(50);
        h.onPacket(10 * MS, RawPackets.sctp("198.18.0.1", "198.18.0.2"));
        assertThat(link.packets).as("1000 per second refill").hasSize(51);
    }

    // ---- ICMP errors for connections (MUST-54, RFC 5927) ----

    /**
     * A connection handler that records ICMP reports: soft errors, and the error a hard ICMP error
     * ended the connection with.
     */
    private static final class Recorder implements TcpHandler {
        TcpError icmp;
        boolean aborts;
        TcpError closedWith;
        boolean closed;

        @Override
        public void onSoftError(TcpConnection c, TcpError error) {
            this.icmp = error;
            this.aborts = false;
        }

        @Override
        public void onClosed(TcpConnection c, TcpError error) {
            closed = true;
            closedWith = error;
            if (error != null) {
                this.icmp = error;
                this.aborts = true;
            }
        }
    }

    @Test
    @Requirement({"MUST-54", "SHLD-26"})
    void portUnreachableAbortsAConnectingSocketAsRefused() {
        RawPackets.Capture link = new RawPackets.Capture();
        Host h = host().addAddress("198.18.0.2/24").attach(link);
        TcpConnection c = h.connect(0, IpAddress.parse("198.18.0.1"), 80);
        Recorder r = new Recorder();
        c.handler(r);
        ByteBuffer syn = link.last();
        h.onPacket(MS, RawPackets.icmpError("198.18.0.1", "198.18.0.2", IcmpPacket.V4_DEST_UNREACHABLE,
                IcmpPacket.V4_CODE_PORT_UNREACHABLE, 0, syn, 28));
        assertThat(r.icmp).isEqualTo(TcpError.REFUSED);
        assertThat(r.aborts).isTrue();
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(r.closed).isTrue();
        assertThat(r.closedWith).as("the true error, not \"aborted\"").isEqualTo(TcpError.REFUSED);
        assertThat(c.error()).isEqualTo(TcpError.REFUSED);
        assertThat(h.connectionCount()).isZero();
    }

    @Test
    @Requirement({"SHLD-25", "MUST-56"})
    void aSoftErrorIsReportedButDoesNotAbort() {
        RawPackets.Capture link = new RawPackets.Capture();
        Host h = host().addAddress("198.18.0.2/24").attach(link);
        TcpConnection c = h.connect(0, IpAddress.parse("198.18.0.1"), 80);
        Recorder r = new Recorder();
        c.handler(r);
        h.onPacket(MS, RawPackets.icmpError("198.18.0.254", "198.18.0.2", IcmpPacket.V4_DEST_UNREACHABLE,
                IcmpPacket.V4_CODE_HOST_UNREACHABLE, 0, link.last(), 28));
        assertThat(r.icmp).isEqualTo(TcpError.UNREACHABLE);
        assertThat(r.aborts).isFalse();
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void errorsQuotingAnUnsentSequenceNumberAreRejected() {
        RawPackets.Capture link = new RawPackets.Capture();
        Host h = host().addAddress("198.18.0.2/24").attach(link);
        TcpConnection c = h.connect(0, IpAddress.parse("198.18.0.1"), 80);
        ByteBuffer forged = link.last().duplicate();
        forged.putInt(24, forged.getInt(24) + 12345);
        h.onPacket(MS, RawPackets.icmpError("198.18.0.1", "198.18.0.2", IcmpPacket.V4_DEST_UNREACHABLE,
                IcmpPacket.V4_CODE_PORT_UNREACHABLE, 0, forged, 28));
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        assertThat(h.drops().get(DropReason.ICMP_OUT_OF_WINDOW)).isEqualTo(1);
        // An error for a connection that does not exist is rejected too.
        ByteBuffer other = RawPackets.syn("198.18.0.2", 1234, "198.18.0.1", 80);
        h.onPacket(MS, RawPackets.icmpError("198.18.0.1", "198.18.0.2", IcmpPacket.V4_DEST_UNREACHABLE,
                IcmpPacket.V4_CODE_PORT_UNREACHABLE, 0, other, 28));
        assertThat(h.drops().get(DropReason.ICMP_ERROR_REJECTED)).isEqualTo(1);
    }

    @Test
    void icmpv6PortUnreachableAbortsAConnectingSocket() {
        RawPackets.Capture link = new RawPackets.Capture();
        Host h = host().addAddress("fd00::2/64").attach(link);
        TcpConnection c = h.connect(0, IpAddress.parse("fd00::1"), 80);
        Recorder r = new Recorder();
        c.handler(r);
        h.onPacket(MS, RawPackets.icmpError("fd00::1", "fd00::2", IcmpPacket.V6_DEST_UNREACHABLE,
                IcmpPacket.V6_CODE_PORT_UNREACHABLE, 0, link.last(), 48));
        assertThat(r.icmp).isEqualTo(TcpError.REFUSED);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    @Requirement({"SHLD-20"})
    void softIcmpErrorsAreNotReportedWhenTheApplicationTurnedReportsOff() {
        RawPackets.Capture link = new RawPackets.Capture();
        Host h = host().addAddress("198.18.0.2/24").attach(link);
        TcpConnection c = h.connect(0, IpAddress.parse("198.18.0.1"), 80);
        Recorder r = new Recorder();
        c.handler(r);
        c.softErrorReports(false);
        ByteBuffer syn = link.last();
        h.onPacket(MS, RawPackets.icmpError("198.18.0.254", "198.18.0.2", IcmpPacket.V4_DEST_UNREACHABLE,
                IcmpPacket.V4_CODE_HOST_UNREACHABLE, 0, syn, 28));
        assertThat(r.icmp).as("soft error, reports off").isNull();
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        // A hard error that aborts the connection is reported regardless.
        h.onPacket(2 * MS, RawPackets.icmpError("198.18.0.1", "198.18.0.2", IcmpPacket.V4_DEST_UNREACHABLE,
                IcmpPacket.V4_CODE_PORT_UNREACHABLE, 0, syn, 28));
        assertThat(r.icmp).isEqualTo(TcpError.REFUSED);
        assertThat(r.aborts).isTrue();
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    @Requirement({"MUST-55"})
    void sourceQuenchIsIgnored() {
        RawPackets.Capture link = new RawPackets.Capture();
        Host h = host().addAddress("198.18.0.2/24").attach(link);
        TcpConnection c = h.connect(0, IpAddress.parse("198.18.0.1"), 80);
        h.onPacket(MS, RawPackets.icmpError("198.18.0.1", "198.18.0.2", 4, 0, 0, link.last(), 28));
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        assertThat(h.drops().get(DropReason.ICMP_UNHANDLED_TYPE)).isEqualTo(1);
    }

    // ---- port reuse ----

    @Test
    void listenersClashOnOverlappingAddressesButNotWithTimeWait() {
        Host h = host().addAddress("198.18.0.2/24").attach(new RawPackets.Capture());
        var wildcard = h.listen(0, 80, 16);
        assertThatThrownBy(() -> h.listen(0, IpAddress.parse("198.18.0.2"), 80, 16))
                .satisfies(e -> assertThat(((TcpException) e).error()).isEqualTo(TcpError.ADDRESS_IN_USE));
        assertThatThrownBy(() -> h.listen(0, IpAddress.parse("198.18.0.99"), 81, 16))
                .satisfies(e -> assertThat(((TcpException) e).error()).isEqualTo(TcpError.BAD_ADDRESS));
        assertThatThrownBy(() -> h.connect(0, IpAddress.parse("198.18.0.1"), 9, 80))
                .as("the listener's port cannot be a connection's source")
                .satisfies(e -> assertThat(((TcpException) e).error()).isEqualTo(TcpError.ADDRESS_IN_USE));
        h.closeListener(0, wildcard);
        h.listen(0, IpAddress.parse("198.18.0.2"), 80, 16);
    }
}
