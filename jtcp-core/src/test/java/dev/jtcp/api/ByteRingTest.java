package dev.jtcp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ByteRingTest {

    @Test
    void keepsTheOrderOfBytesAcrossWrapsAndGrowth() {
        ByteRing ring = new ByteRing(10_000);
        SplittableRandom random = new SplittableRandom(7);
        long written = 0;
        long read = 0;
        byte[] chunk = new byte[3000];
        for (int round = 0; round < 2000; round++) {
            int op = random.nextInt(4);
            if (op == 0 && ring.room() > 0) {
                int n = 1 + random.nextInt(Math.min(ring.room(), chunk.length));
                for (int i = 0; i < n; i++) {
                    chunk[i] = (byte) (written + i);
                }
                ring.write(chunk, 0, n);
                written += n;
            } else if (op == 1 && ring.room() > 0) {
                // As the engine fills it: through contiguous views.
                ByteBuffer view = ring.writable(1 + random.nextInt(5000));
                int n = view.remaining();
                for (int i = 0; i < n; i++) {
                    view.put((byte) (written + i));
                }
                ring.commit(n);
                written += n;
            } else if (op == 2) {
                byte[] out = new byte[1 + random.nextInt(4000)];
                int n = ring.read(out, 0, out.length);
                for (int i = 0; i < n; i++) {
                    assertThat(out[i]).isEqualTo((byte) (read + i));
                }
                read += n;
            } else {
                // As the engine empties it: a contiguous view, partly consumed.
                ByteBuffer view = ring.readable();
                int n = view.remaining() / 2 + (view.remaining() & 1);
                for (int i = 0; i < n; i++) {
                    assertThat(view.get()).isEqualTo((byte) (read + i));
                }
                ring.consume(n);
                read += n;
            }
            assertThat(ring.size()).isEqualTo(written - read).isLessThanOrEqualTo(10_000);
        }
        assertThat(written).isGreaterThan(100_000);
    }

    @Test
    void aNonBlockingWriteMayGoPastTheLimitAndTheRoomThenIsNegative() {
        ByteRing ring = new ByteRing(100);
        ring.write(ByteBuffer.wrap(new byte[250]), 250);
        assertThat(ring.size()).isEqualTo(250);
        assertThat(ring.room()).isEqualTo(-150);
        assertThat(ring.writable(10).remaining()).isZero();
        assertThat(ring.read(new byte[300], 0, 300)).isEqualTo(250);
        assertThat(ring.isEmpty()).isTrue();
    }

    @Test
    void startsWithoutAnArrayAndGivesItBackOnRelease() {
        ByteRing ring = new ByteRing(64 * 1024);
        assertThat(ring.readable().remaining()).isZero();
        ring.write(new byte[] {1, 2, 3}, 0, 3);
        ring.release();
        assertThat(ring.isEmpty()).isTrue();
        assertThat(ring.readable().capacity()).isZero();
    }
}
