package dev.jtcp.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.pcap.CaptureFixtures.Fixture;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the hex fixtures themselves: lengths agree with their headers and every checksum (IPv4
 * header, TCP, ICMP, ICMPv6, RFC 1071 one's-complement sums with the RFC 9293 / RFC 8200
 * pseudo-headers) verifies, so a capture test that fails points at the code, not the fixture.
 */
class CaptureFixturesTest {
    static Stream<Fixture> fixtures() {
        return CaptureFixtures.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void lengthFieldsMatchTheBytes(Fixture fixture) {
        ByteBuffer ip = ByteBuffer.wrap(fixture.bytes());
        int expected = fixture.ipVersion() == 4 ? ip.getShort(2) & 0xFFFF : 40 + (ip.getShort(4) & 0xFFFF);
        assertThat(ip.remaining()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void checksumsVerify(Fixture fixture) {
        byte[] ip = fixture.bytes();
        if (fixture.ipVersion() == 4) {
            int headerBytes = (ip[0] & 0x0F) * 4;
            assertThat(sum(ip, 0, headerBytes, 0)).as("IPv4 header checksum").isEqualTo(0xFFFF);
            int protocol = ip[9] & 0xFF;
            int payloadBytes = ip.length - headerBytes;
            long pseudo = protocol == 1 ? 0 : sum(ip, 12, 8, protocol + payloadBytes);
            assertThat(sum(ip, headerBytes, payloadBytes, pseudo)).as("upper-layer checksum").isEqualTo(0xFFFF);
        } else {
            int nextHeader = ip[6] & 0xFF;
            int payloadBytes = ip.length - 40;
            long pseudo = sum(ip, 8, 32, nextHeader + payloadBytes);
            assertThat(sum(ip, 40, payloadBytes, pseudo)).as("upper-layer checksum").isEqualTo(0xFFFF);
        }
    }

    /** The folded 16-bit one's-complement sum of {@code bytes[offset, offset+length)} plus {@code initial}. */
    private static int sum(byte[] bytes, int offset, int length, long initial) {
        long total = initial;
        for (int i = 0; i < length; i += 2) {
            int high = bytes[offset + i] & 0xFF;
            int low = i + 1 < length ? bytes[offset + i + 1] & 0xFF : 0;
            total += high << 8 | low;
        }
        while (total >>> 16 != 0) {
            total = (total & 0xFFFF) + (total >>> 16);
        }
        return (int) total;
    }
}
