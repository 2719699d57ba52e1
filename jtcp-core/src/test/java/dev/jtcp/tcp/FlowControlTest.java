package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.tcp.Scripted.MS;
import static dev.jtcp.tcp.Scripted.RTO;
import static dev.jtcp.tcp.Scripted.S;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static dev.jtcp.wire.TcpFlags.PSH;
import static dev.jtcp.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Flow control: window scaling (RFC 7323 §2), zero-window probing (RFC 9293 §3.8.6.1), a peer that
 * shrinks its window (§3.8.6), silly window syndrome avoidance at both ends (§3.8.6.2), Nagle and
 * segmentation (§3.7.4, §3.9.1.2).
 */
class FlowControlTest {
    private static final int MSS = 1460;
    private static final TcpConfig SCALING = TcpConfig.builder().timestamps(false).sack(false).build();

    private static ScriptedPeer.Seg ack(int ack, int window) {
        return seg(ACK).seq(IRS + 1).ack(ack).window(window);
    }

    // ---- window scaling ----

    @Test
    void scalesWindowsOnlyWhenBothSynsCarryTheOption() {
        ScriptedPeer p = Scripted.peer(SCALING);
        TcpConnection c = p.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        ScriptedPeer.Sent syn = p.next();
        // The scale covers the 6 MiB the receive buffer may autotune to.
        assertThat(syn.h().option(TcpOption.WindowScale.class)).isEqualTo(new TcpOption.WindowScale(7));
        assertThat(syn.window()).as("a SYN's window is never scaled").isEqualTo(65535);
        p.inject(seg(SYN | ACK).seq(IRS).ack(ISS + 1).mss(1460).wscale(2).window(1000));
        assertThat(c.status().sndWnd()).as("the SYN,ACK's window is not scaled").isEqualTo(1000);
        ScriptedPeer.Sent ackOfSynAck = p.next();
        assertThat(ackOfSynAck.window()).as("256 KiB >> 7").isEqualTo(2048);
        p.inject(ack(ISS + 1, 1000));
        assertThat(c.status().sndWnd()).isEqualTo(4000);
        assertThat(c.status().sndWndScale()).isEqualTo(2);
        assertThat(c.status().rcvWndScale()).isEqualTo(7);
    }

    @Test
    void doesNotScaleWhenThePeersSynAckLacksTheOption() {
        ScriptedPeer p = Scripted.peer(SCALING);
        TcpConnection c = p.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        p.next();
        p.inject(seg(SYN | ACK).seq(IRS).ack(ISS + 1).mss(1460).window(1000));
        assertThat(p.next().window()).as("our window, unscaled, capped at 65535").isEqualTo(65535);
        p.inject(ack(ISS + 1, 1000));
        assertThat(c.status().sndWnd()).isEqualTo(1000);
        assertThat(c.status().sndWndScale()).isZero();
        assertThat(c.status().rcvWndScale()).isZero();
    }

    @Test
    void answersWindowScaleOnSynAckOnlyWhenTheSynOfferedIt() {
        ScriptedPeer without = Scripted.peer(SCALING);
        without.host.listen(0, 80, 8);
        without.inject(seg(SYN).seq(IRS).mss(1460));
        assertThat(without.next().h().option(TcpOption.WindowScale.class)).isNull();

        ScriptedPeer with = Scripted.peer(SCALING);
        with.host.listen(0, 80, 8);
        with.inject(seg(SYN).seq(IRS).mss(1460).wscale(7));
        ScriptedPeer.Sent synAck = with.next();
        assertThat(synAck.h().option(TcpOption.WindowScale.class)).isEqualTo(new TcpOption.WindowScale(7));
        with.inject(ack(ISS + 1, 10));
        TcpConnection c = with.host.connections().getFirst();
        assertThat(c.status().sndWnd()).isEqualTo(10 << 7);

        ScriptedPeer off = Scripted.peer(Scripted.PLAIN);
        off.host.listen(0, 80, 8);
        off.inject(seg(SYN).seq(IRS).mss(1460).wscale(7));
        assertThat(off.next().h().option(TcpOption.WindowScale.class)).as("not configured: not offered").isNull();
    }

    @Test
    @Requirement({"MUST-1", "REC-1"})
    void treatsTheWindowAsUnsignedAndScaledWindowsAsThirtyTwoBits() {
        ScriptedPeer p = Scripted.peer(SCALING);
        TcpConnection c = Scripted.accept(p, s -> s.wscale(14), s -> s.window(0xFFFF));
        assertThat(c.status().sndWnd()).isEqualTo(0xFFFF << 14).isPositive();
        ScriptedPeer q = Scripted.peer();
        TcpConnection d = Scripted.accept(q, s -> s.window(0xFFFF), s -> s.window(0xFFFF));
        assertThat(d.status().sndWnd()).isEqualTo(65535);
        d.send(q.now(), Scripted.bytes(20_000));
        assertThat(Scripted.drain(q)).hasSize(10);
    }

    // ---- zero window ----

    @Test
    @Requirement({"MUST-35", "MUST-36", "SHLD-29", "SHLD-30", "MUST-37", "MAY-7"})
    void probesAZeroWindowWithBackoffAndKeepsTheConnectionWhileProbesAreAnswered() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        p.inject(ack(ISS + 1, 0));
        long t0 = p.now();
        c.send(t0, Scripted.bytes(1000));
        p.expectNothingSent();
        List<Long> probeTimes = new ArrayList<>();
        long end = t0 + 30 * 60 * S;
        while (p.now() < end) {
            p.advance(100 * MS);
            for (ScriptedPeer.Sent s : Scripted.drain(p)) {
                assertThat(s.payload().length).as("a probe carries one octet: %s", s).isEqualTo(1);
                assertThat(s.seq()).isEqualTo(ISS + 1);
                probeTimes.add((s.timeNs() - t0) / MS);
                p.inject(ack(ISS + 1, 0)); // "I still have no room"
            }
        }
        // First probe after one RTO (SHLD-29), then doubling (SHLD-30) up to the maximum RTO.
        assertThat(probeTimes).startsWith(300L, 900L, 2_100L, 4_500L, 9_300L, 18_900L, 38_100L, 76_500L,
                153_300L, 273_300L, 393_300L);
        assertThat(probeTimes.size()).isGreaterThan(15);
        assertThat(c.state()).as("a zero window may stay closed indefinitely (MUST-37)").isEqualTo(TcpState.ESTABLISHED);
        // The window opens: everything goes, starting from the refused probe octet.
        p.inject(ack(ISS + 1, 65535));
        List<ScriptedPeer.Sent> data = Scripted.drain(p);
        assertThat(data).isNotEmpty();
        assertThat(data.getFirst().seq()).isEqualTo(ISS + 1);
        assertThat(data.stream().mapToInt(s -> s.payload().length).sum()).isEqualTo(1000);
        p.inject(ack(ISS + 1001, 65535));
        assertThat(c.status().unacknowledged()).isZero();
    }

    @Test
    @Requirement({"MUST-36", "MUST-37"})
    void probesAClosedWindowWithTheFinUntilThePeerTakesIt() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        p.inject(ack(ISS + 1, 0));
        c.close(p.now());
        p.expectNothingSent();
        int fins = 0;
        for (int i = 0; i < 200; i++) {
            p.advance(1 * S);
            for (ScriptedPeer.Sent s : Scripted.drain(p)) {
                assertThat(s.is(dev.jtcp.wire.TcpFlags.FIN | ACK)).as("%s", s).isTrue();
                assertThat(s.seq()).as("%s", s).isEqualTo(ISS + 1);
                fins++;
                p.inject(ack(ISS + 1, 0)); // no room even for the FIN
            }
        }
        assertThat(fins).as("probing goes on").isGreaterThan(5);
        assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_1);
        p.inject(ack(ISS + 1, 1000));
        ScriptedPeer.Sent fin = p.next();
        assertThat(fin.is(dev.jtcp.wire.TcpFlags.FIN | ACK)).as("%s", fin).isTrue();
        assertThat(fin.seq()).as("%s", fin).isEqualTo(ISS + 1);
        p.inject(ack(ISS + 2, 1000));
        assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_2);
    }

    @Test
    @Requirement({"MUST-36", "MUST-37"})
    void givesUpOnAZeroWindowOnlyWhenProbesGoUnanswered() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        p.inject(ack(ISS + 1, 0));
        c.send(p.now(), Scripted.bytes(1000));
        p.advance(99 * S);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        p.advance(300 * S);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).isEqualTo(TcpError.TIMED_OUT);
    }

    // ---- shrinking window ----

    @Test
    @Requirement({"MUST-34", "SHLD-15", "SHLD-16", "SHLD-17", "MUST-35"})
    void survivesAPeerThatShrinksItsWindow() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        c.send(p.now(), Scripted.bytes(30 * MSS));
        assertThat(Scripted.drain(p)).hasSize(10);
        int sndMax = ISS + 1 + 10 * MSS;
        // The peer acknowledges one segment and moves its right edge left of SND.NXT.
        p.inject(ack(ISS + 1 + MSS, 2 * MSS));
        p.expectNothingSent(); // SHLD-15: no new data
        p.advance(c.status().rtoNs());
        List<ScriptedPeer.Sent> rtx = Scripted.drain(p);
        // SHLD-16: the old data inside SND.UNA..SND.UNA+SND.WND is retransmitted normally.
        assertThat(rtx).extracting(ScriptedPeer.Sent::seq).containsExactly(ISS + 1 + MSS);
        // Then the window shrinks to zero, with data beyond it unacknowledged, for ten minutes.
        p.inject(ack(ISS + 1 + 2 * MSS, 0));
        long end = p.now() + 600 * S;
        while (p.now() < end) {
            p.advance(100 * MS);
            for (ScriptedPeer.Sent s : Scripted.drain(p)) {
                assertThat(SeqNum.le(s.seq() + s.payload().length, ISS + 1 + 2 * MSS + 1))
                        .as("nothing beyond a one-octet probe: %s", s).isTrue();
                p.inject(ack(ISS + 1 + 2 * MSS, 0));
            }
        }
        assertThat(c.state()).as("SHLD-17: no timeout for data beyond the right edge").isEqualTo(TcpState.ESTABLISHED);
        // The window reopens; the peer acknowledges whatever arrives; all 30 segments get through.
        p.inject(ack(ISS + 1 + 2 * MSS, 65535));
        int acked = ISS + 1 + 2 * MSS;
        for (int round = 0; round < 100 && c.status().unacknowledged() + c.status().unsent() > 0; round++) {
            for (ScriptedPeer.Sent s : Scripted.drain(p)) {
                if (s.seq() == acked) {
                    acked += s.payload().length;
                }
            }
            p.inject(ack(acked, 65535));
            p.advance(10 * MS);
        }
        assertThat(acked).isEqualTo(ISS + 1 + 30 * MSS);
        assertThat(SeqNum.gt(acked, sndMax)).isTrue();
    }

    // ---- receiver SWS avoidance ----

    @Test
    @Requirement({"MUST-39", "SHLD-14"})
    void receiverAdvancesItsRightEdgeOnlyInLargeStepsAndNeverBackwards() {
        ScriptedPeer p = Scripted.peer(Scripted.PLAIN.toBuilder().receiveBufferBytes(8192).build());
        TcpConnection c = Scripted.accept(p);
        List<ScriptedPeer.Sent> acks = new ArrayList<>();
        int seq = IRS + 1;
        for (int i = 0; i < 8; i++) {
            p.inject(seg(ACK).seq(seq).ack(ISS + 1).data(1024));
            seq += 1024;
            p.advance(50 * MS);
            acks.addAll(Scripted.drain(p));
        }
        ScriptedPeer.Sent last = acks.getLast();
        assertThat(last.ack()).isEqualTo(IRS + 1 + 8192);
        assertThat(last.window()).as("buffer full").isZero();
        // The application reads a little: the window must not open by a silly amount.
        c.receive(p.now(), java.nio.ByteBuffer.allocate(500));
        p.advance(1 * S);
        acks.addAll(p.pending());
        p.expectNothingSent();
        // Reading past min(RCV.BUFF/2, MSS) = 1460 octets opens the window at once, by all that is free.
        c.receive(p.now(), java.nio.ByteBuffer.allocate(1000));
        ScriptedPeer.Sent update = p.next();
        assertThat(update.ack()).isEqualTo(IRS + 1 + 8192);
        assertThat(update.window()).isEqualTo(1500);
        acks.add(update);
        // Fill it again with small segments: the right edge stays put (SHLD-14) and never moves left.
        for (int i = 0; i < 15; i++) {
            p.inject(seg(ACK).seq(seq).ack(ISS + 1).data(100));
            seq += 100;
            p.advance(50 * MS);
            acks.addAll(Scripted.drain(p));
        }
        int edge = 0;
        for (ScriptedPeer.Sent a : acks) {
            int right = a.ack() + a.window();
            if (edge != 0) {
                assertThat(SeqNum.ge(right, edge)).as("right edge moved left at %s", a).isTrue();
            }
            edge = right;
        }
        assertThat(edge).isEqualTo(IRS + 1 + 8192 + 1500);
    }

    @Test
    @Requirement({"MUST-37", "MAY-8"})
    void answersThePeersZeroWindowProbesWithTheWindow() {
        ScriptedPeer p = Scripted.peer(Scripted.PLAIN.toBuilder().receiveBufferBytes(4096).build());
        TcpConnection c = Scripted.accept(p);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).data(4096));
        assertThat(p.next().window()).isZero();
        for (int i = 0; i < 3; i++) {
            p.advance(10 * S);
            p.inject(seg(ACK).seq(IRS + 4097).ack(ISS + 1).data(1)); // the peer's probe
            ScriptedPeer.Sent ack = p.next();
            assertThat(ack.ack()).isEqualTo(IRS + 4097);
            assertThat(ack.window()).isZero();
        }
        assertThat(c.readable()).isEqualTo(4096);
        c.receive(p.now(), java.nio.ByteBuffer.allocate(4096));
        ScriptedPeer.Sent update = p.next();
        assertThat(update.ack()).isEqualTo(IRS + 4097);
        assertThat(update.window()).isEqualTo(4096);
    }

    @Test
    @Requirement("SHLD-14")
    void scaledWindowMovesTheRightEdgeLeftByLessThanItsGranularityOnly() {
        // A fixed 256 KiB buffer (no autotuning): window scale 3.
        ScriptedPeer p = Scripted.peer(SCALING.toBuilder().receiveBufferMaxBytes(256 * 1024).build());
        TcpConnection c = Scripted.accept(p, s -> s.wscale(0), UnaryOperator.identity());
        assertThat(c.status().rcvWndScale()).isEqualTo(3);
        long edge = 0;
        int seq = IRS + 1;
        for (int i = 0; i < 300; i++) {
            p.inject(seg(ACK).seq(seq).ack(ISS + 1).data(1001 + i % 7));
            seq += 1001 + i % 7;
            if (i % 50 == 49) {
                c.receive(p.now(), java.nio.ByteBuffer.allocate(3333));
            }
            p.advance(50 * MS);
            for (ScriptedPeer.Sent a : Scripted.drain(p)) {
                // RFC 7323 §2.4: a window field in units of 2^3 octets cannot keep an edge that RCV.NXT
                // no longer lies a multiple of 8 below; the edge may retreat by less than one unit.
                long right = Integer.toUnsignedLong(a.ack()) + ((long) a.window() << 3);
                assertThat(right).as("right edge at %s", a).isGreaterThan(edge - 8);
                edge = Math.max(edge, right);
            }
        }
        assertThat(c.readable()).isPositive();
    }

    // ---- sender SWS avoidance, Nagle, segmentation ----

    @Test
    @Requirement("MUST-38")
    void senderDoesNotSendASillySegmentIntoASmallUsableWindow() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        c.send(p.now(), Scripted.bytes(30 * MSS));
        assertThat(Scripted.drain(p)).hasSize(10);
        // Nine segments acknowledged; the window leaves 540 usable octets beside the one in flight.
        p.inject(ack(ISS + 1 + 9 * MSS, 2000));
        p.expectNothingSent();
        // The last one acknowledged: a full segment fits, the 540-octet remainder still waits.
        p.inject(ack(ISS + 1 + 10 * MSS, 2000));
        List<ScriptedPeer.Sent> sent = Scripted.drain(p);
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().payload()).hasSize(MSS);
    }

    @Test
    @Requirement("MUST-38")
    void senderFillsAWindowThatIsSmallOnlyBecauseThePeersBufferIsSmall() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p, s -> s.window(1000), s -> s.window(1000));
        c.send(p.now(), Scripted.bytes(5000));
        List<ScriptedPeer.Sent> sent = Scripted.drain(p);
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().payload()).as("half of the largest window seen, or more, may go").hasSize(1000);
    }

    @Test
    @Requirement("MUST-38")
    void sendsASmallWindowLimitedSegmentAtOnceWhenNothingIsInFlight() {
        // Deviation, as Linux: RFC 9293 §3.8.6.2.1's override timeout is zero when nothing is in
        // flight, since no ACK would come to open the window further.
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        p.inject(ack(ISS + 1, 300));
        c.send(p.now(), Scripted.bytes(5000));
        List<ScriptedPeer.Sent> sent = Scripted.drain(p);
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().payload()).hasSize(300);
    }

    @Test
    @Requirement({"SHLD-7", "MUST-17", "MAY-16"})
    void nagleHoldsSmallSegmentsWhileDataIsUnacknowledgedUnlessDisabled() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        c.send(p.now(), Scripted.bytes(100));
        assertThat(p.next().payload()).hasSize(100);
        c.send(p.now(), Scripted.bytes(100));
        c.send(p.now(), Scripted.bytes(100));
        p.expectNothingSent();
        p.inject(ack(ISS + 101, 65535));
        assertThat(p.next().payload()).as("the held pieces go together").hasSize(200);
        p.expectNothingSent();

        c.noDelay(true);
        c.send(p.now(), Scripted.bytes(100));
        c.send(p.now(), Scripted.bytes(100));
        assertThat(Scripted.drain(p)).hasSize(2).allMatch(s -> s.payload().length == 100);
    }

    @Test
    @Requirement({"SHLD-7", "MUST-60"})
    void minshallNagleHoldsASmallSegmentOnlyWhileAnEarlierSmallOneIsUnacknowledged() {
        ScriptedPeer p = Scripted.peer(Scripted.PLAIN.toBuilder().minshallNagle(true).build());
        TcpConnection c = Scripted.accept(p);
        // The short tail of a write goes at once behind the full segments (no short one in flight).
        c.send(p.now(), Scripted.bytes(2 * MSS + 100));
        assertThat(Scripted.drain(p)).extracting(s -> s.payload().length).containsExactly(MSS, MSS, 100);
        // Now a short segment is unacknowledged: the next short write waits, past the full ones' ACK.
        c.send(p.now(), Scripted.bytes(100));
        p.inject(ack(ISS + 1 + 2 * MSS, 65535));
        p.expectNothingSent();
        p.inject(ack(ISS + 1 + 2 * MSS + 100, 65535));
        assertThat(p.next().payload()).as("sent by the ACK of the short segment").hasSize(100);
        // A full segment in flight holds nothing back.
        p.inject(ack(ISS + 1 + 2 * MSS + 200, 65535));
        c.send(p.now(), Scripted.bytes(MSS));
        c.send(p.now(), Scripted.bytes(100));
        assertThat(Scripted.drain(p)).extracting(s -> s.payload().length).containsExactly(MSS, 100);
    }

    @Test
    @Requirement({"SHLD-28", "MUST-61", "SHLD-27", "MUST-60"})
    void sendsFullSizedSegmentsAndPushesTheLastOfAWrite() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p, UnaryOperator.identity(), UnaryOperator.identity());
        c.send(p.now(), Scripted.bytes(5000));
        List<ScriptedPeer.Sent> sent = new ArrayList<>(Scripted.drain(p));
        // Nagle as RFC 9293 §3.7.4 words it: the short tail waits for the outstanding data's ACK.
        assertThat(sent).extracting(s -> s.payload().length).containsExactly(MSS, MSS, MSS);
        p.inject(ack(ISS + 1 + 3 * MSS, 65535));
        sent.addAll(Scripted.drain(p));
        assertThat(sent).extracting(s -> s.payload().length).containsExactly(MSS, MSS, MSS, 5000 - 3 * MSS);
        assertThat(sent).extracting(s -> s.h().has(PSH)).containsExactly(false, false, false, true);
    }
}
