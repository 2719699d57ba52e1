package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.tcp.Scripted.MS;
import static dev.jtcp.tcp.Scripted.RTO;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Congestion control (RFC 5681 with the NewReno modification of RFC 6582), observed on the wire and
 * through STATUS: the initial window, slow start, congestion avoidance, fast retransmit, partial
 * ACKs and restart after idle. MSS 1460, no options, a peer that offers 65535 bytes.
 */
class CongestionControlTest {
    private static final int MSS = 1460;

    private ScriptedPeer p;
    private int iss = ISS;

    private TcpConnection established() {
        p = new ScriptedPeer(Scripted.PLAIN, iss);
        return Scripted.accept(p, iss, UnaryOperator.identity(), UnaryOperator.identity());
    }

    /** The peer acknowledges the first {@code segments} full segments. */
    private void ackSegments(int segments) {
        p.inject(seg(ACK).seq(IRS + 1).ack(iss + 1 + segments * MSS));
    }

    private int cwndSegments(TcpConnection c) {
        return c.status().cwnd() / MSS;
    }

    @Test
    @Requirement({"MUST-19", "SHLD-28"})
    void initialWindowIsConfiguredSegmentsOfFullSize() {
        TcpConnection c = established();
        c.send(p.now(), Scripted.bytes(50 * MSS));
        List<ScriptedPeer.Sent> sent = Scripted.drain(p);
        assertThat(sent).hasSize(TcpConfig.defaults().initialWindowSegments()).allMatch(s -> s.payload().length == MSS);
        assertThat(c.status().cwnd()).isEqualTo(10 * MSS);

        ScriptedPeer q = Scripted.peer(Scripted.PLAIN.toBuilder().initialWindowSegments(3).build());
        TcpConnection three = Scripted.accept(q);
        three.send(q.now(), Scripted.bytes(50 * MSS));
        assertThat(Scripted.drain(q)).hasSize(3);
    }

    @Test
    @Requirement("MUST-19")
    void slowStartGrowsTheWindowWithEveryAck() {
        TcpConnection c = established();
        c.send(p.now(), Scripted.bytes(200 * MSS));
        p.clearSent();
        ackSegments(1);
        // Slow start: cwnd += min(bytes acked, L·SMSS) per ACK (RFC 5681 eq. 2 with RFC 3465's L = 2).
        assertThat(cwndSegments(c)).isEqualTo(11);
        assertThat(Scripted.drain(p)).as("one segment replaces the acked one, one more for growth").hasSize(2);
        ackSegments(3);
        assertThat(cwndSegments(c)).isEqualTo(13);
        ackSegments(8);
        assertThat(cwndSegments(c)).as("at most 2 SMSS per ACK").isEqualTo(15);
        assertThat(c.status().ssthresh()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    @Requirement("MUST-19")
    void congestionAvoidanceAddsOneSegmentPerWindowAcknowledged() {
        TcpConnection c = established();
        c.send(p.now(), Scripted.bytes(200 * MSS));
        p.clearSent();
        p.advance(RTO);
        assertThat(cwndSegments(c)).isEqualTo(1);
        assertThat(c.status().ssthresh()).isEqualTo(5 * MSS);
        List<Integer> cwnds = new ArrayList<>();
        for (int k = 1; k <= 15; k++) {
            ackSegments(k);
            cwnds.add(cwndSegments(c));
        }
        // Slow start to ssthresh (5), then +1 segment per cwnd's worth of bytes acknowledged.
        assertThat(cwnds).containsExactly(2, 3, 4, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 7);
    }

    @ParameterizedTest(name = "ISS {0}")
    @ValueSource(ints = {ISS, 0x9000_0000, 0xFFFF_F000})
    @Requirement("MUST-19")
    void fastRetransmitAfterThreeDuplicateAcks(int hostIss) {
        iss = hostIss;
        TcpConnection c = established();
        c.send(p.now(), Scripted.bytes(200 * MSS));
        p.clearSent();
        ackSegments(1);
        assertThat(Scripted.drain(p)).hasSize(2);
        // RFC 3042 Limited Transmit: each of the first two duplicate ACKs releases one new segment.
        ackSegments(1);
        assertThat(Scripted.drain(p)).extracting(ScriptedPeer.Sent::seq).containsExactly(iss + 1 + 12 * MSS);
        ackSegments(1);
        assertThat(Scripted.drain(p)).extracting(ScriptedPeer.Sent::seq).containsExactly(iss + 1 + 13 * MSS);
        ackSegments(1);
        List<ScriptedPeer.Sent> rtx = Scripted.drain(p);
        assertThat(rtx).as("the third duplicate ACK retransmits the missing segment at once").hasSize(1);
        assertThat(rtx.getFirst().seq()).isEqualTo(iss + 1 + MSS);
        assertThat(rtx.getFirst().payload()).hasSize(MSS);
        // RFC 5681 §3.2: ssthresh = FlightSize / 2 (13 segments out), cwnd = ssthresh + 3 SMSS.
        assertThat(c.status().ssthresh()).isEqualTo(13 * MSS / 2);
        assertThat(c.status().cwnd()).isEqualTo(13 * MSS / 2 + 3 * MSS);
        assertThat(c.status().dupAcksReceived()).isEqualTo(3);
    }

    @Test
    @Requirement("MUST-19")
    void newRenoRetransmitsTheNextHoleOnAPartialAckAndLeavesRecoveryOnAFullAck() {
        TcpConnection c = established();
        c.send(p.now(), Scripted.bytes(10 * MSS));
        p.clearSent();
        // Segments 2 and 5 (indices 1 and 4) are lost; the peer acknowledges up to the first hole.
        for (int i = 0; i < 4; i++) {
            ackSegments(1);
        }
        List<ScriptedPeer.Sent> fast = Scripted.drain(p);
        assertThat(fast).extracting(ScriptedPeer.Sent::seq).containsExactly(iss + 1 + MSS);
        int ssthresh = c.status().ssthresh();
        assertThat(ssthresh).isEqualTo(9 * MSS / 2);
        // Partial ACK (RFC 6582 §3.2 step 5): up to the second hole; retransmit it at once.
        ackSegments(4);
        List<ScriptedPeer.Sent> partial = Scripted.drain(p);
        assertThat(partial).extracting(ScriptedPeer.Sent::seq).containsExactly(iss + 1 + 4 * MSS);
        // Full ACK: recovery ends; cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) (RFC 6582 step 4).
        ackSegments(10);
        assertThat(c.status().cwnd()).isEqualTo(2 * MSS);
        assertThat(c.status().unacknowledged()).isZero();
    }

    @Test
    @Requirement("MUST-19")
    void restartsFromTheInitialWindowAfterIdlingLongerThanTheRto() {
        TcpConnection c = established();
        c.send(p.now(), Scripted.bytes(10 * MSS));
        ackSegments(10);
        assertThat(cwndSegments(c)).isEqualTo(12);
        p.clearSent();
        p.advance(RTO / 2);
        c.send(p.now(), Scripted.bytes(12 * MSS));
        assertThat(Scripted.drain(p)).as("not idle long: the grown window applies").hasSize(12);
        ackSegments(22);
        assertThat(cwndSegments(c)).isEqualTo(14);
        p.advance(c.status().rtoNs() + 1);
        c.send(p.now(), Scripted.bytes(30 * MSS));
        assertThat(Scripted.drain(p)).as("RFC 5681 §4.1 restart window").hasSize(10);
        assertThat(cwndSegments(c)).isEqualTo(10);
    }
}
