package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.wire.TcpOptions;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReceiveBufferTest {
    private static TcpSegment segment(byte[] stream, int from, int len) {
        return new TcpSegment().payload(ByteBuffer.wrap(stream), from, len);
    }

    @Test
    void reassemblesSegmentsArrivingInAnyOrderIntoTheOriginalStream() {
        SplittableRandom r = new SplittableRandom(4);
        for (int round = 0; round < 300; round++) {
            int capacity = 1024 << r.nextInt(5);
            ReceiveBuffer buf = new ReceiveBuffer(capacity);
            byte[] stream = new byte[capacity * 4];
            r.nextBytes(stream);
            int base = r.nextInt();
            int rcvNxt = base;
            int delivered = 0;
            ByteBuffer out = ByteBuffer.allocate(stream.length);
            while (delivered < stream.length) {
                int window = buf.window();
                int offset = r.nextInt(Math.max(1, Math.min(window, stream.length - delivered)));
                int len = 1 + r.nextInt(Math.min(600, Math.max(1, Math.min(window, stream.length - delivered) - offset)));
                if (window > 0 && offset + len <= window && delivered + offset + len <= stream.length) {
                    int seq = rcvNxt + offset;
                    int from = (seq - base);
                    rcvNxt = buf.store(rcvNxt, seq, segment(stream, from, len), 0, len);
                }
                if (r.nextInt(3) == 0) {
                    int n = buf.read(out, r.nextInt(2000));
                    delivered += n;
                }
                assertThat(buf.readable() + buf.window()).isEqualTo(capacity);
            }
            assertThat(Arrays.copyOf(out.array(), out.position())).isEqualTo(stream);
        }
    }

    @Test
    void sackBlocksReportTheMostRecentlyChangedRunFirst() {
        ReceiveBuffer buf = new ReceiveBuffer(10_000);
        byte[] data = new byte[10_000];
        int rcvNxt = 1000;
        buf.store(rcvNxt, 1100, segment(data, 0, 50), 0, 50);
        buf.store(rcvNxt, 1300, segment(data, 0, 50), 0, 50);
        buf.store(rcvNxt, 1150, segment(data, 0, 20), 0, 20);
        TcpOptions o = new TcpOptions();
        buf.fillSackBlocks(o, 4);
        assertThat(o.sackBlocks).isEqualTo(2);
        assertThat(o.sackEdges).startsWith(1100, 1170, 1300, 1350);
        assertThat(buf.outOfOrderBytes()).isEqualTo(120);
    }

    @Test
    void aDuplicateOfDataHeldOutOfOrderIsFoundForADsackAndItsRunIsReportedFirst() {
        // RFC 2883 §4.2: the duplicate's range for the D-SACK block, and the run holding it first among
        // the SACK blocks once the duplicate is stored again.
        ReceiveBuffer buf = new ReceiveBuffer(10_000);
        byte[] data = new byte[10_000];
        buf.store(1000, 2000, segment(data, 0, 1000), 0, 1000);
        buf.store(1000, 4000, segment(data, 0, 1000), 0, 1000);
        assertThat(buf.heldOutOfOrder(1000, 2000)).as("the hole itself").isEqualTo(-1);
        assertThat(buf.heldOutOfOrder(3000, 4000)).as("between the runs").isEqualTo(-1);
        long held = buf.heldOutOfOrder(2000, 3000);
        assertThat((int) (held >>> 32)).isEqualTo(2000);
        assertThat((int) held).isEqualTo(3000);
        long partial = buf.heldOutOfOrder(3500, 4500);
        assertThat((int) (partial >>> 32)).as("only the part held is a duplicate").isEqualTo(4000);
        assertThat((int) partial).isEqualTo(4500);
        buf.store(1000, 2000, segment(data, 0, 1000), 0, 1000);
        TcpOptions o = new TcpOptions();
        buf.fillSackBlocks(o, 4);
        assertThat(o.sackEdges).startsWith(2000, 3000, 4000, 5000);
    }

    @Test
    void fillingTheHoleAdvancesOverEveryAdjacentRun() {
        ReceiveBuffer buf = new ReceiveBuffer(10_000);
        byte[] data = new byte[10_000];
        assertThat(buf.store(0, 100, segment(data, 0, 100), 0, 100)).isEqualTo(0);
        assertThat(buf.store(0, 200, segment(data, 0, 100), 0, 100)).isEqualTo(0);
        assertThat(buf.store(0, 0, segment(data, 0, 100), 0, 100)).isEqualTo(300);
        assertThat(buf.readable()).isEqualTo(300);
        assertThat(buf.hasOutOfOrder()).isFalse();
    }

    @Test
    void refusesNewRunsBeyondTheLimitButKeepsExtendingOldOnes() {
        ReceiveBuffer buf = new ReceiveBuffer(1_000_000);
        byte[] data = new byte[100];
        for (int i = 0; i < ReceiveBuffer.MAX_RANGES; i++) {
            buf.store(0, 100 + 200 * i, segment(data, 0, 10), 0, 10);
            assertThat(buf.lastStoreAccepted()).isTrue();
        }
        buf.store(0, 900_000, segment(data, 0, 10), 0, 10);
        assertThat(buf.lastStoreAccepted()).isFalse();
        buf.store(0, 110, segment(data, 0, 10), 0, 10);
        assertThat(buf.lastStoreAccepted()).as("adjacent to a run").isTrue();
    }
}
