package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.tcp.Scripted.MS;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static dev.jtcp.wire.TcpFlags.FIN;
import static dev.jtcp.wire.TcpFlags.RST;
import static dev.jtcp.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.event.TcpState;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Opening (RFC 9293 §3.5, §3.9.1.1, §3.9.2.3, §3.10.1, §3.10.7.2–3): simultaneous open, where
 * SYN-RECEIVED returns to on a RST, listeners beside other connections, refused and discarded
 * addresses, and data carried by the handshake's segments.
 */
class OpeningTest {
    private static final IpAddress LOCAL_B = IpAddress.parse("198.18.0.3");

    private static String text(TcpConnection c, long nowNs) {
        return new String(Scripted.readAll(c, nowNs), StandardCharsets.US_ASCII);
    }

    @Test
    @Requirement({"MUST-10", "MUST-11"})
    void simultaneousOpenExchangesCrossingSynsAndSynAcks() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = p.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        assertThat(p.next().seq()).isEqualTo(ISS);
        p.inject(seg(SYN).seq(IRS).mss(1460));
        ScriptedPeer.Sent synAck = p.next();
        assertThat(synAck.is(SYN | ACK)).as("%s", synAck).isTrue();
        assertThat(synAck.seq()).as("%s", synAck).isEqualTo(ISS);
        assertThat(synAck.ack()).as("%s", synAck).isEqualTo(IRS + 1);
        assertThat(c.state()).isEqualTo(TcpState.SYN_RECEIVED);
        assertThat(c.isPassiveOpen()).isFalse();
        p.inject(seg(SYN | ACK).seq(IRS).ack(ISS + 1).mss(1460));
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        p.expectNothingSent();
        c.send(p.now(), Scripted.bytes(10));
        ScriptedPeer.Sent data = p.next();
        assertThat(data.seq()).as("%s", data).isEqualTo(ISS + 1);
        assertThat(data.ack()).as("%s", data).isEqualTo(IRS + 1);
    }

    @Test
    @Requirement({"MUST-11", "MUST-12"})
    void rstInSynReceivedReturnsToWhereTheOpenCameFrom() {
        ScriptedPeer active = Scripted.peer();
        TcpConnection c = active.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        active.inject(seg(SYN).seq(IRS).mss(1460));
        assertThat(c.state()).isEqualTo(TcpState.SYN_RECEIVED);
        active.inject(seg(RST).seq(IRS + 1));
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).as("from an active OPEN: refused").isEqualTo(TcpError.REFUSED);

        ScriptedPeer passive = Scripted.peer();
        TcpListener l = passive.host.listen(0, 80, 8);
        passive.inject(seg(SYN).seq(IRS).mss(1460));
        passive.inject(seg(RST).seq(IRS + 1));
        assertThat(l.state()).isEqualTo(TcpState.LISTEN);
        assertThat(l.synQueueLength()).isZero();
        assertThat(passive.host.connectionCount()).isZero();
        passive.clearSent();
        passive.inject(seg(SYN).seq(IRS + 7).mss(1460));
        assertThat(passive.next().is(SYN | ACK)).as("still listening").isTrue();
    }

    @Test
    @Requirement({"MUST-41", "MUST-42"})
    void listenersOnTheSamePortWithDifferentAddressesEachGetTheirOwnSyns() {
        ScriptedPeer p = Scripted.peer();
        p.host.addAddress("198.18.0.3/24");
        TcpListener a = p.host.listen(0, ScriptedPeer.LOCAL, 80, 8);
        TcpListener b = p.host.listen(0, LOCAL_B, 80, 8);
        p.inject(seg(SYN).seq(IRS).mss(1460), ScriptedPeer.REMOTE, LOCAL_B);
        assertThat(List.of(a.synQueueLength(), b.synQueueLength())).containsExactly(0, 1);
        p.inject(seg(SYN).seq(IRS).mss(1460).ports(40001, 80), ScriptedPeer.REMOTE, ScriptedPeer.LOCAL);
        assertThat(List.of(a.synQueueLength(), b.synQueueLength())).containsExactly(1, 1);
        assertThat(p.host.connections()).extracting(c -> c.key().localAddress())
                .containsExactlyInAnyOrder(LOCAL_B, ScriptedPeer.LOCAL);
        assertThatThrownBy(() -> p.host.listen(0, LOCAL_B, 80, 8)).isInstanceOf(TcpException.class)
                .extracting(e -> ((TcpException) e).error()).isEqualTo(TcpError.ADDRESS_IN_USE);
        assertThat(b.state()).isEqualTo(TcpState.LISTEN);
        assertThat(b.synQueueLength()).isEqualTo(1);
    }

    @Test
    @Requirement({"MUST-41", "MUST-42"})
    void listeningOnAPortDoesNotDisturbConnectionsAlreadyUsingIt() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection opening = p.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        p.clearSent();
        TcpListener l = p.host.listen(0, 80, 8);
        assertThat(opening.state()).isEqualTo(TcpState.SYN_SENT);
        // A SYN from another remote port is the listener's; the SYN,ACK for port 40000 is still the connection's.
        p.inject(seg(SYN).seq(IRS).mss(1460).ports(40001, 80));
        assertThat(l.synQueueLength()).isEqualTo(1);
        p.inject(seg(SYN | ACK).seq(IRS).ack(ISS + 1).mss(1460));
        assertThat(opening.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(l.synQueueLength()).isEqualTo(1);
        assertThat(p.host.connectionCount()).isEqualTo(2);
    }

    @Test
    @Requirement({"MUST-44", "MUST-45"})
    void choosesTheSourceAddressBeforeTheSynAndKeepsUsingIt() {
        ScriptedPeer p = Scripted.peer();
        p.host.addAddress("10.0.0.2/8");
        IpAddress mine = IpAddress.parse("10.0.0.2");
        IpAddress far = IpAddress.parse("10.1.2.3");
        List<IpAddress> sources = new ArrayList<>();
        IpPacket ip = new IpPacket();
        p.host.attach(pkt -> {
            ip.wrap(pkt, pkt.position(), pkt.remaining()).check();
            sources.add(ip.src());
        });
        TcpConnection c = p.host.connect(0, far, 80, 5555);
        assertThat(c.key().localAddress()).as("the address on the peer's subnet").isEqualTo(mine);
        p.inject(seg(SYN | ACK).seq(IRS).ack(ISS + 1).mss(1460).ports(80, 5555), far, mine);
        c.send(p.now(), Scripted.bytes(10));
        c.close(p.now());
        assertThat(sources).as("SYN, ACK, data, FIN").hasSize(4).containsOnly(mine);
        assertThat(p.host.connect(0, ScriptedPeer.REMOTE, 80, 5556).key().localAddress())
                .isEqualTo(ScriptedPeer.LOCAL);
        // A wildcard listener answers from the address the SYN was sent to.
        sources.clear();
        p.host.listen(0, 443, 8);
        p.inject(seg(SYN).seq(IRS).mss(1460).ports(40000, 443), far, mine);
        assertThat(sources).containsExactly(mine);
    }

    @Test
    @Requirement("MUST-46")
    void refusesToOpenToBroadcastOrMulticastAddresses() {
        ScriptedPeer p = Scripted.peer();
        p.host.addAddress("fd00::2/64");
        for (String bad : List.of("224.0.0.1", "239.1.2.3", "255.255.255.255", "198.18.0.255", "0.0.0.0", "ff02::1")) {
            assertThatThrownBy(() -> p.host.connect(0, IpAddress.parse(bad), 80)).as(bad)
                    .isInstanceOf(TcpException.class)
                    .extracting(e -> ((TcpException) e).error()).isEqualTo(TcpError.BAD_ADDRESS);
        }
        p.expectNothingSent();
        assertThat(p.host.connectionCount()).isZero();
    }

    @Test
    @Requirement("MUST-57")
    void silentlyDiscardsSegmentsToBroadcastOrMulticastAddresses() {
        ScriptedPeer p = Scripted.peer();
        p.host.listen(0, 80, 8);
        for (String dst : List.of("198.18.0.255", "224.0.0.1", "255.255.255.255")) {
            p.inject(seg(SYN).seq(IRS).mss(1460), ScriptedPeer.REMOTE, IpAddress.parse(dst));
        }
        p.expectNothingSent();
        assertThat(p.host.connectionCount()).isZero();
        assertThat(p.host.drops().get(DropReason.IP_BROADCAST_OR_MULTICAST)).isEqualTo(3);
    }

    @Test
    @Requirement("MUST-63")
    void ignoresSynsFromInvalidSourceAddresses() {
        ScriptedPeer p = Scripted.peer();
        p.host.addAddress("fd00::2/64");
        p.host.listen(0, 80, 8);
        List<String> sources = List.of("224.0.0.5", "255.255.255.255", "0.0.0.0", "198.18.0.255");
        for (String src : sources) {
            p.inject(seg(SYN).seq(IRS).mss(1460), IpAddress.parse(src), ScriptedPeer.LOCAL);
        }
        p.inject(seg(SYN).seq(IRS).mss(1460), IpAddress.parse("ff02::1"), IpAddress.parse("fd00::2"));
        p.expectNothingSent();
        assertThat(p.host.connectionCount()).isZero();
        assertThat(p.host.drops().get(DropReason.IP_BAD_SOURCE)).isEqualTo(sources.size() + 1);
    }

    @Test
    void deliversDataCarriedOnTheHandshakesThirdSegment() {
        ScriptedPeer p = Scripted.peer();
        TcpListener l = p.host.listen(0, 80, 8);
        p.inject(seg(SYN).seq(IRS).mss(1460));
        p.clearSent();
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).data("hello"));
        TcpConnection c = l.accept();
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(text(c, p.now())).isEqualTo("hello");
        p.advance(40 * MS);
        assertThat(p.next().ack()).isEqualTo(IRS + 6);
    }

    @Test
    void holdsDataCarriedOnASynUntilEstablished() {
        ScriptedPeer p = Scripted.peer();
        TcpListener l = p.host.listen(0, 80, 8);
        p.inject(seg(SYN).seq(IRS).mss(1460).data("hello"));
        ScriptedPeer.Sent synAck = p.next();
        assertThat(synAck.ack()).as("the data is queued, not yet acknowledged").isEqualTo(IRS + 1);
        TcpConnection child = p.host.connections().getFirst();
        assertThat(child.state()).isEqualTo(TcpState.SYN_RECEIVED);
        assertThat(child.readable()).isZero();
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        TcpConnection c = l.accept();
        assertThat(c).isSameAs(child);
        assertThat(text(c, p.now())).isEqualTo("hello");
        p.advance(40 * MS);
        assertThat(p.next().ack()).isEqualTo(IRS + 6);
    }

    @Test
    void dataOnASynRetransmittedOnTheThirdSegmentIsDeliveredOnce() {
        ScriptedPeer p = Scripted.peer();
        TcpListener l = p.host.listen(0, 80, 8);
        p.inject(seg(SYN).seq(IRS).mss(1460).data("hello"));
        p.clearSent();
        // The SYN,ACK acknowledged only the SYN, so the peer sends the data again with its ACK.
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).data("hello world"));
        TcpConnection c = l.accept();
        assertThat(text(c, p.now())).isEqualTo("hello world");
        p.advance(40 * MS);
        assertThat(p.next().ack()).isEqualTo(IRS + 12);
    }

    @Test
    void synCarryingDataAndFinCloses() {
        ScriptedPeer p = Scripted.peer();
        TcpListener l = p.host.listen(0, 80, 8);
        p.inject(seg(SYN | FIN).seq(IRS).mss(1460).data("bye"));
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        TcpConnection c = l.accept();
        assertThat(c.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(text(c, p.now())).isEqualTo("bye");
        assertThat(c.isEndOfStream()).isTrue();
    }

    @Test
    void sendsDataQueuedInSynSentOnceEstablished() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = p.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        p.clearSent();
        assertThat(c.send(0, Scripted.bytes(100))).isEqualTo(100);
        p.expectNothingSent();
        p.inject(seg(SYN | ACK).seq(IRS).ack(ISS + 1).mss(1460));
        ScriptedPeer.Sent data = p.next();
        assertThat(data.seq()).as("%s", data).isEqualTo(ISS + 1);
        assertThat(data.ack()).as("%s", data).isEqualTo(IRS + 1);
        assertThat(data.payload().length).as("%s", data).isEqualTo(100);
        p.expectNothingSent();
    }

    @Test
    void deliversDataCarriedOnTheSynAck() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = p.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        p.clearSent();
        p.inject(seg(SYN | ACK).seq(IRS).ack(ISS + 1).mss(1460).data("hi"));
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(text(c, p.now())).isEqualTo("hi");
        assertThat(p.next().ack()).isEqualTo(IRS + 3);
    }
}
