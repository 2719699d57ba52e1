package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.pcap.PcapWriter;
import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpSegment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceCommandTest {
    private static final int SYN = TcpFlags.SYN;
    private static final int ACK = TcpFlags.ACK;
    private static final int FIN_ACK = TcpFlags.FIN | TcpFlags.ACK;
    private static final int PSH_ACK = TcpFlags.PSH | TcpFlags.ACK;

    @TempDir
    Path directory;

    private record Run(int exitCode, String out, String err) {}

    private static Run jtcp(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path capture(String scenario) {
        Path file = directory.resolve(scenario + ".pcapng");
        assertThat(jtcp("demo", scenario, "--pcap", file.toString(), "--no-explain").exitCode()).isZero();
        return file;
    }

    /**
     * A transfer on a LAN, packets 37 µs apart: the client sends 100 bytes, the server 5,099 in
     * segments that are retransmitted, reordered, repacketized over a hole and overlapping; 8,099 payload
     * bytes leave the server in all, covering 5,099 sequence numbers.
     */
    private Path lanTransferWithRetransmissions() throws IOException {
        Path file = directory.resolve("lan.pcap");
        try (PcapWriter pcap = PcapWriter.open(file)) {
            Packets p = new Packets(pcap);
            p.client(SYN, 1000, 0, 0).server(SYN | ACK, 5000, 1001, 0).client(ACK, 1001, 5001, 0);
            p.client(PSH_ACK, 1001, 5001, 100).server(ACK, 5001, 1101, 0);
            p.server(ACK, 5001, 1101, 1000).server(ACK, 6001, 1101, 1000).server(ACK, 7001, 1101, 1000);
            p.server(ACK, 9001, 1101, 1000);
            p.client(ACK, 1101, 8001, 0).client(ACK, 1101, 8001, 0);
            p.server(ACK, 6001, 1101, 1000);
            p.server(ACK, 6501, 1101, 2000);
            p.server(ACK, 8001, 1101, 1000);
            p.client(ACK, 1101, 10001, 0);
            p.server(PSH_ACK, 10001, 1101, 99).client(ACK, 1101, 10100, 0);
            p.client(FIN_ACK, 1101, 10100, 0).server(FIN_ACK, 10100, 1102, 0).client(ACK, 1102, 10101, 0);
        }
        return file;
    }

    /** Writes TCP/IPv4 packets between 198.18.0.1:40000 and 198.18.0.2:80, 37 µs apart. */
    private static final class Packets {
        private final PcapWriter pcap;
        private final PacketWriter writer = new PacketWriter();
        private final ByteBuffer packet = ByteBuffer.allocate(4096);
        private final IpAddress client = IpAddress.parse("198.18.0.1");
        private final IpAddress server = IpAddress.parse("198.18.0.2");
        private long timeNs = 1_700_000_000_000_000_000L;

        Packets(PcapWriter pcap) {
            this.pcap = pcap;
        }

        Packets client(int flags, int seq, int ack, int length) throws IOException {
            return send(true, flags, seq, ack, length);
        }

        Packets server(int flags, int seq, int ack, int length) throws IOException {
            return send(false, flags, seq, ack, length);
        }

        private Packets send(boolean fromClient, int flags, int seq, int ack, int length) throws IOException {
            TcpSegment seg = new TcpSegment();
            seg.srcPort = fromClient ? 40000 : 80;
            seg.dstPort = fromClient ? 80 : 40000;
            seg.flags = flags;
            seg.seq = seq;
            seg.ack = ack;
            seg.window = 65535;
            if (length > 0) {
                byte[] data = new byte[length];
                java.util.Arrays.fill(data, (byte) 'x');
                seg.payload(ByteBuffer.wrap(data), 0, length);
            }
            int n = writer.writeTcp(packet, 0, fromClient ? client : server, fromClient ? server : client, 64, 0, seg);
            pcap.write(timeNs, packet.limit(n).position(0));
            packet.clear();
            timeNs += 37_000;
            return this;
        }
    }

    @Test
    void reportsEachConnectionOfACaptureJtcpWrote() {
        Run r = jtcp("trace", capture("half-close").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("#0  client 198.18.0.1:", "opened: three-way handshake",
                "closed: four-way: client closed first", "CLOSE-WAIT → LAST-ACK → CLOSED",
                "FIN-WAIT-2 → TIME-WAIT (then CLOSED after 2MSL)", "anomalies: none",
                "1 connection; nothing skipped");
    }

    @Test
    void connectionsAreNumberedFromZeroLikeWiresharksTcpStream() {
        Path file = capture("half-open");
        Run report = jtcp("trace", file.toString());
        assertThat(report.out()).contains("#0  client", "#1  client").doesNotContain("#2 ");
        Run zero = jtcp("trace", file.toString(), "--conn", "0", "--color", "never");
        assertThat(zero.exitCode()).as(zero.err()).isZero();
        assertThat(zero.out()).contains("Connection #0 of", "SYN seq=0").doesNotContain("#1  client");
        assertThat(jtcp("trace", "--help").out().replaceAll("\\s+", " ")).contains("tcp.stream", "numbered from 0");
    }

    @Test
    void tableHasAStartTimeColumnAndMicrosecondTimes() throws IOException {
        Run r = jtcp("trace", lanTransferWithRetransmissions().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("start (s)", "duration (s)");
        // 20 packets 37 µs apart: the connection lasts 703 µs.
        assertThat(r.out()).containsPattern("\\n\\s+0\\s+0\\.000000\\s+0\\.000703\\s+20\\s");
        assertThat(r.out()).contains("start 0.000000 s, duration 0.000703 s");

        Run drawn = jtcp("trace", capture("half-open").toString());
        assertThat(drawn.out()).containsPattern("\\n\\s+1\\s+1\\.240000\\s");
    }

    @Test
    void ladderOfALanConnectionShowsMicroseconds() throws IOException {
        Run r = jtcp("trace", lanTransferWithRetransmissions().toString(), "--conn", "0", "--color", "never",
                "--no-explain");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("0.000 ms", "0.037 ms", "0.074 ms", "0.703 ms").doesNotContain("0.1 ms");
    }

    @Test
    void bytesCountEachSequenceRangeOnceLeavingRetransmissionsOut() throws IOException {
        Run r = jtcp("trace", lanTransferWithRetransmissions().toString());
        assertThat(r.out()).contains("100 bytes client->server, 5099 bytes server->client");
        assertThat(jtcp("trace", "--help").out().replaceAll("\\s+", " ")).contains("Bytes are payload bytes",
                "each counted once", "retransmissions are left out");
    }

    @Test
    @NeedsTools("tshark")
    void bytesAgreeWithTsharkOnACaptureWithRetransmissions() throws Exception {
        Path file = lanTransferWithRetransmissions();
        long[] tshark = followedBytes(file, 0);
        assertThat(tshark).containsExactly(100, 5099);
        assertThat(jtcp("trace", file.toString()).out()).contains(
                tshark[0] + " bytes client->server, " + tshark[1] + " bytes server->client");
    }

    /**
     * What tshark's Follow TCP Stream delivers of stream {@code stream}, each way: {first packet's
     * sender to the other, the other way}.
     */
    private static long[] followedBytes(Path file, int stream) throws Exception {
        ExternalTools.Result r = ExternalTools.run("tshark", "-r", file.toString(), "-q", "-z",
                "follow,tcp,raw," + stream).requireSuccess();
        long[] bytes = new long[2];
        boolean inData = false;
        for (String line : r.stdoutLines()) {
            if (line.startsWith("Node 1:")) {
                inData = true;
                continue;
            }
            if (!inData || line.startsWith("=====")) {
                continue;
            }
            bytes[line.startsWith("\t") ? 1 : 0] += line.strip().length() / 2;
        }
        return bytes;
    }

    @Test
    void filterKeepsConnectionsByHostPortOrBoth() {
        Path file = capture("syn-flood");
        Run all = jtcp("trace", file.toString());
        Matcher m = Pattern.compile("\\n\\s+3\\s.*client (\\S+):(\\d+) <-> server").matcher(all.out());
        assertThat(m.find()).as(all.out()).isTrue();
        String host = m.group(1);
        String port = m.group(2);

        Run byHost = jtcp("trace", file.toString(), "--filter", "host " + host);
        assertThat(byHost.exitCode()).as(byHost.err()).isZero();
        assertThat(byHost.out()).contains("#3  client " + host + ":" + port).doesNotContain("#0  ", "#4  ");

        Run byPort = jtcp("trace", file.toString(), "--filter", "port " + port);
        assertThat(byPort.out()).contains("#3  client").doesNotContain("#0  ");

        Run both = jtcp("trace", file.toString(), "--filter", "host 198.18.0.2 and port " + port);
        assertThat(both.out()).contains("1 of ", "#3  client " + host).doesNotContain("#0  ");
        Run none = jtcp("trace", file.toString(), "--filter", "host " + host + " and port 1");
        assertThat(none.out()).contains("0 of ").doesNotContain("#3  ");

        Run bad = jtcp("trace", file.toString(), "--filter", "proto tcp");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err().lines()).hasSize(1);
        assertThat(bad.err()).contains("'host ADDR' or 'port N'");
    }

    @Test
    void drawsOneConnectionAndWritesItsPages() throws Exception {
        Path svg = directory.resolve("c.svg");
        Path html = directory.resolve("c.html");
        Run r = jtcp("trace", capture("half-open").toString(), "--conn", "1", "--svg", svg.toString(), "--html",
                html.toString(), "--color", "never");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("#1 ", "SYN seq=0", "SYN-RECEIVED", "|");
        assertThat(Files.readString(svg)).contains("<svg");
        assertThat(Files.readString(html)).contains("Connection #1");
    }

    @Test
    void pagesWithoutAConnectionAreAnError() {
        Path file = capture("handshake");
        for (List<String> option : List.of(List.of("--html", "x.html"), List.of("--svg", "x.svg"))) {
            Path target = directory.resolve(option.get(1));
            Run r = jtcp("trace", file.toString(), option.get(0), target.toString());
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err().lines()).hasSize(1);
            assertThat(r.err()).contains("--conn N");
            assertThat(target).doesNotExist();
        }
    }

    @Test
    void nonCaptureInputIsAnErrorOnOneLine() throws Exception {
        Path text = Files.write(directory.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n".getBytes());
        Run r = jtcp("trace", text.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("is not a pcap or pcapng capture").doesNotContain("Exception", "\tat ");
        assertThat(r.out()).isEmpty();

        Run empty = jtcp("trace", Files.write(directory.resolve("empty.pcap"), new byte[0]).toString());
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).contains("empty");

        Run missing = jtcp("trace", directory.resolve("missing.pcap").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");
        assertThat(jtcp("trace", directory.toString()).exitCode()).isEqualTo(2);
    }

    @Test
    void unknownConnectionIsAnError() {
        Path file = capture("handshake");
        Run r = jtcp("trace", file.toString(), "--conn", "9");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("no connection 9", "1 connection, numbered from 0");
        assertThat(jtcp("trace", file.toString(), "--conn", "-1").exitCode()).isEqualTo(2);
    }

    @Test
    void statsGiveTheSpeed() {
        assertThat(jtcp("trace", capture("basic").toString(), "--stats").out()).contains("million packets a second");
    }
}
