package dev.jtcp.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.pcap.CaptureReader;
import dev.jtcp.pcap.CapturedPacket;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ECN (RFC 3168) between jtcp and the Linux kernel ({@code net.ipv4.tcp_ecn=1} in the test's
 * namespace), both ways, with {@code --impair ce=2%} marking ECN-capable packets Congestion
 * Experienced on jtcp's link. The capture shows the negotiation and each side answering the
 * other's echoes. Needs root.
 */
@NeedsTools({"ip", "sysctl", "curl", "python3"})
class EcnInteropTest {
    private static final long SIZE = 5L << 20;
    @TempDir
    static Path dir;
    static NetnsFixture ns;

    @BeforeAll
    static void setUp() throws Exception {
        ns = NetnsFixture.create("ecn");
        ns.exec("sysctl", "-q", "-w", "net.ipv4.tcp_ecn=1").requireSuccess();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    /** What a capture shows of ECN, counted per sender. */
    private static final class Counts {
        int kernelSynFlags = -1;
        int jtcpSynFlags = -1;
        int kernelEce;
        int kernelCwr;
        int kernelEctData;
        int kernelCeData;
        int jtcpEce;
        int jtcpCwr;
        int jtcpEctData;
        int jtcpCeData;
    }

    /** Counts the capture's ECN signs; {@code kernel} is the kernel's address on that TUN. */
    private static Counts count(Path pcap, IpAddress kernel) throws Exception {
        Counts c = new Counts();
        try (CaptureReader reader = CaptureReader.open(pcap)) {
            CapturedPacket p = new CapturedPacket();
            IpPacket ip = new IpPacket();
            TcpPacket tcp = new TcpPacket();
            while (reader.next(p)) {
                ByteBuffer b = p.ip();
                if (ip.wrap(b, b.position(), b.remaining()).check() != null || ip.protocol() != IpProtocol.TCP
                        || tcp.wrap(b, ip.payloadOffset(), ip.payloadLength()).check() != null) {
                    continue;
                }
                boolean fromKernel = ip.src().equals(kernel);
                int flags = tcp.flags();
                int ecn = ip.tos() & 3;
                boolean data = tcp.payloadLength() > 0;
                if ((flags & TcpFlags.SYN) != 0) {
                    if (fromKernel) {
                        c.kernelSynFlags = flags;
                    } else {
                        c.jtcpSynFlags = flags;
                    }
                    continue;
                }
                if (fromKernel) {
                    c.kernelEce += (flags & TcpFlags.ECE) != 0 ? 1 : 0;
                    c.kernelCwr += (flags & TcpFlags.CWR) != 0 ? 1 : 0;
                    c.kernelEctData += data && ecn == 2 ? 1 : 0;
                    c.kernelCeData += data && ecn == 3 ? 1 : 0;
                } else {
                    c.jtcpEce += (flags & TcpFlags.ECE) != 0 ? 1 : 0;
                    c.jtcpCwr += (flags & TcpFlags.CWR) != 0 ? 1 : 0;
                    c.jtcpEctData += data && ecn == 2 ? 1 : 0;
                    c.jtcpCeData += data && ecn == 3 ? 1 : 0;
                }
            }
        }
        return c;
    }

    @Test
    @SuppressWarnings("try") // the python server is held open for the transfer, not called
    void theKernelAnswersJtcpsEchoes() throws Exception {
        Path served = Files.createDirectories(dir.resolve("kernel"));
        Path file = TestFiles.random(served.resolve("f"), SIZE);
        Path got = dir.resolve("got");
        Path pcap = dir.resolve("kernel-sends.pcapng");
        try (PythonHttp python = PythonHttp.start(ns, dir, 8000, served);
             Jtcp get = Jtcp.start(ns, dir, null, "get", "--ecn", "on", "--impair", "ce=2%", "--pcap", pcap.toString(),
                     "--tun", "jtcp1", "--addr", "198.18.1.2/24", "--kernel-addr", "198.18.1.1/24",
                     "-o", got.toString(), "http://198.18.1.1:8000/f")) {
            assertThat(get.waitFor(Duration.ofMinutes(2))).as(get.stderr()).isZero();
        }
        assertThat(TestFiles.sha256(got)).isEqualTo(TestFiles.sha256(file));
        Counts c = count(pcap, IpAddress.parse("198.18.1.1"));
        assertThat(c.jtcpSynFlags).as("jtcp asks for ECN").isEqualTo(TcpFlags.SYN | TcpFlags.ECE | TcpFlags.CWR);
        assertThat(c.kernelSynFlags).as("the kernel agrees").isEqualTo(TcpFlags.SYN | TcpFlags.ACK | TcpFlags.ECE);
        assertThat(c.kernelEctData).as("the kernel's data is ECN-capable").isPositive();
        assertThat(c.jtcpEce).as("jtcp echoes the marks its link made").isPositive();
        assertThat(c.kernelCwr).as("the kernel reduced and said so").isPositive();
        System.out.printf("ECN, kernel -> jtcp: %d ECT data segments, jtcp ACKs with ECE %d, kernel CWR %d%n",
                c.kernelEctData, c.jtcpEce, c.kernelCwr);
    }

    @Test
    @SuppressWarnings("try") // the jtcp server is held open for the transfer, not called
    void jtcpAnswersTheKernelsEchoes() throws Exception {
        Path pcap = dir.resolve("jtcp-sends.pcapng");
        Path got = dir.resolve("curl-got");
        try (Jtcp server = Jtcp.start(ns, dir, null, "serve", "http", "--quiet", "--dir", dir.toString(),
                "--impair", "ce=2%", "--pcap", pcap.toString(), "--tun", "jtcp2", "--addr", "198.18.2.2/24",
                "--kernel-addr", "198.18.2.1/24").awaitStderr("serving http", Duration.ofSeconds(30))) {
            ns.exec(Duration.ofMinutes(2), "curl", "-sS", "--fail", "-o", got.toString(),
                    "http://198.18.2.2:8080/bytes/" + SIZE).requireSuccess();
        }
        assertThat(TestFiles.sha256(got)).isEqualTo(TestFiles.sha256OfGenerated(SIZE));
        Counts c = count(pcap, IpAddress.parse("198.18.2.1"));
        assertThat(c.kernelSynFlags).as("the kernel asks for ECN").isEqualTo(TcpFlags.SYN | TcpFlags.ECE | TcpFlags.CWR);
        assertThat(c.jtcpSynFlags).as("jtcp agrees").isEqualTo(TcpFlags.SYN | TcpFlags.ACK | TcpFlags.ECE);
        assertThat(c.jtcpEctData).as("jtcp's data is ECN-capable").isPositive();
        assertThat(c.jtcpCeData).as("its link marked some").isPositive();
        assertThat(c.kernelEce).as("the kernel echoes").isPositive();
        assertThat(c.jtcpCwr).as("jtcp reduced and said so").isPositive();
        System.out.printf("ECN, jtcp -> kernel: %d ECT data segments (%d marked CE), kernel ECE %d, jtcp CWR %d%n",
                c.jtcpEctData, c.jtcpCeData, c.kernelEce, c.jtcpCwr);
    }
}
