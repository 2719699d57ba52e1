package dev.jtcp.tcp;

import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.testutil.TwoHosts.MS;
import static dev.jtcp.testutil.TwoHosts.S;
import static dev.jtcp.wire.TcpFlags.ACK;
import static dev.jtcp.wire.TcpFlags.FIN;
import static dev.jtcp.wire.TcpFlags.RST;
import static dev.jtcp.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.testutil.TwoHosts;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The connection-management figures of RFC 9293 §3.5 and §3.6, one test each, with the figures'
 * own sequence numbers. Where a figure needs a segment the network delayed or duplicated, the peer
 * that sends it is scripted and the other end is the real engine; otherwise both ends are real.
 */
class RfcFiguresTest {
    private static final TcpConfig PLAIN = TcpConfig.builder().timestamps(false).sack(false).windowScaling(false).build();

    private static TwoHosts twoHosts(int clientIsn, int serverIsn) {
        Impairments tenMs = Impairments.builder().delayNs(10 * MS).build();
        TwoHosts t = new TwoHosts(1, PLAIN, tenMs);
        TwoHosts.fixIsns(t.client, clientIsn);
        TwoHosts.fixIsns(t.server, serverIsn);
        return t;
    }

    @Test
    @Requirement("MUST-13")
    void figure6BasicThreeWayHandshake() {
        TwoHosts t = twoHosts(100, 300);
        TcpListener l = t.server.listen(0, 80, 8);
        TcpConnection a = t.client.connect(0, TwoHosts.SERVER, 80);
        t.runFor(25 * MS);
        a.send(t.now(), ByteBuffer.wrap(new byte[10]));
        t.runFor(100 * MS);
        assertThat(t.wire()).startsWith(
                "client [S] 100",
                "server [S.] 300 ack 101",
                "client [.] 101 ack 301",
                "client [.] 101 ack 301 len 10");
        assertThat(t.transitions("client")).containsExactly("CLOSED->SYN-SENT", "SYN-SENT->ESTABLISHED");
        assertThat(t.transitions("server")).containsExactly("LISTEN->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED");
        assertThat(l.accept().state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    @Requirement({"MUST-10", "MUST-11"})
    void figure7SimultaneousConnectionSynchronization() {
        TwoHosts t = twoHosts(100, 300);
        TcpConnection a = t.client.connect(0, TwoHosts.SERVER, 6000, 5000);
        TcpConnection b = t.server.connect(0, TwoHosts.CLIENT, 5000, 6000);
        t.runFor(100 * MS);
        assertThat(a.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(b.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(a.isPassiveOpen()).isFalse();
        // The SYNs cross, then the SYN,ACKs cross: within each crossing the order is immaterial.
        assertThat(t.wire().subList(0, 2)).containsExactlyInAnyOrder("client [S] 100", "server [S] 300");
        assertThat(t.wire().subList(2, 4)).containsExactlyInAnyOrder("client [S.] 100 ack 301", "server [S.] 300 ack 101");
        assertThat(t.wire()).hasSize(4);
        assertThat(t.transitions("client")).containsExactly("CLOSED->SYN-SENT", "SYN-SENT->SYN-RECEIVED",
                "SYN-RECEIVED->ESTABLISHED");
        assertThat(t.transitions("server")).containsExactly("CLOSED->SYN-SENT", "SYN-SENT->SYN-RECEIVED",
                "SYN-RECEIVED->ESTABLISHED");
    }

    @Test
    void figure8RecoveryFromOldDuplicateSynAtTheActiveSide() {
        // Peer A is real and in SYN-SENT with ISS 100; the SYN,ACK answers an old SYN (seq 90).
        ScriptedPeer a = new ScriptedPeer(PLAIN, 100);
        TcpConnection c = a.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        assertThat(a.next()).matches(s -> s.is(SYN) && s.seq() == 100);
        a.inject(seg(SYN | ACK).seq(300).ack(91));
        ScriptedPeer.Sent rst = a.next();
        assertThat(rst.is(RST)).isTrue();
        assertThat(rst.seq()).isEqualTo(91);
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        a.inject(seg(SYN | ACK).seq(400).ack(101));
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        ScriptedPeer.Sent ack = a.next();
        assertThat(ack.is(ACK)).as("%s", ack).isTrue();
        assertThat(ack.seq()).as("%s", ack).isEqualTo(101);
        assertThat(ack.ack()).as("%s", ack).isEqualTo(401);
    }

    @Test
    @Requirement("MUST-11")
    void figure8RecoveryFromOldDuplicateSynAtThePassiveSide() {
        // Peer B is real and listening; A is scripted: an old SYN (90), its RST, then the real SYN (100).
        ScriptedPeer b = new ScriptedPeer(PLAIN, 300, 400);
        TcpListener l = b.host.listen(0, 80, 8);
        b.inject(seg(SYN).seq(90));
        ScriptedPeer.Sent synAck = b.next();
        assertThat(synAck.is(SYN | ACK)).as("%s", synAck).isTrue();
        assertThat(synAck.seq()).as("%s", synAck).isEqualTo(300);
        assertThat(synAck.ack()).as("%s", synAck).isEqualTo(91);
        assertThat(l.synQueueLength()).isEqualTo(1);
        b.inject(seg(RST).seq(91));
        assertThat(l.synQueueLength()).as("back to LISTEN").isZero();
        assertThat(b.host.connectionCount()).isZero();
        assertThat(b.events).anyMatch(e -> e instanceof dev.jtcp.event.TraceEvent.StateEvent s
                && s.from() == TcpState.SYN_RECEIVED && s.to() == TcpState.LISTEN);
        b.inject(seg(SYN).seq(100));
        ScriptedPeer.Sent second = b.next();
        assertThat(second.is(SYN | ACK)).as("%s", second).isTrue();
        assertThat(second.seq()).as("%s", second).isEqualTo(400);
        assertThat(second.ack()).as("%s", second).isEqualTo(101);
        b.inject(seg(ACK).seq(101).ack(401));
        assertThat(l.accept().state()).isEqualTo(TcpState.ESTABLISHED);
        b.expectNothingSent();
    }

    /** B ESTABLISHED having sent up to 300 and received up to 100 (RCV.NXT 100, SND.NXT 300). */
    private static TcpConnection establishedAt(ScriptedPeer b) {
        TcpListener l = b.host.listen(0, 80, 8);
        b.inject(seg(SYN).seq(99));
        b.next();
        b.inject(seg(ACK).seq(100).ack(300));
        return l.accept();
    }

    @Test
    @Requirement("MUST-12")
    void figure9HalfOpenConnectionDiscoveryAtTheSurvivor() {
        ScriptedPeer b = new ScriptedPeer(PLAIN, 299);
        TcpConnection c = establishedAt(b);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        // A rebooted and sends a new SYN; B, synchronized, answers with what it expects (ACK 100).
        b.inject(seg(SYN).seq(400));
        ScriptedPeer.Sent ack = b.next();
        assertThat(ack.is(ACK)).as("%s", ack).isTrue();
        assertThat(ack.seq()).as("%s", ack).isEqualTo(300);
        assertThat(ack.ack()).as("%s", ack).isEqualTo(100);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        // A's RST carries SEQ = that ACK, exactly RCV.NXT: B aborts and says why.
        b.inject(seg(RST).seq(100));
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).isEqualTo(TcpError.RESET);
    }

    @Test
    void figure9HalfOpenConnectionDiscoveryAtTheRebootedSide() {
        ScriptedPeer a = new ScriptedPeer(PLAIN, 400);
        TcpConnection c = a.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        assertThat(a.next().seq()).isEqualTo(400);
        a.inject(seg(ACK).seq(300).ack(100));
        ScriptedPeer.Sent rst = a.next();
        assertThat(rst.is(RST)).as("%s", rst).isTrue();
        assertThat(rst.seq()).as("%s", rst).isEqualTo(100);
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        // Line 7: A keeps trying; its SYN is retransmitted on the RTO.
        a.advance(1100 * MS);
        ScriptedPeer.Sent again = a.next();
        assertThat(again.is(SYN)).as("%s", again).isTrue();
        assertThat(again.seq()).as("%s", again).isEqualTo(400);
    }

    @Test
    void figure10ActiveSideCausesHalfOpenDiscovery() {
        // A has no connection: data for it draws RST with SEQ = SEG.ACK (§3.10.7.1).
        ScriptedPeer a = new ScriptedPeer(PLAIN);
        a.inject(seg(ACK).seq(300).ack(100).data(10));
        ScriptedPeer.Sent rst = a.next();
        assertThat(rst.is(RST)).as("%s", rst).isTrue();
        assertThat(rst.seq()).as("%s", rst).isEqualTo(100);
        // B, ESTABLISHED with RCV.NXT 100, accepts that RST and aborts.
        ScriptedPeer b = new ScriptedPeer(PLAIN, 299);
        TcpConnection c = establishedAt(b);
        b.inject(seg(RST).seq(100));
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).isEqualTo(TcpError.RESET);
    }

    @Test
    @Requirement("MUST-11")
    void figure11OldDuplicateSynResetsTwoPassiveSockets() {
        int z = 5000;
        int x = 7000;
        ScriptedPeer b = new ScriptedPeer(PLAIN, x);
        TcpListener lb = b.host.listen(0, 80, 8);
        b.inject(seg(SYN).seq(z));
        ScriptedPeer.Sent synAck = b.next();
        assertThat(synAck.is(SYN | ACK)).as("%s", synAck).isTrue();
        assertThat(synAck.seq()).as("%s", synAck).isEqualTo(x);
        assertThat(synAck.ack()).as("%s", synAck).isEqualTo(z + 1);
        // A, also only listening, gets that SYN,ACK: "any acknowledgment is bad" in LISTEN.
        ScriptedPeer a = new ScriptedPeer(PLAIN);
        TcpListener la = a.host.listen(0, 80, 8);
        a.inject(seg(SYN | ACK).seq(x).ack(z + 1));
        ScriptedPeer.Sent rst = a.next();
        assertThat(rst.is(RST)).as("%s", rst).isTrue();
        assertThat(rst.seq()).as("%s", rst).isEqualTo(z + 1);
        assertThat(la.state()).isEqualTo(TcpState.LISTEN);
        // B takes the RST and returns to LISTEN.
        b.inject(seg(RST).seq(z + 1));
        assertThat(lb.synQueueLength()).isZero();
        assertThat(lb.state()).isEqualTo(TcpState.LISTEN);
        assertThat(b.host.connectionCount()).isZero();
    }

    @Test
    @Requirement({"MUST-12", "MUST-13"})
    void figure12NormalCloseSequence() {
        TwoHosts t = twoHosts(99, 299);
        TcpListener l = t.server.listen(0, 80, 8);
        TcpConnection a = t.client.connect(0, TwoHosts.SERVER, 80);
        t.runFor(50 * MS);
        TcpConnection b = l.accept();
        t.events.clear();
        a.close(t.now());
        t.runFor(50 * MS);
        assertThat(a.state()).isEqualTo(TcpState.FIN_WAIT_2);
        assertThat(b.state()).isEqualTo(TcpState.CLOSE_WAIT);
        b.close(t.now());
        t.runFor(50 * MS);
        assertThat(t.wire()).containsExactly(
                "client [F.] 100 ack 300",
                "server [.] 300 ack 101",
                "server [F.] 300 ack 101",
                "client [.] 101 ack 301");
        assertThat(b.state()).isEqualTo(TcpState.CLOSED);
        assertThat(b.error()).as("closed normally, not aborted").isNull();
        assertThat(a.state()).isEqualTo(TcpState.TIME_WAIT);
        t.runFor(2 * 60 * S - 100 * MS);
        assertThat(t.client.timeWaitCount()).as("still in TIME-WAIT just before 2MSL").isEqualTo(1);
        t.runFor(200 * MS);
        assertThat(a.state()).isEqualTo(TcpState.CLOSED);
        assertThat(t.transitions("client")).containsExactly("ESTABLISHED->FIN-WAIT-1", "FIN-WAIT-1->FIN-WAIT-2",
                "FIN-WAIT-2->TIME-WAIT", "TIME-WAIT->CLOSED");
        assertThat(t.transitions("server")).containsExactly("ESTABLISHED->CLOSE-WAIT", "CLOSE-WAIT->LAST-ACK",
                "LAST-ACK->CLOSED");
    }

    @Test
    @Requirement("MUST-13")
    void figure13SimultaneousCloseSequence() {
        TwoHosts t = twoHosts(99, 299);
        TcpListener l = t.server.listen(0, 80, 8);
        TcpConnection a = t.client.connect(0, TwoHosts.SERVER, 80);
        t.runFor(50 * MS);
        TcpConnection b = l.accept();
        t.events.clear();
        a.close(t.now());
        b.close(t.now());
        t.runFor(50 * MS);
        assertThat(t.wire().subList(0, 2)).containsExactlyInAnyOrder("client [F.] 100 ack 300", "server [F.] 300 ack 100");
        assertThat(t.wire().subList(2, 4)).containsExactlyInAnyOrder("client [.] 101 ack 301", "server [.] 301 ack 101");
        assertThat(t.wire()).hasSize(4);
        assertThat(t.transitions("client")).containsExactly("ESTABLISHED->FIN-WAIT-1", "FIN-WAIT-1->CLOSING",
                "CLOSING->TIME-WAIT");
        assertThat(t.transitions("server")).containsExactly("ESTABLISHED->FIN-WAIT-1", "FIN-WAIT-1->CLOSING",
                "CLOSING->TIME-WAIT");
        t.runFor(121 * S);
        assertThat(a.state()).isEqualTo(TcpState.CLOSED);
        assertThat(b.state()).isEqualTo(TcpState.CLOSED);
        assertThat(t.client.timeWaitCount() + t.server.timeWaitCount()).isZero();
    }
}
