package dev.jtcp.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.pcap.CaptureReader;
import dev.jtcp.pcap.CapturedPacket;
import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpPacket;
import java.nio.ByteBuffer;
import dev.jtcp.testutil.NetnsFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP between the Linux kernel's tools and jtcp, in one network namespace: curl against {@code
 * jtcp serve http} (on TUN jtcp0, 198.18.0.2 / fd00::2) and {@code jtcp get} (on TUN jtcp1,
 * 198.18.1.2) against python3's http.server. Every transfer is checked by SHA-256. Needs root.
 */
@NeedsTools({"ip", "curl", "python3"})
class HttpInteropTest {
    private static final Duration LONG = Duration.ofMinutes(3);
    @TempDir
    static Path dir;
    static Path served;
    static Path kernelDir;
    static NetnsFixture ns;
    static Jtcp server;
    static PythonHttp python;

    @BeforeAll
    static void setUp() throws Exception {
        ns = NetnsFixture.create("http");
        served = Files.createDirectories(dir.resolve("served"));
        kernelDir = Files.createDirectories(dir.resolve("kernel"));
        for (long size : new long[] {0, 1024, 1 << 20, 100L << 20}) {
            TestFiles.random(served.resolve("f" + size), size);
            Files.copy(served.resolve("f" + size), kernelDir.resolve("f" + size));
        }
        // Offloads off: tcpdumpSeesWellFormedPackets checks the checksums on the wire, which with
        // offloads are partial on both sides of the TUN (the kernel completes them later, as on any
        // device with checksum offload). The get client keeps the default (on).
        server = Jtcp.start(ns, dir, null, "serve", "http", "--dir", served.toString(), "--quiet", "--offload", "off")
                .awaitStderr("serving http", Duration.ofSeconds(30));
        python = PythonHttp.start(ns, dir, 8000, kernelDir);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (python != null) {
            python.close();
        }
        if (server != null) {
            server.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {0, 1024, 1 << 20, 100L << 20})
    void curlDownloadsFromJtcp(long size) throws Exception {
        Path got = dir.resolve("curl-got-" + size);
        ExternalTools.Result r = ns.exec(LONG, "curl", "-sS", "--fail", "--max-time", "150", "-o", got.toString(),
                "-w", "%{size_download} bytes in %{time_total} s\n", "http://198.18.0.2:8080/f" + size);
        r.requireSuccess();
        System.out.println("curl <- jtcp serve http, " + r.stdout().strip());
        assertThat(TestFiles.sha256(got)).isEqualTo(TestFiles.sha256(served.resolve("f" + size)));
        Files.delete(got);
    }

    @Test
    void curlDownloadsGeneratedBytesOverIpv6() throws Exception {
        Path got = dir.resolve("curl-got-v6");
        ns.exec("curl", "-sS", "--fail", "--max-time", "60", "-o", got.toString(),
                "http://[fd00::2]:8080/bytes/3000000").requireSuccess();
        assertThat(TestFiles.sha256(got)).isEqualTo(TestFiles.sha256OfGenerated(3_000_000));
    }

    @Test
    void aNegativeByteCountIsABadRequestAndTheConnectionStaysUsable() throws Exception {
        // Two URLs on one curl: the second reuses the kept-alive connection, so a response without
        // a length for the first would make curl wait until --max-time.
        ExternalTools.Result r = ns.exec("curl", "-sS", "--max-time", "20", "-o", "/dev/null", "-o", "/dev/null",
                "-w", "%{http_code} %{num_connects}\n", "http://198.18.0.2:8080/bytes/-5",
                "http://198.18.0.2:8080/bytes/10").requireSuccess();
        assertThat(r.stdoutLines()).containsExactly("400 1", "200 0");
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {0, 1024, 1 << 20, 100L << 20})
    void jtcpGetDownloadsFromPython(long size) throws Exception {
        Path got = dir.resolve("get-got-" + size);
        try (Jtcp get = client("get", "-o", got.toString(), "http://198.18.1.1:8000/f" + size)) {
            assertThat(get.waitFor(LONG)).as(get.stderr()).isZero();
            System.out.println("jtcp get <- python http.server, " + lastLine(get.stderr()));
        }
        assertThat(TestFiles.sha256(got)).isEqualTo(TestFiles.sha256(kernelDir.resolve("f" + size)));
        Files.delete(got);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {1024, 10L << 20})
    void curlUploadsToJtcp(long size) throws Exception {
        Path upload = TestFiles.random(dir.resolve("up-" + size), size);
        ns.exec(LONG, "curl", "-sS", "--fail", "--max-time", "120", "-T", upload.toString(),
                "http://198.18.0.2:8080/uploaded-" + size).requireSuccess();
        assertThat(TestFiles.sha256(served.resolve("uploaded-" + size))).isEqualTo(TestFiles.sha256(upload));
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {1024, 10L << 20})
    void jtcpUploadsToPython(long size) throws Exception {
        Path upload = TestFiles.random(dir.resolve("jup-" + size), size);
        try (Jtcp put = client("get", "-T", upload.toString(), "http://198.18.1.1:8000/uploaded-" + size)) {
            assertThat(put.waitFor(LONG)).as(put.stderr()).isZero();
        }
        assertThat(TestFiles.sha256(kernelDir.resolve("uploaded-" + size))).isEqualTo(TestFiles.sha256(upload));
    }

    @Test
    @NeedsTools("ping")
    void kernelPingGetsRepliesOverBothFamilies() throws Exception {
        assertThat(ns.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "198.18.0.2").requireSuccess().stdout())
                .contains("3 received");
        assertThat(ns.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "fd00::2").requireSuccess().stdout())
                .contains("3 received");
    }

    @Test
    @NeedsTools({"tcpdump", "ping"})
    void tcpdumpSeesWellFormedPackets() throws Exception {
        // -vv makes tcpdump verify IP, TCP and ICMP checksums and say "incorrect" or "bad cksum".
        Process dump = ns.process("tcpdump", "-i", "jtcp0", "-n", "-vv", "-l", "-c", "40", "host", "198.18.0.2")
                .redirectErrorStream(false).redirectOutput(dir.resolve("tcpdump.out").toFile())
                .redirectError(dir.resolve("tcpdump.err").toFile()).start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.readString(dir.resolve("tcpdump.err")).contains("listening") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        ns.exec("ping", "-c", "2", "-i", "0.2", "198.18.0.2");
        ns.exec("curl", "-sS", "-o", "/dev/null", "http://198.18.0.2:8080/bytes/20000").requireSuccess();
        ns.exec("curl", "-sS", "-o", "/dev/null", "http://198.18.0.2:8080/f1024").requireSuccess();
        if (!dump.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            dump.destroy();
            dump.waitFor();
        }
        String out = Files.readString(dir.resolve("tcpdump.out"));
        List<String> fromJtcp = out.lines().filter(l -> l.contains("198.18.0.2.") && l.contains(" > 198.18.0.1")
                || l.contains("198.18.0.2 > 198.18.0.1")).toList();
        assertThat(out).doesNotContain("incorrect").doesNotContain("bad cksum");
        assertThat(fromJtcp).hasSizeGreaterThan(5);
        assertThat(out).contains("ICMP echo reply").contains("Flags [S.]").contains("Flags [F.]");
    }

    @Test
    void pcapCapturesTheWholeExchangeWithGoodChecksums() throws Exception {
        Path pcap = dir.resolve("get.pcapng");
        Path got = dir.resolve("pcap-got");
        try (Jtcp get = client("get", "--pcap", pcap.toString(), "-o", got.toString(), "http://198.18.1.1:8000/f1024")) {
            assertThat(get.waitFor(LONG)).as(get.stderr()).isZero();
        }
        int syn = 0;
        // A FIN is counted once per sender and sequence number: on a loaded machine a FIN may be
        // resent (a tail loss probe) before its ACK arrives, which is not a second FIN.
        java.util.Set<String> fins = new java.util.HashSet<>();
        long payload = 0;
        try (CaptureReader reader = CaptureReader.open(pcap)) {
            CapturedPacket p = new CapturedPacket();
            IpPacket ip = new IpPacket();
            TcpPacket tcp = new TcpPacket();
            while (reader.next(p)) {
                ByteBuffer b = p.ip();
                assertThat(ip.wrap(b, b.position(), b.remaining()).check()).isNull();
                if (ip.protocol() != IpProtocol.TCP) {
                    continue;
                }
                assertThat(tcp.wrap(b, ip.payloadOffset(), ip.payloadLength()).check()).isNull();
                assertThat(tcp.verifyChecksum(ip.pseudoHeaderSum())).isTrue();
                syn += (tcp.flags() & TcpFlags.SYN) != 0 ? 1 : 0;
                if ((tcp.flags() & TcpFlags.FIN) != 0) {
                    fins.add(ip.src() + ":" + tcp.srcPort() + " " + Integer.toUnsignedString(tcp.seq() + tcp.payloadLength()));
                }
                payload += tcp.payloadLength();
            }
        }
        assertThat(syn).as("SYN and SYN-ACK").isEqualTo(2);
        assertThat(fins).as("a FIN each way").hasSize(2);
        assertThat(payload).as("request and response").isGreaterThan(1024);
    }

    /** A {@code jtcp} client on its own TUN (jtcp1, 198.18.1.2, kernel at 198.18.1.1). */
    private static Jtcp client(String... args) throws IOException {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--tun", "jtcp1", "--addr", "198.18.1.2/24", "--kernel-addr", "198.18.1.1/24"));
        return Jtcp.start(ns, dir, null, all.toArray(String[]::new));
    }

    private static String lastLine(String s) {
        List<String> lines = s.lines().toList();
        return lines.isEmpty() ? "" : lines.getLast();
    }
}
