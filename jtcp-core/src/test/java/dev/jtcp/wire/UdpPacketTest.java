package dev.jtcp.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** UDP datagrams (RFC 768): what {@link PacketWriter#writeUdp} writes and what {@link UdpPacket#check} accepts. */
class UdpPacketTest {
    private static final IpAddress A = IpAddress.parse("198.18.0.1");
    private static final IpAddress B = IpAddress.parse("198.18.0.2");
    private static final IpAddress A6 = IpAddress.parse("fd00::1");
    private static final IpAddress B6 = IpAddress.parse("fd00::2");

    private final IpPacket ip = new IpPacket();
    private final UdpPacket udp = new UdpPacket();

    private static ByteBuffer datagram(IpAddress src, IpAddress dst, String text) {
        ByteBuffer b = ByteBuffer.allocate(200);
        ByteBuffer payload = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        int n = new PacketWriter().writeUdp(b, 0, src, dst, 64, 0, 1234, 53, payload, 0, payload.remaining());
        return b.limit(n);
    }

    private DropReason check(ByteBuffer b) {
        assertThat(ip.wrap(b, 0, b.limit()).check()).isNull();
        return udp.wrap(b, ip.payloadOffset(), ip.payloadLength()).check(ip.pseudoHeaderSum(), ip.version());
    }

    /** RFC 1071 one byte pair at a time, written out here so the writer's fast sum is checked against it. */
    private static int naiveChecksum(int[] words) {
        int sum = 0;
        for (int w : words) {
            sum += w;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    @Test
    void theWriterComputesTheRfc768ChecksumOverThePseudoHeader() {
        ByteBuffer b = datagram(A, B, "abc");
        assertThat(check(b)).isNull();
        assertThat(udp.srcPort()).isEqualTo(1234);
        assertThat(udp.dstPort()).isEqualTo(53);
        assertThat(udp.udpLength()).isEqualTo(11);
        assertThat(udp.payloadLength()).isEqualTo(3);
        // Pseudo-header 198.18.0.1, 198.18.0.2, 0/17, 11; header 1234, 53, 11, 0; data "abc" padded.
        int expected = naiveChecksum(new int[] {0xC612, 0x0001, 0xC612, 0x0002, 17, 11, 1234, 53, 11, 0,
            ('a' << 8) | 'b', 'c' << 8});
        assertThat(udp.checksum()).isEqualTo(expected);
    }

    @Test
    void aCorruptedByteFailsTheChecksumInBothFamilies() {
        for (ByteBuffer b : new ByteBuffer[] {datagram(A, B, "hello"), datagram(A6, B6, "hello")}) {
            b.put(b.limit() - 1, (byte) 'X');
            assertThat(check(b)).isEqualTo(DropReason.UDP_BAD_CHECKSUM);
        }
    }

    @Test
    void aZeroChecksumMeansNoneOverIpv4AndIsInvalidOverIpv6() {
        ByteBuffer v4 = datagram(A, B, "x");
        v4.putShort(20 + 6, (short) 0);
        assertThat(check(v4)).as("RFC 768").isNull();
        ByteBuffer v6 = datagram(A6, B6, "x");
        v6.putShort(40 + 6, (short) 0);
        assertThat(check(v6)).as("RFC 8200 §8.1").isEqualTo(DropReason.UDP_BAD_CHECKSUM);
    }

    @Test
    void aLengthFieldBeyondThePayloadOrBelowTheHeaderIsTruncation() {
        ByteBuffer b = datagram(A, B, "abc");
        b.putShort(20 + 4, (short) 12);
        assertThat(check(b)).isEqualTo(DropReason.UDP_TRUNCATED);
        b.putShort(20 + 4, (short) 7);
        assertThat(check(b)).isEqualTo(DropReason.UDP_TRUNCATED);
        ByteBuffer tiny = ByteBuffer.allocate(4);
        assertThat(udp.wrap(tiny, 0, 4).check(0, 4)).isEqualTo(DropReason.UDP_TRUNCATED);
    }

    @Test
    void octetsBeyondTheLengthFieldAreIgnored() {
        // A datagram of 2 data bytes inside an IP payload of 3 (padding): the checksum covers 10 octets.
        ByteBuffer padded = ByteBuffer.allocate(200);
        ByteBuffer data = ByteBuffer.wrap(new byte[] {1, 2});
        int n = new PacketWriter().writeUdp(padded, 0, A, B, 64, 0, 7, 9, data, 0, 2);
        padded.put(n, (byte) 0x55);
        new Ipv4Packet().writeHeader(padded, 0, 0, n + 1, 1, 64, IpProtocol.UDP, A.v4(), B.v4());
        padded.limit(n + 1);
        assertThat(check(padded)).isNull();
        assertThat(udp.payloadLength()).isEqualTo(2);
    }

    @Test
    void aComputedZeroIsSentAsAllOnes() {
        // Search a payload whose checksum computes to zero; the writer must send 0xFFFF instead.
        for (int v = 0; v < 65536; v++) {
            ByteBuffer b = ByteBuffer.allocate(100);
            ByteBuffer data = ByteBuffer.allocate(2).putShort(0, (short) v);
            int n = new PacketWriter().writeUdp(b, 0, A, B, 64, 0, 1, 2, data, 0, 2);
            b.limit(n);
            int c = b.getShort(20 + 6) & 0xFFFF;
            assertThat(c).isNotZero();
            if (c == 0xFFFF) {
                assertThat(check(b)).isNull();
                return;
            }
        }
        throw new AssertionError("no payload with a zero checksum found");
    }
}
