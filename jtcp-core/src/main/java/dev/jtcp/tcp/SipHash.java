package dev.jtcp.tcp;

/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a fast keyed pseudo-random function, used for
 * initial sequence numbers (RFC 6528) and SYN cookies (RFC 4987), where an off-host observer must
 * not be able to compute the output (RFC 9293 MUST-9).
 *
 * <p>Hashes one fixed message shape, six little-endian 64-bit words (48 bytes): a 4-tuple's
 * addresses as two words each, then ports and an extra value. Not thread-safe: it keeps its state
 * in a scratch array to avoid allocating; each host owns its instances.
 */
public final class SipHash {
    private static final int MESSAGE_BYTES = 48;

    private final long k0;
    private final long k1;
    private final long[] v = new long[4];

    public SipHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    public long hash(long w0, long w1, long w2, long w3, long w4, long w5) {
        v[0] = k0 ^ 0x736f6d6570736575L;
        v[1] = k1 ^ 0x646f72616e646f6dL;
        v[2] = k0 ^ 0x6c7967656e657261L;
        v[3] = k1 ^ 0x7465646279746573L;
        compress(w0);
        compress(w1);
        compress(w2);
        compress(w3);
        compress(w4);
        compress(w5);
        compress((long) MESSAGE_BYTES << 56);
        v[2] ^= 0xff;
        for (int r = 0; r < 4; r++) {
            round();
        }
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    /**
     * The hash of a message of {@code words} little-endian 64-bit words (8 × {@code words} bytes),
     * as the reference implementation computes it for a byte string of that length.
     */
    public long hashWords(long[] message, int words) {
        v[0] = k0 ^ 0x736f6d6570736575L;
        v[1] = k1 ^ 0x646f72616e646f6dL;
        v[2] = k0 ^ 0x6c7967656e657261L;
        v[3] = k1 ^ 0x7465646279746573L;
        for (int i = 0; i < words; i++) {
            compress(message[i]);
        }
        compress((long) (8 * words) << 56);
        v[2] ^= 0xff;
        for (int r = 0; r < 4; r++) {
            round();
        }
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    /** Absorbs one message word with two SipRounds. */
    private void compress(long m) {
        v[3] ^= m;
        round();
        round();
        v[0] ^= m;
    }

    private void round() {
        long v0 = v[0];
        long v1 = v[1];
        long v2 = v[2];
        long v3 = v[3];
        v0 += v1;
        v1 = Long.rotateLeft(v1, 13) ^ v0;
        v0 = Long.rotateLeft(v0, 32);
        v2 += v3;
        v3 = Long.rotateLeft(v3, 16) ^ v2;
        v0 += v3;
        v3 = Long.rotateLeft(v3, 21) ^ v0;
        v2 += v1;
        v1 = Long.rotateLeft(v1, 17) ^ v2;
        v2 = Long.rotateLeft(v2, 32);
        v[0] = v0;
        v[1] = v1;
        v[2] = v2;
        v[3] = v3;
    }
}
