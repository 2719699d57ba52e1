package dev.jtcp.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.pcap.CaptureReader;
import dev.jtcp.pcap.PcapWriter;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Anomalies the analyser must name, on hand-written conversations between 198.18.0.1:40000 and 198.18.0.2:80. */
class CaptureAnomaliesTest {
    private static final long MS = 1_000_000L;
    private static final int S = TcpFlags.SYN;
    private static final int A = TcpFlags.ACK;
    private static final int F = TcpFlags.FIN;

    /** Writes segments between a client and a server into an in-memory pcap. */
    private static final class Conversation {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final PcapWriter pcap;
        private final PacketWriter writer = new PacketWriter();
        private final ByteBuffer packet = ByteBuffer.allocate(4096);
        private final IpAddress client = IpAddress.parse("198.18.0.1");
        private final IpAddress server = IpAddress.parse("198.18.0.2");
        private long timeNs = 1_000 * MS;

        Conversation() throws IOException {
            pcap = new PcapWriter(out);
        }

        Conversation at(long ms) {
            timeNs = 1_000 * MS + ms * MS;
            return this;
        }

        Conversation client(int flags, int seq, int ack, int length, int window) throws IOException {
            return send(true, flags, seq, ack, length, window);
        }

        Conversation server(int flags, int seq, int ack, int length, int window) throws IOException {
            return send(false, flags, seq, ack, length, window);
        }

        private Conversation send(boolean fromClient, int flags, int seq, int ack, int length, int window)
                throws IOException {
            TcpSegment seg = new TcpSegment();
            seg.srcPort = fromClient ? 40000 : 80;
            seg.dstPort = fromClient ? 80 : 40000;
            seg.flags = flags;
            seg.seq = seq;
            seg.ack = ack;
            seg.window = window;
            if (length > 0) {
                seg.payload(ByteBuffer.allocate(length), 0, length);
            }
            int n = writer.writeTcp(packet, 0, fromClient ? client : server, fromClient ? server : client, 64, 0, seg);
            pcap.write(timeNs, packet.limit(n).position(0));
            packet.clear();
            timeNs += MS / 10;
            return this;
        }

        CaptureAnalyzer.Analysis analyze() throws IOException {
            pcap.close();
            return CaptureAnalyzer.analyze(CaptureReader.of(out.toByteArray()));
        }
    }

    @Test
    void midStreamCaptureWithLossReorderingDupAcksAndAZeroWindow() throws IOException {
        Conversation c = new Conversation();
        c.server(A, 1000, 500, 100, 1000).server(A, 1100, 500, 100, 1000).server(A, 1300, 500, 100, 1000)
                .server(A, 1200, 500, 100, 1000)
                .server(A, 1500, 500, 100, 1000).client(A, 500, 1400, 0, 1000).client(A, 500, 1400, 0, 1000)
                .client(A, 500, 1400, 0, 1000).at(300).server(A, 1400, 500, 100, 1000)
                .client(A, 500, 1600, 0, 0).client(A, 500, 1600, 0, 2000);

        ConnectionReport r = c.analyze().connections().getFirst();

        assertThat(r.opening()).startsWith("mid-stream");
        assertThat(r.aName()).isEqualTo("A");
        assertThat(r.statesA()).containsExactly(TcpState.ESTABLISHED);
        assertThat(r.anomalies()).containsEntry("out-of-order segments from A", 1L)
                .containsEntry("data retransmitted by A", 1L)
                .containsEntry("duplicate ACKs from B", 2L)
                .containsEntry("zero window advertised by B", 1L);
        assertThat(r.bytesAtoB()).isEqualTo(600);
        assertThat(r.closing()).startsWith("still open");
    }

    @Test
    void aNewSynSoonAfterACloseIsTimeWaitReuse() throws IOException {
        Conversation c = new Conversation();
        c.client(S, 100, 0, 0, 65535).server(S | A, 900, 101, 0, 65535).client(A, 101, 901, 0, 65535)
                .client(F | A, 101, 901, 0, 65535).server(A, 901, 102, 0, 65535).server(F | A, 901, 102, 0, 65535)
                .client(A, 102, 902, 0, 65535)
                .at(5_000).client(S, 300_000, 0, 0, 65535).server(S | A, 77_000, 300_001, 0, 65535)
                .client(A, 300_001, 77_001, 0, 65535);

        CaptureAnalyzer.Analysis a = c.analyze();

        assertThat(a.connections()).hasSize(2);
        assertThat(a.connections().get(0).closing()).startsWith("four-way: client closed first");
        assertThat(a.connections().get(1).anomalies().keySet())
                .anyMatch(k -> k.startsWith("TIME-WAIT reuse: new SYN 5") && k.endsWith("after connection #0 on the same ports closed"));
        assertThat(a.connections().get(1).opening()).isEqualTo("three-way handshake");
    }

    @Test
    void unansweredSynIsCountedWithItsRetries() throws IOException {
        Conversation c = new Conversation();
        c.client(S, 100, 0, 0, 65535).at(1_000).client(S, 100, 0, 0, 65535).at(3_000).client(S, 100, 0, 0, 65535);

        ConnectionReport r = c.analyze().connections().getFirst();

        assertThat(r.opening()).isEqualTo("unanswered SYN (sent 3 times)");
        assertThat(r.anomalies()).containsEntry("unanswered SYN", 3L).containsEntry("SYN retransmitted by client", 2L);
        assertThat(r.statesA()).containsExactly(TcpState.CLOSED, TcpState.SYN_SENT);
        assertThat(r.statesB()).isEmpty();
    }
}
