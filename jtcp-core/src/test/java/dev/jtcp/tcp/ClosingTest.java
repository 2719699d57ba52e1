package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.tcp.Scripted.MS;
import static dev.jtcp.tcp.Scripted.S;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static dev.jtcp.wire.TcpFlags.FIN;
import static dev.jtcp.wire.TcpFlags.RST;
import static dev.jtcp.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.testutil.TwoHosts;
import dev.jtcp.wire.TcpOption;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Closing (RFC 9293 §3.6, §3.10.4, §3.10.7.4): half-close, FIN-WAIT-1 straight to TIME-WAIT, a full
 * close that resets when data is lost (SHLD-3), TIME-WAIT's length, its answers to FIN, RST and SYN,
 * and reopening from it (MAY-2, RFC 6191).
 */
class ClosingTest {
    private static final TcpConfig TS = TcpConfig.builder().sack(false).windowScaling(false).build();

    /** The host closes first and the peer answers; returns the connection, now in TIME-WAIT. */
    private static TcpConnection inTimeWait(ScriptedPeer p, UnaryOperator<ScriptedPeer.Seg> peerFin) {
        TcpConnection c = Scripted.accept(p);
        c.close(p.now());
        assertThat(p.next().is(FIN | ACK)).isTrue();
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 2));
        assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        p.inject(peerFin.apply(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 2)));
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        ScriptedPeer.Sent ack = p.next();
        assertThat(ack.is(ACK)).as("%s", ack).isTrue();
        assertThat(ack.seq()).as("%s", ack).isEqualTo(ISS + 2);
        assertThat(ack.ack()).as("%s", ack).isEqualTo(IRS + 2);
        return c;
    }

    private static List<String> transitions(ScriptedPeer p) {
        return p.events.stream().filter(e -> e instanceof TraceEvent.StateEvent s && s.connection().remotePort() != 0)
                .map(e -> ((TraceEvent.StateEvent) e).from() + "->" + ((TraceEvent.StateEvent) e).to()).toList();
    }

    @Test
    void halfClosedConnectionKeepsCarryingDataTheOtherWay() {
        TwoHosts t = new TwoHosts(3, TcpConfig.defaults(), Impairments.builder().delayNs(5 * MS).build());
        TcpListener l = t.server.listen(0, 80, 8);
        TcpConnection client = t.client.connect(0, TwoHosts.SERVER, 80);
        t.runFor(50 * MS);
        TcpConnection server = l.accept();
        client.close(t.now());
        t.runFor(50 * MS);
        assertThat(client.state()).isEqualTo(TcpState.FIN_WAIT_2);
        assertThat(server.state()).isEqualTo(TcpState.CLOSE_WAIT);
        byte[] sent = Scripted.bytes(100_000).array();
        assertThat(server.send(t.now(), ByteBuffer.wrap(sent))).isEqualTo(sent.length);
        t.runFor(2 * S);
        assertThat(client.state()).isEqualTo(TcpState.FIN_WAIT_2);
        assertThat(Scripted.readAll(client, t.now())).isEqualTo(sent);
        server.close(t.now());
        t.runFor(50 * MS);
        assertThat(server.state()).isEqualTo(TcpState.CLOSED);
        assertThat(server.error()).isNull();
        assertThat(client.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(client.isEndOfStream()).isTrue();
    }

    @Test
    void finAcknowledgingOurFinInFinWait1GoesStraightToTimeWait() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        c.close(p.now());
        assertThat(p.next().seq()).isEqualTo(ISS + 1);
        p.inject(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 2));
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        ScriptedPeer.Sent ack = p.next();
        assertThat(ack.is(ACK)).as("%s", ack).isTrue();
        assertThat(ack.seq()).as("%s", ack).isEqualTo(ISS + 2);
        assertThat(ack.ack()).as("%s", ack).isEqualTo(IRS + 2);
        assertThat(transitions(p)).endsWith("ESTABLISHED->FIN-WAIT-1", "FIN-WAIT-1->TIME-WAIT");
    }

    @Test
    @Requirement({"SHLD-3", "MAY-1"})
    void fullCloseWithUnreadDataResets() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).data(100));
        p.advance(100 * MS);
        p.clearSent();
        c.closeFully(p.now());
        ScriptedPeer.Sent rst = p.next();
        assertThat(rst.is(RST)).as("%s", rst).isTrue();
        assertThat(rst.seq()).as("%s", rst).isEqualTo(ISS + 1);
        p.expectNothingSent();
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(p.host.connectionCount()).isZero();
    }

    @Test
    @Requirement({"SHLD-3", "MAY-1"})
    void dataArrivingAfterAFullCloseDrawsRst() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        c.closeFully(p.now());
        assertThat(p.next().is(FIN | ACK)).isTrue();
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 2));
        assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 2).data(10));
        ScriptedPeer.Sent rst = p.next();
        assertThat(rst.is(RST)).as("%s", rst).isTrue();
        assertThat(rst.seq()).as("%s", rst).isEqualTo(ISS + 2);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    @Requirement("MUST-13")
    void timeWaitLastsExactlyTwoMsl() {
        for (TcpConfig cfg : List.of(Scripted.PLAIN, TcpConfig.rfc().toBuilder().timestamps(false).build())) {
            ScriptedPeer p = Scripted.peer(cfg);
            TcpConnection c = inTimeWait(p, UnaryOperator.identity());
            long t0 = p.now();
            p.advance(2 * cfg.mslNs() - 1);
            assertThat(p.host.timeWaitCount()).isEqualTo(1);
            assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
            p.advance(1);
            assertThat(p.host.timeWaitCount()).isZero();
            assertThat(c.state()).isEqualTo(TcpState.CLOSED);
            assertThat(p.now() - t0).isEqualTo(2 * cfg.mslNs());
            p.expectNothingSent();
        }
        assertThat(TcpConfig.rfc().timeWaitNs()).isEqualTo(240 * S);
    }

    @Test
    @Requirement("MUST-13")
    void reacknowledgesARetransmittedFinInTimeWaitAndRestartsTheTimer() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = inTimeWait(p, UnaryOperator.identity());
        p.advance(60 * S);
        p.inject(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 2));
        ScriptedPeer.Sent ack = p.next();
        assertThat(ack.is(ACK)).as("%s", ack).isTrue();
        assertThat(ack.seq()).as("%s", ack).isEqualTo(ISS + 2);
        assertThat(ack.ack()).as("%s", ack).isEqualTo(IRS + 2);
        p.advance(120 * S - 1);
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        p.advance(1);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void ignoresRstInTimeWait() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = inTimeWait(p, UnaryOperator.identity());
        p.inject(seg(RST).seq(IRS + 2));
        p.inject(seg(RST | ACK).seq(IRS + 2).ack(ISS + 2));
        p.expectNothingSent();
        assertThat(c.state()).as("RFC 1337: no TIME-WAIT assassination").isEqualTo(TcpState.TIME_WAIT);
        assertThat(p.host.timeWaitCount()).isEqualTo(1);
    }

    @Test
    @Requirement("MAY-2")
    void newSynWithHigherSequenceNumberReopensFromTimeWaitWithAHigherIsn() {
        ScriptedPeer p = new ScriptedPeer(Scripted.PLAIN, ISS, 5);
        TcpConnection old = inTimeWait(p, UnaryOperator.identity());
        p.inject(seg(SYN).seq(IRS + 100_000).mss(1460));
        ScriptedPeer.Sent synAck = p.next();
        assertThat(synAck.is(SYN | ACK)).isTrue();
        assertThat(synAck.ack()).isEqualTo(IRS + 100_001);
        // MAY-2 (1): the new ISS lies beyond every sequence number the old connection used.
        assertThat(synAck.seq() - (ISS + 2)).isPositive();
        assertThat(p.host.timeWaitCount()).isZero();
        p.inject(seg(ACK).seq(IRS + 100_001).ack(synAck.seq() + 1));
        TcpConnection reopened = p.host.listeners().getFirst().accept();
        assertThat(reopened).isNotSameAs(old);
        assertThat(reopened.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(old.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    @Requirement({"MAY-2", "SHLD-4"})
    void newSynWithNewerTimestampReopensFromTimeWaitWhateverItsSequenceNumber() {
        ScriptedPeer p = new ScriptedPeer(TS, ISS, 5);
        p.host.listen(0, 80, 8);
        p.inject(seg(SYN).seq(IRS).mss(1460).ts(100, 0));
        int tsVal = p.next().h().option(TcpOption.Timestamps.class).tsVal();
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).ts(200, tsVal));
        TcpConnection c = p.host.listeners().getFirst().accept();
        c.close(p.now());
        p.clearSent();
        p.inject(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 2).ts(5000, tsVal));
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        p.clearSent();
        // Older timestamp and a lower sequence number: an old duplicate, answered with an ACK.
        p.inject(seg(SYN).seq(IRS - 1000).mss(1460).ts(4000, 0));
        assertThat(p.next().is(ACK)).isTrue();
        assertThat(p.host.timeWaitCount()).isEqualTo(1);
        // Newer timestamp, lower sequence number: a new incarnation (RFC 6191).
        p.inject(seg(SYN).seq(IRS - 1000).mss(1460).ts(6000, 0));
        ScriptedPeer.Sent synAck = p.next();
        assertThat(synAck.is(SYN | ACK)).as("%s", synAck).isTrue();
        assertThat(synAck.ack()).as("%s", synAck).isEqualTo(IRS - 999);
        assertThat(p.host.timeWaitCount()).isZero();
    }

    @Test
    void newSynToATimeWaitWithoutAListenerIsAnsweredWithAnAckAndKeepsTheTimeWait() {
        // The active closer holds TIME-WAIT on an ephemeral port nobody listens on: nothing to reopen.
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.connect(p, UnaryOperator.identity());
        c.close(p.now());
        p.clearSent();
        p.inject(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 2));
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        p.clearSent();
        p.inject(seg(SYN).seq(IRS + 100_000).mss(1460));
        ScriptedPeer.Sent ack = p.next();
        assertThat(ack.is(ACK)).as("%s", ack).isTrue();
        assertThat(ack.seq()).as("%s", ack).isEqualTo(ISS + 2);
        assertThat(ack.ack()).as("%s", ack).isEqualTo(IRS + 2);
        assertThat(p.host.timeWaitCount()).isEqualTo(1);
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
    }

    @Test
    void closingAPassiveConnectionInSynReceivedFreesItsPlaceInTheListener() {
        ScriptedPeer p = Scripted.peer();
        TcpListener l = p.host.listen(0, 80, 8);
        p.inject(seg(SYN).seq(IRS).mss(1460));
        TcpConnection c = p.host.connections().getFirst();
        p.clearSent();
        c.close(p.now()); // §3.10.4 SYN-RECEIVED: nothing queued, so the FIN goes now
        assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_1);
        ScriptedPeer.Sent fin = p.next();
        assertThat(fin.is(FIN | ACK)).as("%s", fin).isTrue();
        assertThat(fin.seq()).as("%s", fin).isEqualTo(ISS + 1);
        p.inject(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 2));
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(l.synQueueLength()).isZero();
        assertThat(l.acceptQueueLength()).isZero();
    }

    @Test
    void oldSynInTimeWaitIsAnsweredWithAnAck() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = inTimeWait(p, UnaryOperator.identity());
        p.inject(seg(SYN).seq(IRS).mss(1460));
        ScriptedPeer.Sent ack = p.next();
        assertThat(ack.is(ACK)).as("%s", ack).isTrue();
        assertThat(ack.seq()).as("%s", ack).isEqualTo(ISS + 2);
        assertThat(ack.ack()).as("%s", ack).isEqualTo(IRS + 2);
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(p.host.connectionCount()).isZero();
        assertThat(p.host.timeWaitCount()).isEqualTo(1);
    }
}
