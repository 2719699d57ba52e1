package dev.jtcp.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.pcap.CaptureReader;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Bad input is counted and skipped, with a reason, and never stops the analysis of what is good. */
class CaptureAnalyzerRobustnessTest {
    private static final IpAddress A = IpAddress.parse("198.18.0.1");
    private static final IpAddress B = IpAddress.parse("198.18.0.2");

    /** A classic pcap, built by hand so records can claim any lengths. */
    private static final class Pcap {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pcap(int linkType) {
            ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535)
                    .putInt(linkType);
            out.writeBytes(h.array());
        }

        Pcap record(byte[] bytes, int captured, int original) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt(1).putInt(0).putInt(captured).putInt(original);
            out.writeBytes(r.array());
            out.write(bytes, 0, captured);
            return this;
        }

        Pcap record(byte[] bytes) {
            return record(bytes, bytes.length, bytes.length);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static byte[] tcp(int flags, int payload) {
        TcpSegment seg = new TcpSegment();
        seg.srcPort = 40000;
        seg.dstPort = 80;
        seg.seq = 1000;
        seg.ack = 5000;
        seg.flags = flags;
        seg.window = 65535;
        if (payload > 0) {
            seg.payload(ByteBuffer.allocate(payload), 0, payload);
        }
        ByteBuffer buf = ByteBuffer.allocate(2000);
        int n = new PacketWriter().writeTcp(buf, 0, A, B, 64, 0, seg);
        return Arrays.copyOf(buf.array(), n);
    }

    private static byte[] icmpEcho() {
        ByteBuffer buf = ByteBuffer.allocate(100);
        int n = new PacketWriter().writeIcmp(buf, 0, A, B, 64, 8, 0, 0x12340001, ByteBuffer.allocate(8), 0, 8);
        return Arrays.copyOf(buf.array(), n);
    }

    private static byte[] udp() {
        byte[] p = tcp(TcpFlags.ACK, 0);
        p[9] = 17;
        return p;
    }

    private static CaptureAnalyzer.Analysis analyze(byte[] file) throws IOException {
        return CaptureAnalyzer.analyze(CaptureReader.of(file));
    }

    @Test
    void nonTcpPacketsAreCountedAndSkipped() throws IOException {
        CaptureAnalyzer.Analysis a = analyze(new Pcap(101).record(tcp(TcpFlags.SYN, 0)).record(icmpEcho())
                .record(udp()).record(tcp(TcpFlags.SYN | TcpFlags.ACK, 0)).bytes());
        assertThat(a.packets()).isEqualTo(4);
        assertThat(a.tcpPackets()).isEqualTo(2);
        assertThat(a.connections()).hasSize(1);
        assertThat(a.skipped()).containsEntry("non-TCP (ICMP)", 1L).containsEntry("non-TCP (UDP)", 1L);
        assertThat(a.summary()).contains("skipped: 1 non-TCP (ICMP), 1 non-TCP (UDP)");
    }

    @Test
    void snapLengthCutPacketsAreAnalysedWhenTheirHeaderSurvives() throws IOException {
        byte[] data = tcp(TcpFlags.ACK | TcpFlags.PSH, 1000);
        CaptureAnalyzer.Analysis a = analyze(new Pcap(101).record(data, 60, data.length).record(data, 30, data.length)
                .bytes());
        assertThat(a.tcpPackets()).isEqualTo(1);
        assertThat(a.connections().getFirst().bytesAtoB()).isEqualTo(1000);
        assertThat(a.skipped()).containsEntry("packets cut short by the snap length (headers analysed)", 1L)
                .containsEntry("TCP headers cut short by the snap length", 1L);
    }

    @Test
    void unknownLinkTypesAndTruncatedFilesAreReported() throws IOException {
        assertThat(analyze(new Pcap(147).record(tcp(TcpFlags.SYN, 0)).bytes()).skipped())
                .containsEntry("unsupported link type", 1L);
        byte[] whole = new Pcap(101).record(tcp(TcpFlags.SYN, 0)).record(tcp(TcpFlags.SYN, 0)).bytes();
        CaptureAnalyzer.Analysis cut = analyze(Arrays.copyOf(whole, whole.length - 10));
        assertThat(cut.tcpPackets()).isEqualTo(1);
        assertThat(cut.skipped()).containsEntry("truncated file tail (reading stopped there)", 1L);
    }

    @Test
    void fragmentsAndBrokenHeadersAreSkipped() throws IOException {
        byte[] fragment = tcp(TcpFlags.ACK, 10);
        fragment[6] = 0x20;
        byte[] badOffset = tcp(TcpFlags.ACK, 0);
        badOffset[20 + 12] = (byte) 0xF0;
        CaptureAnalyzer.Analysis a = analyze(new Pcap(101).record(fragment).record(badOffset).bytes());
        assertThat(a.tcpPackets()).isZero();
        assertThat(a.skipped()).containsKeys("malformed TCP headers");
        assertThat(a.skipped().keySet()).anyMatch(k -> k.equals("IP fragments") || k.equals("unreadable IP headers"));
    }

    @Test
    void garbageNeverThrows() throws IOException {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 300; i++) {
            byte[] junk = new byte[random.nextInt(2000)];
            random.nextBytes(junk);
            if (i % 3 == 0 && junk.length > 24) {
                System.arraycopy(new Pcap(random.nextBoolean() ? 101 : 1).bytes(), 0, junk, 0, 24);
            }
            CaptureAnalyzer.Analysis a = analyze(junk);
            assertThat(a.summary()).isNotEmpty();
        }
        assertThat(analyze(new byte[] {1, 2, 3}).skipped()).isNotEmpty();
    }
}
