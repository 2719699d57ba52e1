package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.tcp.Scripted.MS;
import static dev.jtcp.tcp.Scripted.RTT;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static dev.jtcp.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * TCP options in the engine: the MSS option and the effective send MSS (RFC 9293 §3.7.1), timestamps
 * with their echo rules, PAWS and RTT measurement (RFC 7323 §3–§5), and SACK-permitted (RFC 2018 §2).
 */
class OptionsTest {
    private static final IpAddress LOCAL6 = IpAddress.parse("fd00::2");
    private static final IpAddress REMOTE6 = IpAddress.parse("fd00::1");
    private static final TcpConfig TS = TcpConfig.builder().sack(false).windowScaling(false).build();

    private static List<Integer> sizesOfSending(ScriptedPeer p, TcpConnection c, int bytes) {
        c.noDelay(true);
        c.send(p.now(), Scripted.bytes(bytes));
        return Scripted.drain(p).stream().map(s -> s.payload().length).toList();
    }

    // ---- MSS ----

    @Test
    @Requirement({"MUST-14", "MUST-65", "MAY-3", "SHLD-5"})
    void sendsTheMssOptionOnSynsOnly() {
        ScriptedPeer p = Scripted.peer(TcpConfig.defaults());
        TcpConnection c = p.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        List<ScriptedPeer.Sent> sent = new ArrayList<>(List.of(p.next()));
        p.inject(seg(SYN | ACK).seq(IRS).ack(ISS + 1).mss(1460).ts(1, sent.getFirst().h()
                .option(TcpOption.Timestamps.class).tsVal()).sackOk().wscale(2));
        c.send(p.now(), Scripted.bytes(5000));
        c.close(p.now());
        p.advance(2_000 * MS);
        sent.addAll(Scripted.drain(p));
        assertThat(sent.getFirst().h().option(TcpOption.Mss.class)).isEqualTo(new TcpOption.Mss(1460));
        assertThat(sent.subList(1, sent.size())).hasSizeGreaterThan(5)
                .allMatch(s -> s.h().option(TcpOption.Mss.class) == null);

        ScriptedPeer q = Scripted.peer(TcpConfig.defaults());
        q.host.listen(0, 80, 8);
        q.inject(seg(SYN).seq(IRS));
        assertThat(q.next().h().option(TcpOption.Mss.class)).as("sent even to a peer that sent none")
                .isEqualTo(new TcpOption.Mss(1460));
    }

    @Test
    @Requirement({"MUST-67", "SHLD-6"})
    void derivesTheMssOptionFromTheMtu() {
        ScriptedPeer jumbo = Scripted.peer();
        jumbo.host.mtu(9000);
        jumbo.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        assertThat(jumbo.next().h().option(TcpOption.Mss.class).mss()).isEqualTo(9000 - 20 - 20);

        ScriptedPeer v6 = Scripted.peer();
        v6.host.addAddress("fd00::2/64");
        v6.host.connect(0, REMOTE6, ScriptedPeer.REMOTE_PORT, 80);
        assertThat(v6.next().h().option(TcpOption.Mss.class).mss()).isEqualTo(1500 - 40 - 20);
    }

    @Test
    @Requirement("MUST-15")
    void assumes536OverIpv4WhenThePeerSendsNoMss() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p, s -> s.mss(-1), UnaryOperator.identity());
        assertThat(c.status().peerMss()).isEqualTo(536);
        assertThat(sizesOfSending(p, c, 2000)).containsExactly(536, 536, 536, 392);
    }

    @Test
    @Requirement("MUST-15")
    void assumes1220OverIpv6WhenThePeerSendsNoMss() {
        ScriptedPeer p = Scripted.peer();
        p.host.addAddress("fd00::2/64");
        TcpListener l = p.host.listen(0, 80, 8);
        p.inject(seg(SYN).seq(IRS), REMOTE6, LOCAL6);
        ScriptedPeer.Sent synAck = p.next();
        assertThat(synAck.h().option(TcpOption.Mss.class).mss()).isEqualTo(1440);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1), REMOTE6, LOCAL6);
        TcpConnection c = l.accept();
        p.clearSent();
        assertThat(c.status().peerMss()).isEqualTo(1220);
        assertThat(sizesOfSending(p, c, 3000)).containsExactly(1220, 1220, 560);
    }

    @Test
    @Requirement({"MUST-16", "SHLD-6"})
    void effectiveSendMssAccountsForTimestampsAndOurOwnMtu() {
        ScriptedPeer ts = Scripted.peer(TS);
        TcpConnection c = Scripted.accept(ts, s -> s.ts(100, 0), UnaryOperator.identity());
        assertThat(c.status().timestamps()).isTrue();
        assertThat(c.status().effectiveSendMss()).as("1460 less the 12-byte timestamp option").isEqualTo(1448);
        assertThat(sizesOfSending(ts, c, 3000)).containsExactly(1448, 1448, 104);

        ScriptedPeer big = Scripted.peer();
        TcpConnection d = Scripted.accept(big, s -> s.mss(8960), UnaryOperator.identity());
        assertThat(d.status().effectiveSendMss()).as("bounded by our MMS_S").isEqualTo(1460);

        ScriptedPeer small = Scripted.peer();
        small.host.mtu(1280);
        TcpConnection e = Scripted.accept(small);
        assertThat(e.status().effectiveSendMss()).isEqualTo(1280 - 20 - 20);
        assertThat(small.pending()).isEmpty();
    }

    // ---- timestamps ----

    @Test
    void echoesTheTimestampOfTheSegmentThatAdvancedTheWindowLeftEdge() {
        ScriptedPeer p = Scripted.peer(TS);
        p.host.listen(0, 80, 8);
        p.inject(seg(SYN).seq(IRS).mss(1460).ts(100, 0));
        ScriptedPeer.Sent synAck = p.next();
        TcpOption.Timestamps synAckTs = synAck.h().option(TcpOption.Timestamps.class);
        assertThat(synAckTs.tsEcr()).isEqualTo(100);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).ts(1000, synAckTs.tsVal()));
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).ts(2000, synAckTs.tsVal()).data(100));
        p.advance(40 * MS);
        ScriptedPeer.Sent a1 = p.next();
        assertThat(a1.h().option(TcpOption.Timestamps.class).tsEcr()).isEqualTo(2000);
        // Out of order: TS.Recent does not move (RFC 7323 §4.3: only a segment covering Last.ACK.sent).
        p.inject(seg(ACK).seq(IRS + 201).ack(ISS + 1).ts(2500, synAckTs.tsVal()).data(100));
        ScriptedPeer.Sent a2 = p.next();
        assertThat(a2.h().option(TcpOption.Timestamps.class).tsEcr()).isEqualTo(2000);
        // The hole fills: echo the timestamp of the segment that filled it.
        p.inject(seg(ACK).seq(IRS + 101).ack(ISS + 1).ts(2600, synAckTs.tsVal()).data(100));
        ScriptedPeer.Sent a3 = p.next();
        assertThat(a3.ack()).isEqualTo(IRS + 301);
        assertThat(a3.h().option(TcpOption.Timestamps.class).tsEcr()).isEqualTo(2600);
        // Our TSval clock ticks once per millisecond (RFC 7323 §5.4).
        int v1 = a1.h().option(TcpOption.Timestamps.class).tsVal();
        int v3 = a3.h().option(TcpOption.Timestamps.class).tsVal();
        assertThat(v3 - v1).isEqualTo((int) ((a3.timeNs() - a1.timeNs()) / MS));
    }

    @Test
    void dropsASegmentWithAnOldTimestampAndAcknowledges() {
        ScriptedPeer p = Scripted.peer(TS);
        TcpConnection c = Scripted.accept(p, s -> s.ts(100, 0), UnaryOperator.identity());
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).ts(3000, 0).data(100));
        p.advance(40 * MS);
        p.clearSent();
        // PAWS (RFC 7323 §5.3): in-window new data, but TSval older than TS.Recent.
        p.inject(seg(ACK).seq(IRS + 101).ack(ISS + 1).ts(2999, 0).data(100));
        ScriptedPeer.Sent ack = p.next();
        assertThat(ack.ack()).isEqualTo(IRS + 101);
        assertThat(ack.h().option(TcpOption.Timestamps.class).tsEcr()).isEqualTo(3000);
        assertThat(c.readable()).isEqualTo(100);
        assertThat(p.host.drops().get(DropReason.TCP_PAWS)).isEqualTo(1);
        p.inject(seg(ACK).seq(IRS + 101).ack(ISS + 1).ts(3001, 0).data(100));
        assertThat(c.readable()).isEqualTo(200);
    }

    @Test
    void measuresRttFromEchoedTimestampsEvenForRetransmissions() {
        ScriptedPeer p = Scripted.peer(TS);
        TcpConnection c = Scripted.accept(p, s -> s.ts(100, 0), UnaryOperator.identity());
        assertThat(c.status().srttNs()).isEqualTo(RTT);
        c.send(p.now(), Scripted.bytes(100));
        int tsVal = p.next().h().option(TcpOption.Timestamps.class).tsVal();
        p.advance(50 * MS);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 101).ts(1100, tsVal));
        assertThat(c.status().srttNs()).isEqualTo((7 * RTT + 50 * MS) / 8);
        long srtt = c.status().srttNs();
        // A retransmission carries a fresh TSval; its echo times the retransmission alone (RFC 7323 §4).
        c.send(p.now(), Scripted.bytes(100));
        p.next();
        p.advance(c.status().rtoNs());
        int rtxTsVal = p.next().h().option(TcpOption.Timestamps.class).tsVal();
        p.advance(10 * MS);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 201).ts(1200, rtxTsVal));
        assertThat(c.status().srttNs()).isEqualTo((7 * srtt + 10 * MS) / 8);
    }

    @Test
    void usesTimestampsOnlyWhenBothSynsCarryThem() {
        ScriptedPeer p = Scripted.peer(TS);
        TcpConnection c = Scripted.accept(p);
        assertThat(c.status().timestamps()).isFalse();
        c.send(p.now(), Scripted.bytes(100));
        assertThat(p.next().h().options()).isEmpty();

        ScriptedPeer a = Scripted.peer(TS);
        TcpConnection d = a.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        assertThat(a.next().h().option(TcpOption.Timestamps.class)).isNotNull();
        a.inject(seg(SYN | ACK).seq(IRS).ack(ISS + 1).mss(1460));
        assertThat(d.status().timestamps()).isFalse();
        assertThat(a.next().h().options()).isEmpty();
    }

    // ---- SACK-permitted ----

    @Test
    void negotiatesSackPermittedOnlyWhenBothSidesOfferIt() {
        TcpConfig sack = Scripted.PLAIN.toBuilder().sack(true).build();
        ScriptedPeer offered = Scripted.peer(sack);
        offered.host.listen(0, 80, 8);
        offered.inject(seg(SYN).seq(IRS).mss(1460).sackOk());
        assertThat(offered.next().h().option(TcpOption.SackPermitted.class)).isNotNull();

        ScriptedPeer notOffered = Scripted.peer(sack);
        notOffered.host.listen(0, 80, 8);
        notOffered.inject(seg(SYN).seq(IRS).mss(1460));
        assertThat(notOffered.next().h().option(TcpOption.SackPermitted.class)).isNull();

        ScriptedPeer off = Scripted.peer(Scripted.PLAIN);
        off.host.listen(0, 80, 8);
        off.inject(seg(SYN).seq(IRS).mss(1460).sackOk());
        assertThat(off.next().h().option(TcpOption.SackPermitted.class)).as("not configured").isNull();

        ScriptedPeer active = Scripted.peer(sack);
        TcpConnection c = active.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        assertThat(active.next().h().option(TcpOption.SackPermitted.class)).isNotNull();
        active.inject(seg(SYN | ACK).seq(IRS).ack(ISS + 1).mss(1460));
        assertThat(c.status().sackPermitted()).isFalse();
    }
}
