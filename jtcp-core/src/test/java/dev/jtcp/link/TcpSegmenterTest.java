package dev.jtcp.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.wire.Checksum;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.Ipv4Packet;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpPacket;
import dev.jtcp.wire.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpSegmenterTest {
    private static final IpAddress V4_A = IpAddress.parse("198.18.0.2");
    private static final IpAddress V4_B = IpAddress.parse("198.18.0.1");
    private static final IpAddress V6_A = IpAddress.parse("fd00::2");
    private static final IpAddress V6_B = IpAddress.parse("fd00::1");

    /** A super-packet of {@code payload} bytes (pattern), timestamps on, with its checksum left partial. */
    private static ByteBuffer superPacket(IpAddress src, IpAddress dst, int payload, int flags, int id) {
        byte[] data = new byte[payload];
        for (int i = 0; i < payload; i++) {
            data[i] = (byte) (i * 7 + i / 251);
        }
        TcpSegment seg = new TcpSegment();
        seg.srcPort = 9000;
        seg.dstPort = 40000;
        seg.seq = 0xFFFF_F000; // wraps within the segment
        seg.ack = 12345;
        seg.flags = flags;
        seg.window = 501;
        seg.options.timestamps(111, 222);
        seg.payload(ByteBuffer.wrap(data), 0, payload);
        ByteBuffer b = ByteBuffer.allocate(70_000);
        int n = new PacketWriter().nextIdentification(id).writeTcp(b, 0, src, dst, 64, 0, seg);
        b.limit(n);
        TcpSegmenter.setPartialChecksum(b);
        return b;
    }

    private static List<ByteBuffer> cut(ByteBuffer packet, int mss) {
        List<ByteBuffer> pieces = new ArrayList<>();
        PacketSink sink = p -> {
            ByteBuffer copy = ByteBuffer.allocate(p.remaining());
            copy.put(0, p, p.position(), p.remaining());
            pieces.add(copy);
        };
        int n = new TcpSegmenter().segment(packet, mss, sink);
        assertThat(n).isEqualTo(pieces.size());
        return pieces;
    }

    /** Checks every piece the way the host does (IP check, TCP check, checksum) and reassembles the payload. */
    private static byte[] checkAndJoin(List<ByteBuffer> pieces, int firstSeq, int mss) {
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < pieces.size(); i++) {
            ByteBuffer p = pieces.get(i);
            IpPacket ip = new IpPacket().wrap(p, 0, p.limit());
            assertThat(ip.check()).as("piece %d IP", i).isNull();
            assertThat(ip.packetLength()).isEqualTo(p.limit());
            TcpPacket tcp = new TcpPacket().wrap(p, ip.payloadOffset(), ip.payloadLength());
            assertThat(tcp.check()).isNull();
            assertThat(tcp.verifyChecksum(ip.pseudoHeaderSum())).as("piece %d checksum", i).isTrue();
            assertThat(tcp.seq()).isEqualTo(firstSeq + i * mss);
            assertThat(tcp.decodeOptions().toString()).contains("111").contains("222");
            if (i < pieces.size() - 1) {
                assertThat(tcp.payloadLength()).isEqualTo(mss);
            }
            joined.write(p.array(), tcp.payloadOffset(), tcp.payloadLength());
        }
        return joined.toByteArray();
    }

    private static byte[] payloadOf(ByteBuffer superPacket) {
        IpPacket ip = new IpPacket().wrap(superPacket, 0, superPacket.limit());
        assertThat(ip.check()).isNull();
        TcpPacket tcp = new TcpPacket().wrap(superPacket, ip.payloadOffset(), ip.payloadLength());
        byte[] b = new byte[tcp.payloadLength()];
        superPacket.get(tcp.payloadOffset(), b);
        return b;
    }

    @Test
    void cutsAnIpv4SuperPacketIntoMssPiecesWithTheirOwnLengthsIdsSequenceNumbersAndChecksums() {
        int mss = 1448;
        ByteBuffer sp = superPacket(V4_A, V4_B, 3 * mss + 100, TcpFlags.ACK | TcpFlags.PSH | TcpFlags.FIN | TcpFlags.CWR,
                0xFFFE);
        List<ByteBuffer> pieces = cut(sp, mss);
        assertThat(pieces).hasSize(4);
        assertThat(checkAndJoin(pieces, 0xFFFF_F000, mss)).isEqualTo(payloadOf(sp));
        int[] ids = new int[4];
        for (int i = 0; i < 4; i++) {
            ByteBuffer p = pieces.get(i);
            Ipv4Packet v4 = new Ipv4Packet().wrap(p, 0, p.limit());
            ids[i] = v4.identification();
            assertThat(v4.totalLength()).isEqualTo(20 + 32 + (i < 3 ? mss : 100));
            assertThat(v4.dontFragment()).isTrue();
            int flags = new TcpPacket().wrap(p, 20, p.limit() - 20).flags();
            assertThat(flags & TcpFlags.ACK).isNotZero();
            assertThat(flags & (TcpFlags.FIN | TcpFlags.PSH)).as("FIN/PSH on piece %d", i)
                    .isEqualTo(i == 3 ? TcpFlags.FIN | TcpFlags.PSH : 0);
            assertThat(flags & TcpFlags.CWR).as("CWR on piece %d", i).isEqualTo(i == 0 ? TcpFlags.CWR : 0);
        }
        assertThat(ids).containsExactly(0xFFFE, 0xFFFF, 0, 1);
        assertThat(sp.position()).isZero();
        assertThat(sp.limit()).isEqualTo(20 + 32 + 3 * mss + 100);
    }

    @Test
    void cutsAnIpv6SuperPacketOfExactlyFullPieces() {
        int mss = 1000;
        ByteBuffer sp = superPacket(V6_A, V6_B, 5 * mss, TcpFlags.ACK | TcpFlags.PSH, 0);
        List<ByteBuffer> pieces = cut(sp, mss);
        assertThat(pieces).hasSize(5);
        assertThat(checkAndJoin(pieces, 0xFFFF_F000, mss)).isEqualTo(payloadOf(sp));
        for (ByteBuffer p : pieces) {
            assertThat(p.getShort(4) & 0xFFFF).isEqualTo(32 + mss);
        }
        assertThat(new TcpPacket().wrap(pieces.get(4), 40, 32 + mss).flags() & TcpFlags.PSH).isNotZero();
        assertThat(new TcpPacket().wrap(pieces.get(3), 40, 32 + mss).flags() & TcpFlags.PSH).isZero();
    }

    @Test
    void aSegmentNoLongerThanTheMssLeavesAsOnePacketWithItsChecksumCompleted() {
        ByteBuffer sp = superPacket(V4_A, V4_B, 500, TcpFlags.ACK, 7);
        List<ByteBuffer> pieces = cut(sp, 1460);
        assertThat(pieces).hasSize(1);
        assertThat(checkAndJoin(pieces, 0xFFFF_F000, 1460)).isEqualTo(payloadOf(sp));
        ByteBuffer bare = superPacket(V6_A, V6_B, 0, TcpFlags.ACK | TcpFlags.FIN, 0);
        List<ByteBuffer> one = cut(bare, 1460);
        assertThat(one).hasSize(1);
        assertThat(checkAndJoin(one, 0xFFFF_F000, 1460)).isEmpty();
    }

    @Test
    void thePartialChecksumIsThePseudoHeaderSumThatCompletesToTheRealOne() {
        ByteBuffer sp = superPacket(V4_A, V4_B, 3000, TcpFlags.ACK, 1);
        int partial = sp.getShort(36) & 0xFFFF;
        assertThat(partial).isEqualTo(Checksum.fold(Checksum.pseudoHeader(V4_A, V4_B, 6, 32 + 3000)));
        // Completing it as a device does (sum from the TCP header, field included) gives a valid packet.
        sp.putShort(36, (short) Checksum.finish(Checksum.sum(sp, 20, sp.limit() - 20)));
        IpPacket ip = new IpPacket().wrap(sp, 0, sp.limit());
        assertThat(ip.check()).isNull();
        assertThat(new TcpPacket().wrap(sp, 20, sp.limit() - 20).verifyChecksum(ip.pseudoHeaderSum())).isTrue();
    }

    @Test
    void theDefaultTransmitGsoOfAnySinkCutsInSoftware() {
        ByteBuffer sp = superPacket(V4_A, V4_B, 4000, TcpFlags.ACK, 1);
        List<Integer> lengths = new ArrayList<>();
        PacketSink sink = p -> lengths.add(p.remaining());
        assertThat(sink.offloadsSegmentation()).isFalse();
        sink.transmitGso(sp, 1460);
        assertThat(lengths).containsExactly(1512, 1512, 1132);
    }

    @Test
    void refusesWhatIsNotATcpSegment() {
        ByteBuffer b = ByteBuffer.allocate(100);
        new Ipv4Packet().writeHeader(b, 0, 0, 100, 0, 64, 17, V4_A.v4(), V4_B.v4());
        b.limit(100);
        assertThatThrownBy(() -> new TcpSegmenter().segment(b, 1000, p -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not TCP");
        ByteBuffer shortOne = superPacket(V4_A, V4_B, 100, TcpFlags.ACK, 1);
        shortOne.limit(60);
        assertThatThrownBy(() -> new TcpSegmenter().segment(shortOne, 1000, p -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not fit");
    }
}
