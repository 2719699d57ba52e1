package dev.jtcp.tcp;

import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.wire.TcpOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Loss recovery driven by SACK (RFC 6675) and Limited Transmit (RFC 3042): several losses in one
 * window are repaired within a round trip, without waiting for the retransmission timer.
 */
class SackRecoveryTest {
    private static final int MSS = 1460;
    private static final int ISS = Scripted.ISS;
    private static final int IRS = Scripted.IRS;
    /**
     * RFC 8985's reordering window from the first loss on (the default waits; see {@link
     * TcpConfig#rackFirstLossWait()} and {@link TcpConfig#rackNoDupThresh()}).
     */
    private static final TcpConfig SACK = TcpConfig.builder().timestamps(false).sack(true).windowScaling(false)
            .rackFirstLossWait(false).rackNoDupThresh(false).rackRecoveryProbe(false).build();

    private static int seq(int segment) {
        return ISS + 1 + segment * MSS;
    }

    /** A duplicate ACK of segment 0 carrying the given SACK blocks (pairs of segment numbers, end exclusive). */
    private static ScriptedPeer.Seg dupAck(int... blocks) {
        ScriptedPeer.Seg s = seg(ACK).seq(IRS + 1).ack(seq(1)).window(65535);
        for (int i = 0; i < blocks.length; i += 2) {
            s.sack(seq(blocks[i]), seq(blocks[i + 1]));
        }
        return s;
    }

    @Test
    @Requirement({"MUST-19", "SHLD-16"})
    void repairsTwoLossesInOneWindowWithinARoundTrip() {
        ScriptedPeer p = Scripted.peer(SACK);
        TcpConnection c = Scripted.accept(p, s -> s.sackOk(), a -> a);
        c.send(p.now(), Scripted.bytes(10 * MSS));
        List<ScriptedPeer.Sent> flight = Scripted.drain(p);
        assertThat(flight).hasSize(10);
        // Segments 1 and 4 are lost. The peer acknowledges 0, then SACKs what follows as it arrives.
        p.advance(50 * 1_000_000L);
        p.inject(seg(ACK).seq(IRS + 1).ack(seq(1)).window(65535));
        p.inject(dupAck(2, 3));
        p.inject(dupAck(2, 4));
        p.inject(dupAck(5, 6, 2, 4));
        p.inject(dupAck(5, 7, 2, 4));
        p.inject(dupAck(5, 8, 2, 4));
        List<ScriptedPeer.Sent> repairs = Scripted.drain(p);
        // Both holes go out at once, before any timer: first segment 1, then segment 4.
        assertThat(repairs).extracting(ScriptedPeer.Sent::seq).startsWith(seq(1)).contains(seq(4));
        assertThat(repairs).allMatch(s -> s.payload().length <= MSS);
        assertThat(c.status().retransmissions()).isEqualTo(2);
        // The peer now has everything: recovery ends, and nothing more is retransmitted.
        p.inject(seg(ACK).seq(IRS + 1).ack(seq(10)).window(65535));
        p.advance(2_000 * 1_000_000L);
        assertThat(Scripted.drain(p)).noneMatch(s -> s.seq() == seq(1) || s.seq() == seq(4));
        assertThat(c.status().unacknowledged()).isZero();
    }

    /** jtcp's default (TcpConfig.rackFirstLossWait): the connection's first hole is not taken for loss at once. */
    private static TcpConnection firstHoleWithThreeSacked(ScriptedPeer p) {
        TcpConnection c = Scripted.accept(p, s -> s.sackOk(), a -> a);
        c.send(p.now(), Scripted.bytes(10 * MSS));
        assertThat(Scripted.drain(p)).hasSize(10);
        // One round trip (100 ms, as the handshake's, so min RTT is 100 ms); segment 1 is missing and
        // DupThresh segments after it are SACKed.
        p.advance(Scripted.RTT);
        p.inject(seg(ACK).seq(IRS + 1).ack(seq(1)).window(65535));
        p.inject(dupAck(2, 3));
        p.inject(dupAck(2, 4));
        p.inject(dupAck(2, 5));
        return c;
    }

    @Test
    @Requirement({"MUST-19", "RFC8985-RACK"})
    void aFirstHoleFilledWithinHalfAMinimumRttDrawsNoRetransmission() {
        ScriptedPeer p = Scripted.peer(TcpConfig.builder().timestamps(false).sack(true).windowScaling(false).build());
        TcpConnection c = firstHoleWithThreeSacked(p);
        // RFC 8985 would resend segment 1 now (no reordering seen, DupThresh SACKed); jtcp waits half
        // the minimum RTT, 50 ms, for the first loss decision of the connection.
        assertThat(Scripted.drain(p)).noneMatch(x -> x.seq() == seq(1));
        p.advance(45 * 1_000_000L);
        assertThat(Scripted.drain(p)).noneMatch(x -> x.seq() == seq(1));
        // Segment 1 was only late: it arrives, and nothing was sent twice.
        p.inject(seg(ACK).seq(IRS + 1).ack(seq(5)).window(65535));
        p.inject(seg(ACK).seq(IRS + 1).ack(seq(10)).window(65535));
        p.advance(2_000 * 1_000_000L);
        assertThat(Scripted.drain(p)).noneMatch(x -> x.seq() == seq(1));
        assertThat(c.status().retransmissions()).isZero();
        assertThat(c.status().unacknowledged()).isZero();
    }

    @Test
    @Requirement({"MUST-19", "RFC8985-RACK"})
    void aFirstHoleStillOpenAfterHalfAMinimumRttIsResentByTheReorderingTimerNotTheRto() {
        ScriptedPeer p = Scripted.peer(TcpConfig.builder().timestamps(false).sack(true).windowScaling(false).build());
        TcpConnection c = firstHoleWithThreeSacked(p);
        assertThat(Scripted.drain(p)).noneMatch(x -> x.seq() == seq(1));
        // Half the minimum RTT after segment 4 was delivered (both sent at once), segment 1 is lost.
        p.advance(55 * 1_000_000L);
        assertThat(Scripted.drain(p)).extracting(ScriptedPeer.Sent::seq).startsWith(seq(1));
        assertThat(c.status().timeouts()).isZero();
        // From the first loss decision on, RFC 8985's window applies: in recovery and with no
        // reordering seen, the next hole (segment 6, with 7..9 SACKed) goes out on the same ACK.
        p.inject(dupAck(7, 10, 2, 6));
        assertThat(Scripted.drain(p)).extracting(ScriptedPeer.Sent::seq).contains(seq(6));
        assertThat(c.status().reorderingSeen()).as("two blocks newly SACKed by one ACK are no reordering").isZero();
        assertThat(c.status().timeouts()).isZero();
    }

    /** All ten segments sent, segment 1 lost, 2..9 SACKed, and the fast retransmission of 1 lost too. */
    private static TcpConnection lostRetransmissionAtTheTail(ScriptedPeer p) {
        TcpConnection c = Scripted.accept(p, s -> s.sackOk(), a -> a);
        c.send(p.now(), Scripted.bytes(10 * MSS));
        assertThat(Scripted.drain(p)).hasSize(10);
        p.advance(Scripted.RTT);
        p.inject(seg(ACK).seq(IRS + 1).ack(seq(1)).window(65535));
        p.inject(dupAck(2, 3));
        p.inject(dupAck(2, 4));
        p.inject(dupAck(2, 5));
        assertThat(Scripted.drain(p)).extracting(ScriptedPeer.Sent::seq).containsExactly(seq(1));
        p.inject(dupAck(2, 10));
        assertThat(Scripted.drain(p)).isEmpty();
        return c;
    }

    @Test
    @Requirement("RFC8985-LOSTRTX")
    void aLostRetransmissionAtTheTailIsProbedAfterThePtoNotTheRto() {
        ScriptedPeer p = Scripted.peer(SACK.toBuilder().rackRecoveryProbe(true).build());
        TcpConnection c = lostRetransmissionAtTheTail(p);
        // Nothing sent after the retransmission can be SACKed: a probe goes after 2 × SRTT (200 ms),
        // before the RTO would fire, and resends the one segment not SACKed.
        p.advance(190 * 1_000_000L);
        assertThat(Scripted.drain(p)).isEmpty();
        p.advance(20 * 1_000_000L);
        assertThat(Scripted.drain(p)).extracting(ScriptedPeer.Sent::seq).containsExactly(seq(1));
        p.inject(seg(ACK).seq(IRS + 1).ack(seq(10)).window(65535));
        assertThat(c.status().timeouts()).isZero();
        assertThat(c.status().unacknowledged()).isZero();
    }

    @Test
    @Requirement("RFC8985-LOSTRTX")
    void withoutTheRecoveryProbeTheRtoFindsALostRetransmissionAtTheTail() {
        ScriptedPeer p = Scripted.peer(SACK.toBuilder().rackRecoveryProbe(false).build());
        TcpConnection c = lostRetransmissionAtTheTail(p);
        p.advance(210 * 1_000_000L);
        assertThat(Scripted.drain(p)).as("RFC 8985 sends no probe in recovery").isEmpty();
        p.advance(2_000 * 1_000_000L);
        assertThat(Scripted.drain(p)).extracting(ScriptedPeer.Sent::seq).startsWith(seq(1));
        assertThat(c.status().timeouts()).isPositive();
    }

    @Test
    @Requirement("MUST-19")
    void limitedTransmitSendsNewSegmentsOnTheFirstTwoDuplicateAcks() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        c.send(p.now(), Scripted.bytes(20 * MSS));
        assertThat(Scripted.drain(p)).hasSize(10);
        // Segment 0 is lost; the first two duplicate ACKs each release one new segment (RFC 3042).
        p.inject(seg(ACK).seq(IRS + 1).ack(seq(0)).window(65535));
        assertThat(Scripted.drain(p)).extracting(ScriptedPeer.Sent::seq).containsExactly(seq(10));
        p.inject(seg(ACK).seq(IRS + 1).ack(seq(0)).window(65535));
        assertThat(Scripted.drain(p)).extracting(ScriptedPeer.Sent::seq).containsExactly(seq(11));
        // The third is the fast retransmit of segment 0.
        p.inject(seg(ACK).seq(IRS + 1).ack(seq(0)).window(65535));
        assertThat(Scripted.drain(p)).extracting(ScriptedPeer.Sent::seq).startsWith(seq(0));
    }

    @Test
    @Requirement("MUST-19")
    void undoesTheWindowReductionWhenTimestampsShowTheRetransmitWasSpurious() {
        TcpConfig ts = TcpConfig.builder().timestamps(true).sack(true).windowScaling(false).rackFirstLossWait(false)
                .rackNoDupThresh(false).build();
        ScriptedPeer p = Scripted.peer(ts);
        TcpConnection c = Scripted.accept(p, s -> s.sackOk().ts(1000, 0), a -> a);
        p.advance(10 * 1_000_000L);
        c.send(p.now(), Scripted.bytes(10 * MSS));
        List<ScriptedPeer.Sent> flight = Scripted.drain(p);
        int[] at = flight.stream().mapToInt(ScriptedPeer.Sent::seq).toArray();
        int originalTsVal = flight.get(1).h().option(dev.jtcp.wire.TcpOption.Timestamps.class).tsVal();
        int cwndBefore = c.status().cwnd();
        p.advance(50 * 1_000_000L);
        // Segment 1 is only late: the peer SACKs 2..4, which makes segment 1 look lost.
        p.inject(seg(ACK).seq(IRS + 1).ack(at[1]).window(65535).ts(1001, originalTsVal));
        for (int k = 3; k <= 5; k++) {
            p.inject(seg(ACK).seq(IRS + 1).ack(at[1]).window(65535).sack(at[2], at[k]).ts(1001, originalTsVal));
        }
        assertThat(Scripted.drain(p)).extracting(ScriptedPeer.Sent::seq).contains(at[1]);
        assertThat(c.status().cwnd()).as("halved for the presumed loss").isLessThan(cwndBefore);
        // Then the late original arrives: the cumulative ACK echoes its TSval, older than the
        // retransmission's (RFC 3522), so the reduction is undone (RFC 4015).
        p.inject(seg(ACK).seq(IRS + 1).ack(at[5]).window(65535).ts(1002, originalTsVal));
        assertThat(c.status().cwnd()).isGreaterThanOrEqualTo(cwndBefore);
    }

    @Test
    @Requirement("MUST-16")
    void aFullSizedSegmentCarriesLessDataSoItsSackBlocksFit() {
        // Both directions carry data and both receivers have a hole (seen between two stacks on a
        // link with an exact MTU): a full segment with timestamps and a SACK block was 12 bytes past
        // the peer's MSS, and the link dropped every retransmission of it. As Linux's tcp_current_mss,
        // the data shrinks by the blocks' room instead, and the blocks travel with it.
        TcpConfig ts = TcpConfig.builder().timestamps(true).sack(true).windowScaling(false).build();
        ScriptedPeer p = Scripted.peer(ts);
        TcpConnection c = Scripted.accept(p, s -> s.sackOk().ts(1000, 0), a -> a);
        int effMss = c.status().effectiveSendMss();
        assertThat(effMss).isEqualTo(MSS - 12);
        // The peer's first 100 bytes are lost; the next 100 arrive out of order.
        p.inject(seg(ACK).seq(IRS + 1 + 100).ack(ISS + 1).window(65535).ts(1001, 0).data(100));
        ScriptedPeer.Sent dupAck = Scripted.drain(p).getLast();
        assertThat(dupAck.h().option(TcpOption.Sack.class)).as("the duplicate ACK's SACK block").isNotNull();
        c.send(p.now(), Scripted.bytes(3 * effMss));
        List<ScriptedPeer.Sent> data = Scripted.drain(p);
        assertThat(data).hasSizeGreaterThanOrEqualTo(3);
        // One block: two NOPs, kind, length and 8 bytes.
        assertThat(data.getFirst().payload().length).isEqualTo(effMss - 12);
        assertThat(data).allSatisfy(s -> assertThat(s.h().option(TcpOption.Sack.class)).isNotNull());
        // RFC 9293 §3.7.1: the options and data of a segment stay within the peer's MSS.
        assertThat(data).allSatisfy(s -> assertThat(optionBytes(s) + s.payload().length).isLessThanOrEqualTo(MSS));
        // A second hole: two blocks, 8 bytes less data again.
        p.inject(seg(ACK).seq(IRS + 1 + 300).ack(ISS + 1).window(65535).ts(1002, 0).data(100));
        Scripted.drain(p);
        c.send(p.now(), Scripted.bytes(2 * effMss));
        List<ScriptedPeer.Sent> more = Scripted.drain(p);
        assertThat(more).isNotEmpty().allSatisfy(s -> {
            assertThat(s.h().option(TcpOption.Sack.class).edges()).hasSize(4);
            assertThat(optionBytes(s) + s.payload().length).isLessThanOrEqualTo(MSS);
        });
    }

    /** The option bytes of a sent segment as parsed from the wire (its NOPs included). */
    private static int optionBytes(ScriptedPeer.Sent s) {
        return s.h().options().stream().mapToInt(TcpOption::wireLength).sum();
    }
}
