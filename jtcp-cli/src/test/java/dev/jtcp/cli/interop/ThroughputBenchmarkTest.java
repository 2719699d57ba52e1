package dev.jtcp.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput benchmark, not a pass/fail test: bulk transfers with the same kernel tools, once
 * between the kernel and jtcp over TUN devices, once between two kernel namespaces over a veth
 * pair, in the same run and on the same machine. Both paths use MTU 1500.
 *
 * <ul>
 *   <li>download: curl fetches {@code /bytes/N} from {@code jtcp serve http}, or from python3's
 *       http.server in the other namespace;
 *   <li>push: {@code nc -N} sends N zero bytes into {@code jtcp serve discard}, or into {@code nc
 *       -l} in the other namespace.
 * </ul>
 *
 * <p>Prints a table and writes it to {@code target/throughput.txt}. Each measurement follows a
 * warm-up transfer (the JIT compiles jtcp's hot paths during the first megabytes). Needs root.
 */
@NeedsTools({"ip", "ss", "curl", "nc", "python3"})
class ThroughputBenchmarkTest {
    private static final long BYTES = Long.getLong("jtcp.bench.bytes", 200_000_000L);
    private static final long WARM_UP = 30_000_000L;
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("try") // servers are held open for the transfers, not called
    void jtcpAgainstKernelAndKernelAgainstKernel() throws Exception {
        double jtcpDownload;
        double jtcpPush;
        double kernelDownload;
        double kernelPush;
        try (NetnsFixture a = NetnsFixture.create("bench");
             Jtcp http = Jtcp.start(a, dir, null, "serve", "http", "--quiet", "--dir", dir.toString())
                     .awaitStderr("serving http", Duration.ofSeconds(30));
             Jtcp discard = Jtcp.start(a, dir, null, "serve", "discard", "--quiet", "--tun", "jtcp1",
                     "--addr", "198.18.1.2/24", "--kernel-addr", "198.18.1.1/24")
                     .awaitStderr("serving discard", Duration.ofSeconds(30))) {
            download(a, "http://198.18.0.2:8080/bytes/" + WARM_UP, WARM_UP);
            jtcpDownload = download(a, "http://198.18.0.2:8080/bytes/" + BYTES, BYTES);
            push(a, "198.18.1.2", WARM_UP);
            jtcpPush = push(a, "198.18.1.2", BYTES);
        }
        try (NetnsFixture a = NetnsFixture.create("bench-a");
             NetnsFixture b = NetnsFixture.create("bench-b")) {
            ExternalTools.run("ip", "link", "add", "vbench0", "netns", a.name(), "type", "veth",
                    "peer", "name", "vbench1", "netns", b.name()).requireSuccess();
            a.exec("ip", "addr", "add", "198.18.9.1/24", "dev", "vbench0").requireSuccess();
            b.exec("ip", "addr", "add", "198.18.9.2/24", "dev", "vbench1").requireSuccess();
            a.exec("ip", "link", "set", "vbench0", "mtu", "1500", "up").requireSuccess();
            b.exec("ip", "link", "set", "vbench1", "mtu", "1500", "up").requireSuccess();
            try (PythonHttp python = PythonHttp.start(b, dir, 8080, dir)) {
                download(a, "http://198.18.9.2:8080/bytes/" + WARM_UP, WARM_UP);
                kernelDownload = download(a, "http://198.18.9.2:8080/bytes/" + BYTES, BYTES);
            }
            push(a, b, WARM_UP);
            kernelPush = push(a, b, BYTES);
        }
        List<String> table = new ArrayList<>();
        table.add(String.format("throughput, %d MB per transfer, MTU 1500   jtcp<->kernel   kernel<->kernel (veth)   ratio",
                BYTES / 1_000_000));
        table.add(String.format("download: curl <- HTTP server       %10.1f MB/s  %14.1f MB/s  %9.1f%%", jtcpDownload,
                kernelDownload, 100 * jtcpDownload / kernelDownload));
        table.add(String.format("push:     nc -N -> discard           %10.1f MB/s  %14.1f MB/s  %9.1f%%", jtcpPush,
                kernelPush, 100 * jtcpPush / kernelPush));
        table.forEach(System.out::println);
        Files.write(Path.of("target", "throughput.txt"), table);
        assertThat(jtcpDownload).isPositive();
        assertThat(jtcpPush).isPositive();
    }

    /** MB/s of a curl download of {@code bytes} from {@code url}, inside {@code ns}. */
    private static double download(NetnsFixture ns, String url, long bytes) throws Exception {
        ExternalTools.Result r = ns.exec(Duration.ofMinutes(5), "curl", "-sS", "--fail", "-o", "/dev/null", "-w",
                "%{size_download} %{time_total}", url).requireSuccess();
        String[] f = r.stdout().strip().split(" ");
        assertThat(Long.parseLong(f[0])).isEqualTo(bytes);
        return bytes / 1e6 / Double.parseDouble(f[1]);
    }

    /** MB/s of {@code nc -N} pushing {@code bytes} zeros to jtcp's discard port at {@code host}. */
    private static double push(NetnsFixture ns, String host, long bytes) throws Exception {
        long t0 = System.nanoTime();
        ns.exec(Duration.ofMinutes(5), "sh", "-c", "head -c " + bytes + " /dev/zero | nc -N " + host + " 9")
                .requireSuccess();
        return bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    /** MB/s of {@code nc -N} in {@code a} pushing into {@code nc -l} in {@code b} over the veth pair. */
    private static double push(NetnsFixture a, NetnsFixture b, long bytes) throws Exception {
        Process sink = b.process("sh", "-c", "nc -l 9 > /dev/null").start();
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!b.exec("ss", "-Hltn", "sport = :9").stdout().contains(":9") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long t0 = System.nanoTime();
            a.exec(Duration.ofMinutes(5), "sh", "-c", "head -c " + bytes + " /dev/zero | nc -N 198.18.9.2 9")
                    .requireSuccess();
            return bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
        } finally {
            sink.destroyForcibly().waitFor();
        }
    }
}
