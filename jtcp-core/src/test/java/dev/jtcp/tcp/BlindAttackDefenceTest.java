package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.tcp.Scripted.MS;
import static dev.jtcp.tcp.Scripted.S;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static dev.jtcp.wire.TcpFlags.RST;
import static dev.jtcp.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import org.junit.jupiter.api.Test;

/**
 * RST and SYN handling in synchronized states with RFC 5961's defences against blind in-window
 * attacks: only an exact RST resets, anything else in the window draws a challenge ACK, ACKs
 * outside [SND.UNA − MAX.SND.WND, SND.NXT] are dropped with an ACK, all under a host-wide rate limit.
 */
class BlindAttackDefenceTest {

    /** ESTABLISHED with RCV.NXT = IRS + 1, SND.NXT = ISS + 1 and an application listening. */
    private static TcpConnection established(ScriptedPeer p, Scripted.Recorder app) {
        TcpConnection c = Scripted.accept(p);
        c.handler(app);
        return c;
    }

    private static void assertChallengeAck(ScriptedPeer.Sent s) {
        assertThat(s.is(ACK)).as("challenge ACK: %s", s).isTrue();
        assertThat(s.seq()).isEqualTo(ISS + 1);
        assertThat(s.ack()).isEqualTo(IRS + 1);
        assertThat(s.payload()).isEmpty();
    }

    @Test
    @Requirement("MUST-12")
    void resetsOnARstExactlyAtRcvNxt() {
        ScriptedPeer p = Scripted.peer();
        Scripted.Recorder app = new Scripted.Recorder(p);
        TcpConnection c = established(p, app);
        p.inject(seg(RST).seq(IRS + 1));
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).isEqualTo(TcpError.RESET);
        assertThat(app.closedWith).isEqualTo(TcpError.RESET);
        p.expectNothingSent();
        assertThat(p.host.connectionCount()).isZero();
    }

    @Test
    void sendsChallengeAckForInWindowRst() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = established(p, new Scripted.Recorder(p));
        p.inject(seg(RST).seq(IRS + 2));
        assertChallengeAck(p.next());
        p.advance(500 * MS); // one challenge ACK per connection per 500 ms
        p.inject(seg(RST | ACK).seq(IRS + 30_000).ack(ISS + 1));
        assertChallengeAck(p.next());
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        // The real peer answers the challenge with a RST at exactly RCV.NXT.
        p.inject(seg(RST).seq(IRS + 1));
        assertThat(c.error()).isEqualTo(TcpError.RESET);
    }

    @Test
    void ignoresRstOutsideTheWindow() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = established(p, new Scripted.Recorder(p));
        p.inject(seg(RST).seq(IRS));
        p.inject(seg(RST).seq(IRS + 1 + 300_000));
        p.inject(seg(RST).seq(IRS - 100_000));
        p.expectNothingSent();
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    @Requirement("SHLD-2")
    void acceptsARstCarryingData() {
        ScriptedPeer p = Scripted.peer();
        Scripted.Recorder app = new Scripted.Recorder(p);
        TcpConnection c = established(p, app);
        p.inject(seg(RST).seq(IRS + 1).data("server shutting down"));
        assertThat(c.error()).isEqualTo(TcpError.RESET);
        assertThat(app.closedWith).isEqualTo(TcpError.RESET);
    }

    @Test
    void sendsChallengeAckForSynInEstablished() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = established(p, new Scripted.Recorder(p));
        p.inject(seg(SYN).seq(IRS + 500).mss(1460)); // in window
        assertChallengeAck(p.next());
        p.advance(500 * MS); // one challenge ACK per connection per 500 ms
        p.inject(seg(SYN).seq(IRS - 5000).mss(1460)); // left of the window
        assertChallengeAck(p.next());
        p.advance(500 * MS);
        p.inject(seg(SYN | ACK).seq(IRS + 500).ack(ISS + 1));
        assertChallengeAck(p.next());
        p.expectNothingSent();
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    @Requirement("MAY-12")
    void dropsDataWhoseAckIsForUnsentDataAndAcknowledges() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = established(p, new Scripted.Recorder(p));
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1000).data("forged"));
        assertChallengeAck(p.next());
        assertThat(c.readable()).as("RFC 5961 §5.2: the segment is discarded").isZero();
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    @Requirement("MAY-12")
    void dropsDataWhoseAckIsOlderThanTheLargestWindowAndAcknowledges() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = established(p, new Scripted.Recorder(p));
        c.noDelay(true);
        for (int i = 0; i < 8; i++) {
            c.send(p.now(), Scripted.bytes(10_000));
            int una = ISS + 1 + (i + 1) * 10_000;
            p.inject(seg(ACK).seq(IRS + 1).ack(una).window(10_000));
        }
        p.clearSent();
        // SND.UNA = ISS + 80001, MAX.SND.WND = 65535 (from the handshake): acceptable ACKs start at ISS + 14466.
        int sndUna = ISS + 80_001;
        p.inject(seg(ACK).seq(IRS + 1).ack(sndUna - 65_536).data("too old"));
        ScriptedPeer.Sent ack = p.next();
        assertThat(ack.is(ACK)).as("%s", ack).isTrue();
        assertThat(ack.seq()).as("%s", ack).isEqualTo(sndUna);
        assertThat(ack.ack()).as("%s", ack).isEqualTo(IRS + 1);
        assertThat(c.readable()).isZero();
        // Old but within MAX.SND.WND: an ordinary duplicate, its data accepted.
        p.inject(seg(ACK).seq(IRS + 1).ack(sndUna - 65_535).data("old ack, new data"));
        assertThat(c.readable()).isEqualTo(17);
    }

    @Test
    void limitsChallengeAcksToOnePerConnectionPer500Ms() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = established(p, new Scripted.Recorder(p));
        for (int i = 0; i < 5; i++) {
            p.inject(seg(RST).seq(IRS + 2 + i));
        }
        assertThat(Scripted.drain(p)).as("five in-window RSTs at once").hasSize(1);
        p.advance(499 * MS);
        p.inject(seg(SYN).seq(IRS + 9));
        p.inject(seg(ACK).seq(IRS + 1 + 300_000).ack(ISS + 1)); // a bare ACK out of the window
        p.expectNothingSent();
        p.advance(1 * MS);
        p.inject(seg(SYN).seq(IRS + 9));
        assertThat(Scripted.drain(p)).hasSize(1);
        // Data out of the window is always acknowledged (as Linux: a lost ACK's retransmission needs one).
        p.inject(seg(ACK).seq(IRS - 100).ack(ISS + 1).data("old"));
        p.inject(seg(ACK).seq(IRS - 100).ack(ISS + 1).data("old"));
        assertThat(Scripted.drain(p)).hasSize(2);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void limitsChallengeAcksPerSecondAcrossTheHost() {
        TcpConfig limited = Scripted.PLAIN.toBuilder().challengeAckPerSecond(2).build();
        ScriptedPeer p = new ScriptedPeer(limited, ISS, ISS, ISS, ISS, ISS);
        TcpConnection c = Scripted.accept(p);
        // Four more connections on the same host, from ports 40001..40004.
        for (int port = 40001; port <= 40004; port++) {
            p.inject(seg(SYN).seq(IRS).mss(1460).ports(port, 80));
            p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).ports(port, 80));
        }
        p.clearSent();
        p.advance(S - p.now() % S); // the start of a one-second interval
        for (int port = 40000; port <= 40004; port++) {
            p.inject(seg(RST).seq(IRS + 2).ports(port, 80));
        }
        // A limit of 2 draws each second's budget from [1, 2] (Linux: [limit/2, 3 limit/2)).
        assertThat(Scripted.drain(p)).as("budget for the whole host").hasSizeBetween(1, 2);
        assertThat(p.host.challengeAcks().suppressed()).isBetween(3L, 4L);
        p.advance(S);
        p.inject(seg(RST).seq(IRS + 2).ports(40001, 80));
        assertThat(Scripted.drain(p)).as("a new second, a new budget").hasSize(1);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(p.host.connectionCount()).isEqualTo(5);
    }

    @Test
    void theHostBudgetIsDrawnEachSecondAndCannotBeCounted() {
        ChallengeAckLimiter limiter = new ChallengeAckLimiter(1000, 42);
        java.util.Set<Integer> budgets = new java.util.HashSet<>();
        long sum = 0;
        for (int second = 0; second < 200; second++) {
            int n = 0;
            while (limiter.tryAcquire(second * S + n)) {
                n++;
            }
            assertThat(n).isBetween(500, 1499);
            budgets.add(n);
            sum += n;
        }
        assertThat(budgets).as("budgets differ from second to second").hasSizeGreaterThan(150);
        assertThat(sum / 200.0).as("the mean stays the configured limit").isBetween(950.0, 1050.0);
        // Deterministic per seed: the same seed draws the same budgets.
        ChallengeAckLimiter again = new ChallengeAckLimiter(1000, 42);
        int first = 0;
        while (again.tryAcquire(first)) {
            first++;
        }
        ChallengeAckLimiter replay = new ChallengeAckLimiter(1000, 42);
        int n = 0;
        while (replay.tryAcquire(n)) {
            n++;
        }
        assertThat(n).isEqualTo(first);
    }
}
