package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.tcp.Scripted.MS;
import static dev.jtcp.tcp.Scripted.RTO;
import static dev.jtcp.tcp.Scripted.RTT;
import static dev.jtcp.tcp.Scripted.S;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static dev.jtcp.wire.TcpFlags.FIN;
import static dev.jtcp.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.event.Tracer;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The retransmission timer (RFC 6298), backoff, Karn's algorithm and the R1/R2 thresholds of RFC
 * 9293 §3.8.3, with exact times on a scripted peer that never answers unless told to.
 */
class RetransmissionTest {

    private static List<Long> sendTimesMs(List<ScriptedPeer.Sent> sent) {
        return sent.stream().map(s -> s.timeNs() / MS).toList();
    }

    @Test
    @Requirement({"MUST-19", "MUST-22", "MUST-23"})
    void retransmitsLostSynWithExponentialBackoffAndGivesUpAfterThreeMinutes() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = p.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        Scripted.Recorder app = new Scripted.Recorder(p);
        c.handler(app);
        p.advance(179_999 * MS);
        List<ScriptedPeer.Sent> syns = Scripted.drain(p);
        // RFC 6298 §2.1 initial RTO 1 s, §5.5 doubling, §2.5 capped at maxRto (120 s).
        assertThat(sendTimesMs(syns)).containsExactly(0L, 1_000L, 3_000L, 7_000L, 15_000L, 31_000L, 63_000L, 127_000L);
        assertThat(syns).allMatch(s -> s.is(SYN) && s.seq() == ISS && s.payload().length == 0);
        assertThat(c.state()).as("R2 for a SYN is at least 3 minutes").isEqualTo(TcpState.SYN_SENT);
        p.advance(1 * MS);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).isEqualTo(TcpError.TIMED_OUT);
        assertThat(app.log).containsExactly("7000ms trouble 3", "180000ms closed TIMED_OUT");
        p.expectNothingSent();
        assertThat(TcpConfig.defaults().synRetransmitTimeoutNs()).isGreaterThanOrEqualTo(180 * S);
    }

    @Test
    @Requirement({"MUST-19", "MUST-22", "MUST-23"})
    void retransmitsSynAckWithBackoffUntilTheHandshakeCompletes() {
        ScriptedPeer p = Scripted.peer();
        TcpListener l = p.host.listen(0, 80, 8);
        p.inject(seg(SYN).seq(IRS).mss(1460));
        p.advance(7_500 * MS);
        List<ScriptedPeer.Sent> synAcks = Scripted.drain(p);
        assertThat(sendTimesMs(synAcks)).containsExactly(0L, 1_000L, 3_000L, 7_000L);
        assertThat(synAcks).allMatch(s -> s.is(SYN | ACK) && s.seq() == ISS && s.ack() == IRS + 1);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        assertThat(l.accept().state()).isEqualTo(TcpState.ESTABLISHED);
        p.advance(60 * S);
        p.expectNothingSent();
    }

    @Test
    @Requirement("MUST-23")
    void passiveOpenGivesUpOnUnansweredSynAckAfterThreeMinutes() {
        // By default a half-open connection gives up sooner, after five SYN,ACK retransmissions (63 s,
        // as Linux: ListenerTest.aHalfOpenConnectionGivesUpAfterFiveSynAckRetransmissions); with the
        // retries unbounded R2 for a SYN (MUST-23) applies.
        ScriptedPeer p = Scripted.peer(Scripted.PLAIN.toBuilder().synAckRetries(Integer.MAX_VALUE).build());
        TcpListener l = p.host.listen(0, 80, 8);
        p.inject(seg(SYN).seq(IRS).mss(1460));
        p.advance(179_999 * MS);
        assertThat(l.synQueueLength()).isEqualTo(1);
        p.advance(1 * MS);
        assertThat(l.synQueueLength()).isZero();
        assertThat(p.host.connectionCount()).isZero();
    }

    @Test
    @Requirement({"MUST-19", "MUST-20"})
    void retransmitsUnacknowledgedFinWithBackoff() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        long t0 = p.now();
        c.close(t0);
        p.advance(2_200 * MS);
        List<ScriptedPeer.Sent> fins = Scripted.drain(p);
        assertThat(fins.stream().map(s -> (s.timeNs() - t0) / MS).toList()).containsExactly(0L, 300L, 900L, 2_100L);
        assertThat(fins).allMatch(s -> s.is(FIN | ACK) && s.seq() == ISS + 1 && s.ack() == IRS + 1);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 2));
        assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        p.advance(10 * S);
        p.expectNothingSent();
    }

    @Test
    @Requirement({"MUST-19", "MUST-20"})
    void dataRetransmissionAfterRtoResendsOneSegmentAndRestartsSlowStart() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        assertThat(c.status().rtoNs()).isEqualTo(RTO);
        int mss = c.status().effectiveSendMss();
        assertThat(mss).isEqualTo(1460);
        long t0 = p.now();
        c.send(t0, Scripted.bytes(20 * mss));
        assertThat(Scripted.drain(p)).as("initial window").hasSize(10);
        p.advance(RTO - 1);
        p.expectNothingSent();
        p.advance(1);
        List<ScriptedPeer.Sent> rtx = Scripted.drain(p);
        assertThat(rtx).hasSize(1);
        assertThat(rtx.getFirst().seq()).isEqualTo(ISS + 1);
        assertThat(rtx.getFirst().payload()).hasSize(mss);
        // RFC 5681 §3.1: after a timeout cwnd is the loss window (1 SMSS), ssthresh = FlightSize / 2.
        assertThat(c.status().cwnd()).isEqualTo(mss);
        assertThat(c.status().ssthresh()).isEqualTo(5 * mss);
        p.advance(10 * MS);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1 + mss));
        List<ScriptedPeer.Sent> next = Scripted.drain(p);
        assertThat(next).extracting(ScriptedPeer.Sent::seq).containsExactly(ISS + 1 + mss, ISS + 1 + 2 * mss);
        assertThat(c.status().cwnd()).isEqualTo(2 * mss);
    }

    @Test
    @Requirement({"MUST-18"})
    void karnTakesNoRttSampleFromARetransmittedSegment() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        assertThat(c.status().srttNs()).isEqualTo(RTT);
        c.send(p.now(), Scripted.bytes(100));
        p.advance(RTO);
        assertThat(Scripted.drain(p)).hasSize(2);
        p.advance(10 * MS);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 101));
        assertThat(c.status().srttNs()).as("ambiguous ACK: no sample").isEqualTo(RTT);
        // A segment sent once is timed: 20 ms → SRTT = 7/8 · 100 + 1/8 · 20 = 90 ms.
        c.send(p.now(), Scripted.bytes(100));
        p.advance(20 * MS);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 201));
        assertThat(c.status().srttNs()).isEqualTo(90 * MS);
    }

    @Test
    @Requirement("MUST-19")
    void rtoIsNeverBelowTheConfiguredMinimum() {
        for (TcpConfig cfg : List.of(Scripted.PLAIN, TcpConfig.rfc().toBuilder().timestamps(false).sack(false)
                .windowScaling(false).build())) {
            ScriptedPeer p = Scripted.peer(cfg);
            TcpListener l = p.host.listen(0, 80, 8);
            p.inject(seg(SYN).seq(IRS).mss(1460));
            p.advance(1 * MS);
            p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1));
            TcpConnection c = l.accept();
            p.clearSent();
            // SRTT 1 ms, RTTVAR 0.5 ms: RFC 6298 §2.4 rounds the RTO up to the minimum.
            assertThat(c.status().rtoNs()).isEqualTo(cfg.minRtoNs());
            long t0 = p.now();
            c.send(t0, Scripted.bytes(10));
            p.advance(cfg.minRtoNs());
            List<ScriptedPeer.Sent> sent = Scripted.drain(p);
            assertThat(sent).hasSize(2);
            assertThat(sent.get(1).timeNs() - t0).isEqualTo(cfg.minRtoNs());
        }
    }

    @Test
    @Requirement({"MUST-19", "MUST-21"})
    void backedOffRtoIsCappedAtTheMaximum() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        c.userTimeout(1_000 * S);
        long t0 = p.now();
        c.send(t0, Scripted.bytes(10));
        p.advance(700 * S);
        List<Long> times = Scripted.drain(p).stream().map(s -> (s.timeNs() - t0) / MS).toList();
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(times.get(i) - times.get(i - 1));
        }
        assertThat(gaps).startsWith(300L, 600L, 1_200L, 2_400L, 4_800L, 9_600L, 19_200L, 38_400L, 76_800L,
                120_000L, 120_000L);
        assertThat(gaps).allMatch(g -> g <= 120_000L);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    @Requirement({"MUST-20", "SHLD-9", "SHLD-10", "SHLD-11", "MUST-47"})
    void abortsDataRetransmissionAfterR2OfOneHundredSecondsAndWarnsAtR1() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        Scripted.Recorder app = new Scripted.Recorder(p);
        c.handler(app);
        long t0 = p.now();
        c.send(t0, Scripted.bytes(10));
        p.advance(100 * S - 1);
        List<Long> times = Scripted.drain(p).stream().map(s -> (s.timeNs() - t0) / MS).toList();
        assertThat(times).containsExactly(0L, 300L, 900L, 2_100L, 4_500L, 9_300L, 18_900L, 38_100L, 76_500L);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        p.advance(1);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).isEqualTo(TcpError.TIMED_OUT);
        long t0Ms = t0 / MS;
        assertThat(app.log).containsExactly((t0Ms + 2_100) + "ms trouble 3", (t0Ms + 100_000) + "ms closed TIMED_OUT");
        assertThat(TcpConfig.defaults().r1Retransmissions()).isGreaterThanOrEqualTo(3);
        assertThat(TcpConfig.defaults().r2TimeoutNs()).isGreaterThanOrEqualTo(100 * S);
    }

    @Test
    @Requirement("SHLD-20")
    void theApplicationMayTurnSoftErrorReportsOff() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        Scripted.Recorder app = new Scripted.Recorder(p);
        c.handler(app);
        c.softErrorReports(false);
        assertThat(c.softErrorReports()).isFalse();
        long t0 = p.now();
        c.send(t0, Scripted.bytes(10));
        p.advance(100 * S);
        assertThat(c.error()).isEqualTo(TcpError.TIMED_OUT);
        assertThat(app.log).as("no R1 warning; the fatal error is still reported")
                .containsExactly((t0 / MS + 100_000) + "ms closed TIMED_OUT");
    }

    @Test
    @Requirement("MUST-21")
    void applicationSetsR2ForOneConnection() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        c.userTimeout(5 * S);
        long t0 = p.now();
        c.send(t0, Scripted.bytes(10));
        p.advance(5 * S - 1);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        p.advance(1);
        assertThat(c.error()).isEqualTo(TcpError.TIMED_OUT);

        ScriptedPeer q = Scripted.peer();
        TcpConnection patient = Scripted.accept(q);
        patient.userTimeout(500 * S);
        patient.send(q.now(), Scripted.bytes(10));
        q.advance(499 * S);
        assertThat(patient.state()).as("R2 raised beyond the default 100 s").isEqualTo(TcpState.ESTABLISHED);
        q.advance(2 * S);
        assertThat(patient.error()).isEqualTo(TcpError.TIMED_OUT);
    }

    @Test
    @Requirement("MUST-20")
    void passesNegativeAdviceToIpAtR1() {
        ScriptedPeer p = Scripted.peer();
        List<String> advice = new ArrayList<>();
        TcpContext ctx = new AdviceRecorder(p, advice);
        ConnectionKey key = new ConnectionKey(ScriptedPeer.LOCAL, 80, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT);
        TcpConnection c = new TcpConnection(ctx, key);
        ctx.register(c);
        c.open(p.now());
        p.advance(6_999 * MS);
        assertThat(advice).isEmpty();
        p.advance(1 * MS);
        assertThat(advice).containsExactly("7000ms " + key);
    }

    @Test
    @Requirement({"MUST-19"})
    void rtoFallsBackToThreeSecondsWhenTheSynWasRetransmitted() {
        // RFC 6298 §5.7: the SYN's timer expired and no RTT sample exists, so data starts with RTO 3 s.
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = p.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        p.advance(1_100 * MS);
        p.inject(seg(SYN | ACK).seq(IRS).ack(ISS + 1).mss(1460));
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        p.clearSent();
        long t0 = p.now();
        c.send(t0, Scripted.bytes(10));
        p.advance(3 * S - 1);
        assertThat(Scripted.drain(p)).hasSize(1);
        p.advance(1);
        assertThat(Scripted.drain(p)).hasSize(1);

        ScriptedPeer q = Scripted.peer();
        TcpListener l = q.host.listen(0, 80, 8);
        q.inject(seg(SYN).seq(IRS).mss(1460));
        q.advance(1_050 * MS);
        q.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        TcpConnection s = l.accept();
        q.clearSent();
        long t1 = q.now();
        s.send(t1, Scripted.bytes(10));
        q.advance(3 * S - 1);
        assertThat(Scripted.drain(q)).hasSize(1);
        q.advance(1);
        assertThat(Scripted.drain(q)).hasSize(1);
    }

    /** The host as context, recording negative advice (RFC 9293 §3.8.3 (b)) with its time. */
    private record AdviceRecorder(ScriptedPeer p, List<String> advice) implements TcpContext {
        @Override
        public TcpConfig config() {
            return p.host.config();
        }

        @Override
        public String hostName() {
            return p.host.hostName();
        }

        @Override
        public Tracer tracer() {
            return p.host.tracer();
        }

        @Override
        public RandomGenerator random() {
            return p.host.random();
        }

        @Override
        public IsnSource isnGenerator() {
            return p.host.isnGenerator();
        }

        @Override
        public SynCookies synCookies() {
            return p.host.synCookies();
        }

        @Override
        public FastOpen fastOpen() {
            return p.host.fastOpen();
        }

        @Override
        public ChallengeAckLimiter challengeAcks() {
            return p.host.challengeAcks();
        }

        @Override
        public int timestampOffset(IpAddress local, IpAddress remote) {
            return p.host.timestampOffset(local, remote);
        }

        @Override
        public int maxReceiveSegmentSize(IpAddress remote) {
            return p.host.maxReceiveSegmentSize(remote);
        }

        @Override
        public int maxSendSegmentSize(IpAddress remote) {
            return p.host.maxSendSegmentSize(remote);
        }

        @Override
        public void transmit(long nowNs, IpAddress local, IpAddress remote, TcpSegment seg, String note) {
            p.host.transmit(nowNs, local, remote, seg, note);
        }

        @Override
        public void schedule(TcpConnection connection, long deadlineNs) {
            p.host.schedule(connection, deadlineNs);
        }

        @Override
        public void register(TcpConnection connection) {
            p.host.register(connection);
        }

        @Override
        public void onTimeWait(TcpConnection connection, long nowNs) {
            p.host.onTimeWait(connection, nowNs);
        }

        @Override
        public void onClosed(TcpConnection connection) {
            p.host.onClosed(connection);
        }

        @Override
        public void onNegativeAdvice(ConnectionKey key) {
            advice.add(p.now() / MS + "ms " + key);
        }
    }
}
