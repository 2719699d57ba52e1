package dev.jtcp.tcp;

import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.ScriptedPeer;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Send-buffer autotuning as Linux's {@code tcp_sndbuf_expand}: the buffer grows with the congestion
 * window, to twice the window in segments (three times for BBR) times what Linux charges a
 * full-sized segment, so a sender that keeps its buffer full is never held back by it.
 */
class SendBufferAutotuningTest {
    private static final int MSS = 1460;

    @Test
    void linuxChargesAFullSizedSegmentThePowerOfTwoAboveItsSkb() {
        assertThat(SendBuffer.perSegmentBytes(1460)).isEqualTo(4096);
        assertThat(SendBuffer.perSegmentBytes(1448)).isEqualTo(4096);
        assertThat(SendBuffer.perSegmentBytes(536)).isEqualTo(2048);
        assertThat(SendBuffer.perSegmentBytes(8960)).isEqualTo(16384);
    }

    @Test
    void theBufferGrowsWithTheWindowBeyondTwiceItsBytes() {
        assertThat(grownBuffer(TcpConfig.CongestionAlgorithm.CUBIC)).isEqualTo(2);
        assertThat(grownBuffer(TcpConfig.CongestionAlgorithm.BBR)).isEqualTo(3);
    }

    /** Runs a bulk send through three round trips; returns the buffer over (window in segments × 4096). */
    private static long grownBuffer(TcpConfig.CongestionAlgorithm cc) {
        ScriptedPeer p = Scripted.peer(TcpConfig.builder().congestionControl(cc).windowScaling(false).build());
        TcpConnection c = Scripted.accept(p);
        int initial = c.sendBufferSize();
        ByteBuffer data = ByteBuffer.wrap(new byte[4 << 20]);
        c.send(p.now(), data);
        for (int round = 0; round < 3; round++) {
            List<ScriptedPeer.Sent> flight = Scripted.drain(p);
            assertThat(flight).isNotEmpty();
            p.advance(Scripted.RTT);
            ScriptedPeer.Sent last = flight.get(flight.size() - 1);
            p.inject(seg(ACK).seq(Scripted.IRS + 1).ack(last.seq() + last.payload().length).window(65535));
            c.send(p.now(), data);
        }
        int cwndSegments = c.status().cwnd() / MSS;
        assertThat(c.sendBufferSize()).as("grown from %d", initial).isGreaterThan(initial)
                .isGreaterThan(2 * c.status().cwnd());
        return Math.round((double) c.sendBufferSize() / (cwndSegments * 4096L));
    }
}
