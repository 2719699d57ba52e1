package dev.jtcp.link.tun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.link.TcpSegmenter;
import dev.jtcp.wire.Checksum;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpPacket;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentCoalescerTest {
    private static final IpAddress A4 = IpAddress.parse("198.18.0.2");
    private static final IpAddress B4 = IpAddress.parse("198.18.0.1");
    private static final IpAddress A6 = IpAddress.parse("fd00::2");
    private static final IpAddress B6 = IpAddress.parse("fd00::1");

    private final PacketWriter writer = new PacketWriter().nextIdentification(100);

    /** One segment as the host writes it: complete checksums, timestamps, sequential IPv4 ids. */
    private ByteBuffer segment(IpAddress src, IpAddress dst, int seq, int payload, int flags, int tsVal) {
        byte[] data = new byte[payload];
        for (int i = 0; i < payload; i++) {
            data[i] = (byte) (seq + i);
        }
        TcpSegment s = new TcpSegment();
        s.srcPort = 9000;
        s.dstPort = 40000;
        s.seq = seq;
        s.ack = 777;
        s.flags = flags;
        s.window = 300;
        s.options.timestamps(tsVal, 5);
        s.payload(ByteBuffer.wrap(data), 0, payload);
        ByteBuffer b = ByteBuffer.allocate(2000);
        b.limit(writer.writeTcp(b, 0, src, dst, 64, 0, s));
        return b;
    }

    /** Joins what can be joined, as TunLink does; returns the queued packets. */
    private static List<ByteBuffer> join(List<ByteBuffer> segments, List<Integer> gsoSizes) {
        List<ByteBuffer> out = new ArrayList<>();
        ByteBuffer q = null;
        int qLength = 0;
        int headers = -1;
        int gso = 0;
        for (ByteBuffer p : segments) {
            if (q != null && headers > 0
                    && SegmentCoalescer.canAppend(q, qLength, headers, gso, p, 0, p.limit())) {
                if (gso == 0) {
                    gso = qLength - headers;
                }
                qLength = SegmentCoalescer.append(q, qLength, headers, p, 0, p.limit());
                if (p.limit() - headers < gso || SegmentCoalescer.endsRun(q)) {
                    headers = -1;
                }
                continue;
            }
            if (q != null) {
                out.add(close(q, qLength, gso));
                gsoSizes.add(gso);
            }
            q = ByteBuffer.allocate(70_000);
            q.put(0, p, 0, p.limit());
            qLength = p.limit();
            headers = SegmentCoalescer.growableHeaderLength(q, 0, qLength);
            gso = 0;
        }
        out.add(close(q, qLength, gso));
        gsoSizes.add(gso);
        return out;
    }

    private static ByteBuffer close(ByteBuffer q, int length, int gso) {
        if (gso > 0) {
            SegmentCoalescer.seal(q, length);
        }
        return q.limit(length);
    }

    private static List<ByteBuffer> cut(ByteBuffer joined, int gso) {
        List<ByteBuffer> pieces = new ArrayList<>();
        new TcpSegmenter().segment(joined, gso, p -> {
            ByteBuffer c = ByteBuffer.allocate(p.remaining());
            c.put(0, p, p.position(), p.remaining());
            pieces.add(c);
        });
        return pieces;
    }

    @Test
    void aBurstOfOneFlowBecomesOneSuperPacketThatCutsBackIntoTheSameBytes() {
        List<ByteBuffer> burst = List.of(segment(A4, B4, 1000, 1448, TcpFlags.ACK, 9),
                segment(A4, B4, 2448, 1448, TcpFlags.ACK, 9), segment(A4, B4, 3896, 1448, TcpFlags.ACK, 9),
                segment(A4, B4, 5344, 600, TcpFlags.ACK | TcpFlags.PSH, 9));
        List<Integer> gso = new ArrayList<>();
        List<ByteBuffer> joined = join(burst, gso);
        assertThat(joined).hasSize(1);
        assertThat(gso).containsExactly(1448);
        ByteBuffer sp = joined.getFirst();
        assertThat(sp.limit()).isEqualTo(52 + 3 * 1448 + 600);
        IpPacket ip = new IpPacket().wrap(sp, 0, sp.limit());
        assertThat(ip.check()).as("IPv4 header checksum and total length").isNull();
        TcpPacket tcp = new TcpPacket().wrap(sp, 20, sp.limit() - 20);
        assertThat(tcp.flags()).isEqualTo(TcpFlags.ACK | TcpFlags.PSH);
        assertThat(tcp.checksum()).isEqualTo(Checksum.fold(Checksum.pseudoHeader(A4, B4, 6, sp.limit() - 20)));
        List<ByteBuffer> back = cut(sp, 1448);
        assertThat(back).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(back.get(i)).as("piece %d", i).isEqualTo(burst.get(i));
        }
    }

    @Test
    void joinsIpv6SegmentsToo() {
        List<ByteBuffer> burst = List.of(segment(A6, B6, -2000, 1000, TcpFlags.ACK, 1),
                segment(A6, B6, -1000, 1000, TcpFlags.ACK, 1), segment(A6, B6, 0, 1000, TcpFlags.ACK, 1));
        List<Integer> gso = new ArrayList<>();
        List<ByteBuffer> joined = join(burst, gso);
        assertThat(joined).hasSize(1);
        assertThat(joined.getFirst().getShort(4) & 0xFFFF).isEqualTo(32 + 3000);
        List<ByteBuffer> back = cut(joined.getFirst(), 1000);
        for (int i = 0; i < 3; i++) {
            assertThat(back.get(i)).isEqualTo(burst.get(i));
        }
    }

    @Test
    void keepsApartWhatSegmentationCouldNotRecreate() {
        List<Integer> gso = new ArrayList<>();
        // A gap in sequence numbers, another timestamp, a short piece in the middle, a PSH before the end,
        // a FIN, another flow.
        assertThat(join(List.of(segment(A4, B4, 0, 1000, TcpFlags.ACK, 1), segment(A4, B4, 1001, 1000, TcpFlags.ACK, 1)),
                gso)).hasSize(2);
        assertThat(join(List.of(segment(A4, B4, 0, 1000, TcpFlags.ACK, 1), segment(A4, B4, 1000, 1000, TcpFlags.ACK, 2)),
                gso)).hasSize(2);
        assertThat(join(List.of(segment(A4, B4, 0, 1000, TcpFlags.ACK, 1), segment(A4, B4, 1000, 500, TcpFlags.ACK, 1),
                segment(A4, B4, 1500, 1000, TcpFlags.ACK, 1)), gso)).hasSize(2);
        assertThat(join(List.of(segment(A4, B4, 0, 1000, TcpFlags.ACK | TcpFlags.PSH, 1),
                segment(A4, B4, 1000, 1000, TcpFlags.ACK, 1)), gso)).hasSize(2);
        assertThat(join(List.of(segment(A4, B4, 0, 1000, TcpFlags.ACK, 1),
                segment(A4, B4, 1000, 1000, TcpFlags.ACK | TcpFlags.FIN, 1)), gso)).hasSize(2);
        assertThat(join(List.of(segment(A4, B4, 0, 1000, TcpFlags.ACK, 1), segment(A4, IpAddress.parse("198.18.0.3"),
                1000, 1000, TcpFlags.ACK, 1)), gso)).hasSize(2);
        assertThat(join(List.of(segment(A4, B4, 0, 1000, TcpFlags.ACK, 1), segment(A4, B4, 1000, 1200, TcpFlags.ACK, 1)),
                gso)).as("a longer second piece").hasSize(2);
        assertThat(join(List.of(segment(A4, B4, 0, 0, TcpFlags.ACK, 1), segment(A4, B4, 0, 0, TcpFlags.ACK, 1)),
                gso)).as("pure ACKs").hasSize(2);
    }

    @Test
    void stopsAt64KiB() {
        List<ByteBuffer> burst = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            burst.add(segment(A4, B4, i * 1448, 1448, TcpFlags.ACK, 1));
        }
        List<Integer> gso = new ArrayList<>();
        List<ByteBuffer> joined = join(burst, gso);
        assertThat(joined).hasSize(2);
        assertThat(joined.getFirst().limit()).isEqualTo(52 + 45 * 1448).isLessThanOrEqualTo(65535);
    }
}
