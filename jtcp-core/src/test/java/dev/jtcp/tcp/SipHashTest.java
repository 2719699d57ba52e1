package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SipHashTest {
    /** SipHash-2-4 over bytes, straight from the paper's description, as an independent reference. */
    private static long reference(long k0, long k1, byte[] m) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int blocks = m.length / 8;
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        long[] v = {v0, v1, v2, v3};
        for (int i = 0; i < blocks; i++) {
            long w = b.getLong(8 * i);
            v[3] ^= w;
            round(v);
            round(v);
            v[0] ^= w;
        }
        long last = (long) (m.length & 0xFF) << 56;
        for (int i = 0; i < m.length % 8; i++) {
            last |= (m[8 * blocks + i] & 0xFFL) << (8 * i);
        }
        v[3] ^= last;
        round(v);
        round(v);
        v[0] ^= last;
        v[2] ^= 0xff;
        for (int i = 0; i < 4; i++) {
            round(v);
        }
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void round(long[] v) {
        v[0] += v[1]; v[1] = Long.rotateLeft(v[1], 13); v[1] ^= v[0]; v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3]; v[3] = Long.rotateLeft(v[3], 16); v[3] ^= v[2];
        v[0] += v[3]; v[3] = Long.rotateLeft(v[3], 21); v[3] ^= v[0];
        v[2] += v[1]; v[1] = Long.rotateLeft(v[1], 17); v[1] ^= v[2]; v[2] = Long.rotateLeft(v[2], 32);
    }

    private static final long K0 = 0x0706050403020100L;
    private static final long K1 = 0x0f0e0d0c0b0a0908L;

    @Test
    void referenceMatchesThePapersTestVectors() {
        // Key 00 01 .. 0f; messages 00 01 .. (n-1). Outputs as little-endian 64-bit values.
        assertThat(reference(K0, K1, new byte[0])).isEqualTo(0x726fdb47dd0e0e31L);
        byte[] fifteen = new byte[15];
        for (int i = 0; i < 15; i++) {
            fifteen[i] = (byte) i;
        }
        assertThat(reference(K0, K1, fifteen)).isEqualTo(0xa129ca6149be45e5L);
    }

    @Test
    void fixedShapeHashEqualsTheReferenceOnFortyEightBytes() {
        SplittableRandom r = new SplittableRandom(5);
        for (int n = 0; n < 1000; n++) {
            long k0 = r.nextLong();
            long k1 = r.nextLong();
            long[] w = new long[6];
            ByteBuffer msg = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 6; i++) {
                w[i] = r.nextLong();
                msg.putLong(w[i]);
            }
            assertThat(new SipHash(k0, k1).hash(w[0], w[1], w[2], w[3], w[4], w[5]))
                    .isEqualTo(reference(k0, k1, msg.array()));
        }
    }
}
