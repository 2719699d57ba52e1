package dev.jtcp.stack;

import static dev.jtcp.testutil.TwoHosts.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.testutil.TwoHosts;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IcmpPacket;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.PacketWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UDP in the host: bound ports, ICMP port unreachable, and datagrams for the forwarder. */
class HostUdpTest {
    /** One received datagram. */
    private record Got(IpAddress src, int srcPort, IpAddress dst, int dstPort, String text) {}

    private static UdpReceiver into(List<Got> got) {
        return (now, src, sp, dst, dp, buf, off, len) -> {
            byte[] b = new byte[len];
            buf.get(off, b);
            got.add(new Got(src, sp, dst, dp, new String(b, StandardCharsets.US_ASCII)));
        };
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void datagramsReachTheBoundPortAndRepliesComeBackInBothFamilies() {
        TwoHosts t = new TwoHosts(1);
        for (IpAddress server : List.of(TwoHosts.SERVER, TwoHosts.SERVER6)) {
            List<Got> atServer = new ArrayList<>();
            List<Got> atClient = new ArrayList<>();
            UdpReceiver receiver = into(atServer);
            t.server.bindUdp(IpAddress.ANY_V4, 5353, receiver);
            int port = t.client.bindUdp(IpAddress.ANY_V4, 0, into(atClient));
            assertThat(port).isBetween(Host.EPHEMERAL_LOW, Host.EPHEMERAL_HIGH);
            t.client.sendUdp(t.now(), null, port, server, 5353, text("ping"));
            t.runFor(50 * MS);
            assertThat(atServer).hasSize(1);
            Got g = atServer.getFirst();
            assertThat(g.text()).isEqualTo("ping");
            assertThat(g.dst()).isEqualTo(server);
            t.server.sendUdp(t.now(), g.dst(), 5353, g.src(), g.srcPort(), text("pong"));
            t.runFor(50 * MS);
            assertThat(atClient).containsExactly(new Got(server, 5353, g.src(), port, "pong"));
            assertThat(t.server.drops().total()).isZero();
            t.server.unbindUdp(5353, into(atServer));
            assertThatThrownBy(() -> t.server.bindUdp(IpAddress.ANY_V4, 5353, into(atServer)))
                    .as("only the holder unbinds").isInstanceOf(TcpException.class);
            t.server.unbindUdp(5353, receiver);
        }
    }

    @Test
    void aClosedPortAnswersWithIcmpPortUnreachable() {
        RawPackets.Capture link = new RawPackets.Capture();
        Host h = new Host("h", dev.jtcp.tcp.TcpConfig.defaults(), new java.util.SplittableRandom(1))
                .addAddress("198.18.0.2/24").addAddress("fd00::2/64").attach(link);
        h.onPacket(0, udp("198.18.0.1", "198.18.0.2", 9, "x"));
        assertThat(RawPackets.icmpHeader(link.last())).containsExactly(IcmpPacket.V4_DEST_UNREACHABLE,
                IcmpPacket.V4_CODE_PORT_UNREACHABLE, 0);
        h.onPacket(0, udp("fd00::1", "fd00::2", 9, "x"));
        assertThat(RawPackets.icmpHeader(link.last())).containsExactly(IcmpPacket.V6_DEST_UNREACHABLE,
                IcmpPacket.V6_CODE_PORT_UNREACHABLE, 0);
        assertThat(h.drops().get(DropReason.UDP_NO_SOCKET)).isEqualTo(2);
        int sent = link.packets.size();
        h.onPacket(0, udp("0.0.0.0", "198.18.0.2", 9, "x"));
        assertThat(link.packets).as("never to an unusable source").hasSize(sent);
    }

    @Test
    void aClientOnTheSameHostSeesPortUnreachableAsASoftErrorFreeDrop() {
        TwoHosts t = new TwoHosts(1);
        int port = t.client.bindUdp(IpAddress.ANY_V4, 0, (n, s, sp, d, dp, b, o, l) -> {});
        t.client.sendUdp(t.now(), null, port, TwoHosts.SERVER, 9, text("x"));
        t.runFor(50 * MS);
        assertThat(t.server.drops().get(DropReason.UDP_NO_SOCKET)).isEqualTo(1);
    }

    @Test
    void bindingRules() {
        TwoHosts t = new TwoHosts(1);
        t.server.bindUdp(IpAddress.ANY_V4, 53, (n, s, sp, d, dp, b, o, l) -> {});
        assertThatThrownBy(() -> t.server.bindUdp(IpAddress.ANY_V4, 53, (n, s, sp, d, dp, b, o, l) -> {}))
                .isInstanceOfSatisfying(TcpException.class, e -> assertThat(e.error()).isEqualTo(TcpError.ADDRESS_IN_USE));
        assertThatThrownBy(() -> t.server.bindUdp(IpAddress.parse("198.19.0.1"), 54, (n, s, sp, d, dp, b, o, l) -> {}))
                .isInstanceOfSatisfying(TcpException.class, e -> assertThat(e.error()).isEqualTo(TcpError.BAD_ADDRESS));
        assertThatThrownBy(() -> t.server.sendUdp(t.now(), null, 53, TwoHosts.CLIENT, 9, ByteBuffer.allocate(1473)))
                .isInstanceOf(TcpException.class).hasMessageContaining("path MTU");
    }

    @Test
    void theForwarderGetsDatagramsForOtherAddressesAndRepliesFromThem() {
        TwoHosts t = new TwoHosts(1);
        IpAddress elsewhere = IpAddress.parse("198.19.0.53");
        List<Got> forwarded = new ArrayList<>();
        t.server.acceptAnyAddress(new AnyAddressAcceptor() {
            @Override
            public Verdict onSyn(long nowNs, ConnectionKey flow) {
                return Verdict.REFUSE;
            }

            @Override
            public void onAccepted(TcpConnection connection) {
            }

            @Override
            public boolean onDatagram(long nowNs, IpAddress dst, int dstPort, IpAddress src, int srcPort,
                                      ByteBuffer buf, int offset, int length) {
                byte[] b = new byte[length];
                buf.get(offset, b);
                forwarded.add(new Got(src, srcPort, dst, dstPort, new String(b, StandardCharsets.US_ASCII)));
                return true;
            }
        }, 16);
        List<Got> atClient = new ArrayList<>();
        int port = t.client.bindUdp(IpAddress.ANY_V4, 0, into(atClient));
        t.client.sendUdp(t.now(), null, port, elsewhere, 53, text("query"));
        t.runFor(50 * MS);
        assertThat(forwarded).containsExactly(new Got(TwoHosts.CLIENT, port, elsewhere, 53, "query"));
        t.server.sendUdp(t.now(), elsewhere, 53, TwoHosts.CLIENT, port, text("answer"));
        t.runFor(50 * MS);
        assertThat(atClient).containsExactly(new Got(elsewhere, 53, TwoHosts.CLIENT, port, "answer"));
    }

    @Test
    void udpSessionsEndOnTheTimerWheelAfterTheIdleTimeAndAreBounded() {
        TwoHosts t = new TwoHosts(1);
        IpAddress elsewhere = IpAddress.parse("198.19.0.53");
        List<String> events = new ArrayList<>();
        List<Long> endedAt = new ArrayList<>();
        t.server.acceptAnyAddress(new AnyAddressAcceptor() {
            @Override
            public Verdict onSyn(long nowNs, ConnectionKey flow) {
                return Verdict.REFUSE;
            }

            @Override
            public void onAccepted(TcpConnection connection) {
            }

            @Override
            public boolean onDatagram(long nowNs, IpAddress dst, int dstPort, IpAddress src, int srcPort,
                                      ByteBuffer buf, int offset, int length) {
                events.add("datagram to " + dstPort);
                return true;
            }

            @Override
            public void onUdpSessionEnded(long nowNs, ConnectionKey session) {
                events.add("ended " + session.localPort());
                endedAt.add(nowNs);
            }
        }, 16, 2, 10_000_000_000L);
        int port = t.client.bindUdp(IpAddress.ANY_V4, 0, (n, s, sp, d, dp, b, o, l) -> {});
        long start = t.now();
        t.client.sendUdp(t.now(), null, port, elsewhere, 53, text("a"));
        t.client.sendUdp(t.now(), null, port, elsewhere, 54, text("b"));
        t.client.sendUdp(t.now(), null, port, elsewhere, 55, text("over the limit"));
        t.runFor(50 * MS);
        assertThat(events).containsExactly("datagram to 53", "datagram to 54");
        assertThat(t.server.udpSessionCount()).isEqualTo(2);
        assertThat(t.server.drops().get(DropReason.FORWARD_LIMIT)).isEqualTo(1);
        // Replies from 53 every 6 s keep its session alive; 54 stays silent and ends after 10 s.
        for (int i = 0; i < 3; i++) {
            t.runFor(6_000 * MS);
            t.server.sendUdp(t.now(), elsewhere, 53, TwoHosts.CLIENT, port, text("reply"));
        }
        assertThat(events).contains("ended 54").doesNotContain("ended 53");
        assertThat(endedAt.getFirst() - start).as("ten seconds after its one datagram")
                .isBetween(10_000 * MS, 10_100 * MS);
        t.runFor(11_000 * MS);
        assertThat(events.getLast()).isEqualTo("ended 53");
        assertThat(t.server.udpSessionCount()).isZero();
        // A new datagram opens a new session; the forwarder may also end one early.
        t.client.sendUdp(t.now(), null, port, elsewhere, 55, text("c"));
        t.runFor(50 * MS);
        assertThat(t.server.udpSessionCount()).isEqualTo(1);
        assertThat(t.server.endUdpSession(new ConnectionKey(elsewhere, 55, TwoHosts.CLIENT, port))).isTrue();
        assertThat(t.server.udpSessionCount()).isZero();
        int endedBefore = (int) events.stream().filter(e -> e.startsWith("ended")).count();
        t.runFor(20_000 * MS);
        assertThat(events.stream().filter(e -> e.startsWith("ended"))).as("no expiry after an early end")
                .hasSize(endedBefore);
    }

    /** A UDP datagram written by the host's own writer. */
    private static ByteBuffer udp(String src, String dst, int dstPort, String text) {
        ByteBuffer b = ByteBuffer.allocate(200);
        ByteBuffer data = text(text);
        int n = new PacketWriter().writeUdp(b, 0, IpAddress.parse(src), IpAddress.parse(dst), 64, 0, 4000, dstPort,
                data, 0, data.remaining());
        return b.limit(n);
    }
}
