package dev.jtcp.wire;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Seeded property test: no byte sequence makes a parser throw. The Jazzer test explores further. */
class GarbageInputTest {
    @Test
    void randomAndMutatedPacketsNeverThrow() {
        SplittableRandom r = new SplittableRandom(20261121);
        ByteBuffer[] seeds = {LinuxPackets.buffer(LinuxPackets.SYN_V4), LinuxPackets.buffer(LinuxPackets.DATA_V4),
                LinuxPackets.buffer(LinuxPackets.SYN_V6)};
        for (int i = 0; i < 200_000; i++) {
            byte[] b;
            if (r.nextBoolean()) {
                b = new byte[r.nextInt(100)];
                r.nextBytes(b);
                if (b.length > 0) {
                    b[0] = (byte) (r.nextBoolean() ? 0x45 : 0x60);
                }
            } else {
                ByteBuffer s = seeds[r.nextInt(seeds.length)];
                b = new byte[s.capacity()];
                s.get(0, b);
                for (int m = r.nextInt(1, 6); m > 0; m--) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
            byte[] input = b;
            assertThatCode(() -> WireFuzzTest.parseEverything(input)).doesNotThrowAnyException();
        }
    }
}
