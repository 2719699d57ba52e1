package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.tcp.Scripted.MS;
import static dev.jtcp.tcp.Scripted.S;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keep-alives (RFC 9293 §3.8.4): off by default, per connection, only after the configured idle
 * time with nothing outstanding, probes of SEG.SEQ = SND.NXT − 1 without data, and the connection
 * dropped only after several unanswered probes in a row.
 */
class KeepAliveTest {
    /** Idle 10 s, then a probe every 2 s, 3 unanswered probes allowed. */
    private static final TcpConfig FAST = Scripted.PLAIN.toBuilder()
            .keepAlive(Duration.ofSeconds(10), Duration.ofSeconds(2), 3).build();

    private static void assertProbe(ScriptedPeer.Sent s) {
        assertThat(s.is(ACK)).as("%s", s).isTrue();
        assertThat(s.seq()).as("SEG.SEQ = SND.NXT - 1").isEqualTo(ISS);
        assertThat(s.ack()).isEqualTo(IRS + 1);
        assertThat(s.payload()).as("SHLD-12: no data").isEmpty();
    }

    private static void answer(ScriptedPeer p) {
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1));
    }

    @Test
    @Requirement({"MUST-25", "MUST-28"})
    void sendsNothingOnAnIdleConnectionByDefault() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        assertThat(c.keepAlive()).isFalse();
        p.advance(3 * 3600 * S);
        p.expectNothingSent();
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(TcpConfig.defaults().keepAliveIdleNs()).isGreaterThanOrEqualTo(2 * 3600 * S);
    }

    @Test
    @Requirement({"MAY-5", "MUST-24", "MUST-26", "MUST-27", "MUST-28", "SHLD-12"})
    void probesAfterTheIdleTimeAndKeepsAConnectionWhoseProbesAreAnswered() {
        ScriptedPeer p = Scripted.peer(FAST);
        TcpConnection c = Scripted.accept(p);
        long lastHeard = p.now();
        c.keepAlive(p.now(), true);
        p.advance(10 * S - 1);
        p.expectNothingSent();
        p.advance(1);
        ScriptedPeer.Sent probe = p.next();
        assertProbe(probe);
        assertThat(probe.timeNs() - lastHeard).isEqualTo(10 * S);
        for (int i = 0; i < 5; i++) {
            answer(p);
            long answered = p.now();
            p.advance(10 * S);
            ScriptedPeer.Sent next = p.next();
            assertProbe(next);
            assertThat(next.timeNs() - answered).isEqualTo(10 * S);
            p.expectNothingSent();
        }
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        // MUST-24: off again for this connection.
        answer(p);
        c.keepAlive(p.now(), false);
        p.advance(3600 * S);
        p.expectNothingSent();
    }

    @Test
    @Requirement("MUST-24")
    void dropsTheConnectionAfterTheConfiguredUnansweredProbes() {
        ScriptedPeer p = Scripted.peer(FAST);
        TcpConnection c = Scripted.accept(p);
        Scripted.Recorder app = new Scripted.Recorder(p);
        c.handler(app);
        long t0 = p.now();
        c.keepAlive(t0, true);
        p.advance(16 * S - 1);
        List<Long> probes = Scripted.drain(p).stream().map(s -> (s.timeNs() - t0) / MS).toList();
        assertThat(probes).containsExactly(10_000L, 12_000L, 14_000L);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        p.advance(1);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).isEqualTo(TcpError.TIMED_OUT);
        assertThat(app.closedWith).isEqualTo(TcpError.TIMED_OUT);
    }

    @Test
    @Requirement("MUST-29")
    void toleratesALostProbeAck() {
        ScriptedPeer p = Scripted.peer(FAST);
        TcpConnection c = Scripted.accept(p);
        c.keepAlive(p.now(), true);
        for (int round = 0; round < 4; round++) {
            p.advance(10 * S);
            assertProbe(p.next()); // its answer is lost
            p.advance(2 * S);
            assertProbe(p.next());
            p.advance(1 * S);
            answer(p); // this one is answered
        }
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    @Requirement("MUST-26")
    void probesOnlyWhenNothingArrivedAndNothingIsOutstanding() {
        ScriptedPeer p = Scripted.peer(FAST);
        TcpConnection c = Scripted.accept(p);
        c.keepAlive(p.now(), true);
        // The peer talks every 6 s: the connection is never idle for 10 s.
        int seq = IRS + 1;
        for (int i = 0; i < 10; i++) {
            p.advance(6 * S);
            p.inject(seg(ACK).seq(seq).ack(ISS + 1).data(10));
            seq += 10;
        }
        p.advance(40 * MS);
        assertThat(Scripted.drain(p)).hasSize(10).allMatch(s -> s.seq() == ISS + 1 && s.payload().length == 0);
        // Unacknowledged data outstanding: the retransmission timer probes the path, keep-alive waits.
        c.userTimeout(3600 * S);
        c.send(p.now(), Scripted.bytes(10));
        p.advance(60 * S);
        assertThat(Scripted.drain(p)).allMatch(s -> s.payload().length == 10);
    }
}
