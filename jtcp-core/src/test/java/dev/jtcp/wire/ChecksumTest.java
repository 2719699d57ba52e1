package dev.jtcp.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChecksumTest {
    /** Sums 16-bit words one at a time, the textbook way (RFC 1071 §4.1). */
    private static int naive(byte[] b, int off, int len, long initial) {
        long sum = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((b[off + i] & 0xFF) << 8) | (b[off + i + 1] & 0xFF);
        }
        if ((len & 1) != 0) {
            sum += (b[off + len - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    @Test
    void rfc1071Example() {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (folded), checksum 220d.
        byte[] b = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        assertThat(Checksum.fold(Checksum.sum(b, 0, b.length))).isEqualTo(0xddf2);
        assertThat(Checksum.finish(Checksum.sum(b, 0, b.length))).isEqualTo(0x220d);
    }

    @Test
    void wholeWordSumEqualsWordByWordSumForEveryLengthAndAlignment() {
        SplittableRandom r = new SplittableRandom(7);
        byte[] data = new byte[2048];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) r.nextInt(256);
        }
        for (int len = 0; len < 200; len++) {
            for (int off = 0; off < 9; off++) {
                assertThat(Checksum.finish(Checksum.sum(data, off, len))).as("len %d off %d", len, off)
                        .isEqualTo(naive(data, off, len, 0));
            }
        }
        assertThat(Checksum.finish(Checksum.sum(data, 0, data.length))).isEqualTo(naive(data, 0, data.length, 0));
    }

    @Test
    void allOnesDataDoesNotOverflow() {
        byte[] ones = new byte[65535];
        java.util.Arrays.fill(ones, (byte) 0xFF);
        assertThat(Checksum.finish(Checksum.sum(ones, 0, ones.length))).isEqualTo(naive(ones, 0, ones.length, 0));
    }

    @Test
    void littleEndianBufferGivesTheSameSum() {
        byte[] b = new byte[100];
        new SplittableRandom(3).nextBytes(b);
        long be = Checksum.sum(ByteBuffer.wrap(b), 0, 100);
        long le = Checksum.sum(ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN), 0, 100);
        assertThat(Checksum.fold(le)).isEqualTo(Checksum.fold(be));
    }

    @Test
    void ipv4PseudoHeaderMatchesTheSpelledOutBytes() {
        int src = 0xC6120001;
        int dst = 0xC6120002;
        byte[] ph = ByteBuffer.allocate(12).putInt(src).putInt(dst).put((byte) 0).put((byte) 6).putShort((short) 40).array();
        assertThat(Checksum.finish(Checksum.pseudoHeaderV4(src, dst, 6, 40))).isEqualTo(naive(ph, 0, 12, 0));
    }

    @Test
    void ipv6PseudoHeaderMatchesTheSpelledOutBytes() {
        IpAddress s = IpAddress.parse("fd00::1");
        IpAddress d = IpAddress.parse("fd00:1234:5678:9abc:def0:1111:2222:3333");
        ByteBuffer ph = ByteBuffer.allocate(40);
        s.write(ph, 0);
        d.write(ph, 16);
        ph.putInt(32, 70000).put(39, (byte) 6);
        assertThat(Checksum.finish(Checksum.pseudoHeader(s, d, 6, 70000))).isEqualTo(naive(ph.array(), 0, 40, 0));
    }

    @Test
    void dataWithItsChecksumVerifies() {
        byte[] b = new byte[61];
        new SplittableRandom(11).nextBytes(b);
        b[10] = 0;
        b[11] = 0;
        int c = Checksum.finish(Checksum.sum(b, 0, b.length));
        b[10] = (byte) (c >>> 8);
        b[11] = (byte) c;
        assertThat(Checksum.verifies(Checksum.sum(b, 0, b.length))).isTrue();
        b[40] ^= 0x04;
        assertThat(Checksum.verifies(Checksum.sum(b, 0, b.length))).isFalse();
    }
}
