package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.tcp.Scripted.MS;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.wire.TcpOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * When the receiver acknowledges (RFC 9293 §3.8.6.3, RFC 5681 §4.2): delayed ACKs, an ACK for every
 * second full-sized segment, immediate ACKs for out-of-order data and hole fills, with the
 * out-of-order data kept and SACK blocks reported (RFC 2018 §4).
 */
class AckGenerationTest {
    private static final TcpConfig SACK = Scripted.PLAIN.toBuilder().sack(true).build();
    /** The delayed-ACK rules alone, without Linux's quick-ACK mode at the start of a connection. */
    private static final TcpConfig DELAYED = Scripted.PLAIN.toBuilder().quickAck(false).build();

    private static ScriptedPeer.Seg data(int offset, byte[] all, int from, int to) {
        return seg(ACK).seq(IRS + 1 + offset).ack(ISS + 1).data(Arrays.copyOfRange(all, from, to));
    }

    @Test
    @Requirement({"SHLD-18", "MUST-40"})
    void delaysTheAckOfASingleSegmentByTheConfiguredDelay() {
        for (TcpConfig cfg : new TcpConfig[] {DELAYED, DELAYED.toBuilder().delayedAck(Duration.ofMillis(200)).build()}) {
            ScriptedPeer p = Scripted.peer(cfg);
            Scripted.accept(p);
            long t0 = p.now();
            p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).data(100));
            p.advance(cfg.delayedAckNs() - 1);
            p.expectNothingSent();
            p.advance(1);
            ScriptedPeer.Sent ack = p.next();
            assertThat(ack.ack()).isEqualTo(IRS + 101);
            assertThat(ack.timeNs() - t0).isEqualTo(cfg.delayedAckNs()).isLessThan(500 * MS);
        }
        assertThat(TcpConfig.defaults().delayedAckNs()).isEqualTo(40 * MS);
        assertThatThrownBy(() -> TcpConfig.builder().delayedAck(Duration.ofMillis(500)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.5 s");
    }

    @Test
    @Requirement("SHLD-19")
    void acknowledgesEverySecondFullSizedSegmentAtOnce() {
        ScriptedPeer p = Scripted.peer(DELAYED);
        Scripted.accept(p);
        for (int i = 0; i < 6; i++) {
            p.inject(seg(ACK).seq(IRS + 1 + i * 1460).ack(ISS + 1).data(1460));
            if (i % 2 == 0) {
                p.expectNothingSent();
            } else {
                assertThat(p.next().ack()).isEqualTo(IRS + 1 + (i + 1) * 1460);
                p.expectNothingSent();
            }
        }
    }

    @Test
    @Requirement({"MAY-13", "SHLD-31", "MUST-59"})
    void acknowledgesOutOfOrderDataAtOnceWithSackBlocksMostRecentFirst() {
        ScriptedPeer p = Scripted.peer(SACK);
        TcpConnection c = Scripted.accept(p, s -> s.sackOk(), UnaryOperator.identity());
        assertThat(c.status().sackPermitted()).isTrue();
        byte[] all = Scripted.bytes(4000).array();
        p.inject(data(1000, all, 1000, 2000));
        ScriptedPeer.Sent a1 = p.next();
        assertThat(a1.ack()).isEqualTo(IRS + 1);
        assertThat(a1.h().option(TcpOption.Sack.class).edges()).containsExactly(IRS + 1001, IRS + 2001);
        p.inject(data(3000, all, 3000, 4000));
        ScriptedPeer.Sent a2 = p.next();
        assertThat(a2.ack()).isEqualTo(IRS + 1);
        assertThat(a2.h().option(TcpOption.Sack.class).edges())
                .as("RFC 2018 §4: the first block holds the segment that triggered this ACK")
                .containsExactly(IRS + 3001, IRS + 4001, IRS + 1001, IRS + 2001);
        p.inject(data(2000, all, 2000, 3000));
        assertThat(p.next().h().option(TcpOption.Sack.class).edges()).containsExactly(IRS + 1001, IRS + 4001);
        assertThat(c.readable()).isZero();
        // The hole fills: one ACK at once for everything queued (MUST-59), no SACK left to report.
        p.inject(data(0, all, 0, 1000));
        ScriptedPeer.Sent a4 = p.next();
        assertThat(a4.ack()).isEqualTo(IRS + 4001);
        assertThat(a4.h().option(TcpOption.Sack.class)).isNull();
        p.expectNothingSent();
        assertThat(Scripted.readAll(c, p.now())).isEqualTo(all);
    }

    @Test
    @Requirement("MAY-13")
    void reportsAtMostThreeSackBlocksBesideTimestamps() {
        ScriptedPeer p = Scripted.peer(SACK.toBuilder().timestamps(true).build());
        Scripted.accept(p, s -> s.sackOk().ts(100, 0), UnaryOperator.identity());
        ScriptedPeer.Sent last = null;
        for (int i = 1; i <= 4; i++) {
            p.inject(seg(ACK).seq(IRS + 1 + i * 200).ack(ISS + 1).ts(2000 + i, 0).data(100));
            last = p.next();
        }
        // 40 option bytes: 12 for timestamps, then 2 + 8 per block: room for three, newest first.
        assertThat(last.h().option(TcpOption.Sack.class).edges()).containsExactly(IRS + 801, IRS + 901,
                IRS + 601, IRS + 701, IRS + 401, IRS + 501);
    }

    @Test
    @Requirement({"MUST-58", "SHLD-18"})
    void piggybacksTheDelayedAckOnDataSentMeanwhile() {
        ScriptedPeer p = Scripted.peer(DELAYED);
        TcpConnection c = Scripted.accept(p);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).data(100));
        p.advance(10 * MS);
        c.send(p.now(), Scripted.bytes(50));
        ScriptedPeer.Sent reply = p.next();
        assertThat(reply.payload()).hasSize(50);
        assertThat(reply.ack()).isEqualTo(IRS + 101);
        p.advance(100 * MS);
        p.expectNothingSent();
    }

    @Test
    @Requirement("MAY-13")
    void reportsNoSackBlocksUnlessThePeerPermittedThem() {
        ScriptedPeer p = Scripted.peer(SACK);
        TcpConnection c = Scripted.accept(p);
        assertThat(c.status().sackPermitted()).isFalse();
        p.inject(seg(ACK).seq(IRS + 1001).ack(ISS + 1).data(100));
        ScriptedPeer.Sent ack = p.next();
        assertThat(ack.ack()).isEqualTo(IRS + 1);
        assertThat(ack.h().options()).isEmpty();
    }

    @Test
    @Requirement("SHLD-18")
    void quickAckModeAcknowledgesTheFirstSixteenSegmentsAtOnceAndAgainAfterAnIdleRto() {
        assertThat(TcpConfig.defaults().quickAck()).isTrue();
        assertThat(TcpConfig.linux().quickAck()).isTrue();
        assertThat(TcpConfig.rfc().quickAck()).isFalse();
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        int seq = IRS + 1;
        // 65535 bytes of window / (2 x 536) gives more than 16: Linux's cap of 16 quick ACKs applies.
        for (int i = 0; i < 16; i++) {
            p.inject(seg(ACK).seq(seq).ack(ISS + 1).data(100));
            seq += 100;
            assertThat(p.next().ack()).as("quick ACK %d", i).isEqualTo(seq);
            p.advance(MS);
        }
        p.inject(seg(ACK).seq(seq).ack(ISS + 1).data(100));
        seq += 100;
        p.expectNothingSent();
        p.advance(Scripted.PLAIN.delayedAckNs());
        assertThat(p.next().ack()).isEqualTo(seq);
        Scripted.readAll(c, p.now());
        // Idle for longer than the RTO: the sender may restart from its initial window; quick ACKs again.
        p.advance(2000 * MS);
        p.inject(seg(ACK).seq(seq).ack(ISS + 1).data(100));
        seq += 100;
        assertThat(p.next().ack()).isEqualTo(seq);
        // TCP_QUICKACK 0 turns the mode off for the connection.
        c.quickAck(false);
        p.inject(seg(ACK).seq(seq).ack(ISS + 1).data(100));
        p.expectNothingSent();
    }
}
