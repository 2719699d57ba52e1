package dev.jtcp.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jtcp forward} between two namespaces ({@link ForwardRig}), relaying through the OS's own
 * sockets: a curl download, half-closes both ways, a UDP echo, a refused port, an unreachable
 * address, and DNS against dnsmasq. Needs root.
 */
@NeedsTools({"ip", "ss", "curl", "python3"})
class ForwardInteropTest {
    @TempDir
    static Path dir;
    static ForwardRig rig;

    @BeforeAll
    static void setUp() throws Exception {
        rig = ForwardRig.create("fwd", dir).forward("--udp-idle", "5s", "--table", "1s");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void curlDownloadsThroughTheForwarder() throws Exception {
        Path got = dir.resolve("got");
        ExternalTools.Result r = rig.client.exec(Duration.ofSeconds(60), "curl", "-sS", "--fail", "--max-time", "50",
                "-o", got.toString(), "-w", "%{size_download} bytes in %{time_total} s\n",
                "http://" + ForwardRig.SERVER + ":8000/f4m");
        r.requireSuccess();
        System.out.println("curl -> jtcp forward -> python http.server, " + r.stdout().strip());
        assertThat(TestFiles.sha256(got)).isEqualTo(TestFiles.sha256(rig.served.resolve("f4m")));
    }

    /**
     * The 1 GiB through the relay, checked by SHA-256 as it streams (bench/bytes_server.py:
     * a pseudo-random stream, so a byte lost, doubled or out of place changes the digest). A few
     * seconds at the relay's speed; {@code -Djtcp.forward.bytes=N} changes the size.
     */
    @Test
    void aGibibyteCrossesTheRelayIntact() throws Exception {
        long bytes = Long.getLong("jtcp.forward.bytes", 1L << 30);
        Path server = Path.of("..", "bench", "bytes_server.py").toAbsolutePath();
        Process p = rig.server.process("python3", server.toString(), ForwardRig.SERVER, "8001")
                .redirectErrorStream(true).redirectOutput(dir.resolve("bytes.out").toFile()).start();
        rig.keep(p);
        rig.await(dir.resolve("bytes.out"), "ready", "bytes_server.py");
        String want = ExternalTools.run("python3", server.toString(), "--sha256", Long.toString(bytes))
                .requireSuccess().stdout().strip();
        long t0 = System.nanoTime();
        ExternalTools.Result r = rig.client.exec(Duration.ofSeconds(300), "sh", "-c",
                "curl -sS --fail --max-time 280 http://" + ForwardRig.SERVER + ":8001/" + bytes + " | sha256sum")
                .requireSuccess();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(java.util.Locale.ROOT, "%,d bytes through jtcp forward in %.1f s (%.0f MB/s)%n", bytes,
                seconds, bytes / seconds / 1e6);
        assertThat(r.stdout().split(" ")[0]).isEqualTo(want);
        if (seconds > 2.5) {
            assertThat(rig.forward.stderr()).as("--table showed the download while it ran").containsPattern(
                    "198\\.18\\.0\\.1:\\d+ +198\\.19\\.0\\.10:8001 +ESTABLISHED +[\\d,]+ +[\\d,]+ +[\\d.]+ +\\d+ +\\d+");
        }
    }

    /** The same over IPv6: a flow to an IPv6 destination is terminated and relayed as well. */
    @Test
    void ipv6FlowsAreRelayedToo() throws Exception {
        Path server = Path.of("..", "bench", "bytes_server.py").toAbsolutePath();
        Process p = rig.server.process("python3", server.toString(), ForwardRig.SERVER6, "8002")
                .redirectErrorStream(true).redirectOutput(dir.resolve("bytes6.out").toFile()).start();
        rig.keep(p);
        rig.await(dir.resolve("bytes6.out"), "ready", "bytes_server.py on IPv6");
        String want = ExternalTools.run("python3", server.toString(), "--sha256", "10000000").requireSuccess()
                .stdout().strip();
        ExternalTools.Result r = rig.client.exec(Duration.ofSeconds(60), "sh", "-c",
                "curl -sS -g --fail --max-time 50 'http://[" + ForwardRig.SERVER6 + "]:8002/10000000' | sha256sum")
                .requireSuccess();
        assertThat(r.stdout().split(" ")[0]).isEqualTo(want);
        assertThat(rig.forward.stderr()).contains("-> /[fd00:19:0:0:0:0:0:10]:8002: relayed via direct");
    }

    @Test
    void halfClosesCrossBothWaysUdpIsEchoedRefusedIsRefusedAndUnreachableUnreachable() throws Exception {
        assertClientScript(rig);
    }

    /** forward_client.py's lines, and what the server side saw. */
    static void assertClientScript(ForwardRig rig) throws Exception {
        ExternalTools.Result r = rig.clientPython("forward_client.py", ForwardRig.SERVER);
        assertThat(r.stdoutLines()).containsExactly("9000 got 100000", "9001 hello",
                "9002 ping from " + ForwardRig.SERVER + ":9002", "9999 refused", "198.19.99.1 unreachable");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!Files.readString(rig.peersOut).contains("9001 got") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Files.readString(rig.peersOut)).contains("9001 got thanks");
    }

    @Test
    @NeedsTools("dnsmasq")
    void dnsLookupsOverUdpReachDnsmasqAndTheSessionsEndWhenIdle() throws Exception {
        rig.startDnsmasq();
        assertDns(rig);
        // --udp-idle 5s: the sessions of those lookups end on the stack's timer wheel.
        rig.forward.awaitStderr("udp /198.18.0.1:", Duration.ofSeconds(1));
        rig.forward.awaitStderr("-> /" + ForwardRig.DNS + ":53: idle 5s, ended", Duration.ofSeconds(20));
    }

    /** Two lookups through the forwarder, each answered from dnsmasq's address. */
    static void assertDns(ForwardRig rig) throws Exception {
        assertThat(rig.clientPython("forward_dns.py", ForwardRig.DNS, "www.example.test").stdoutLines())
                .containsExactly("www.example.test A 198.19.7.7 from " + ForwardRig.DNS + ":53");
        assertThat(rig.clientPython("forward_dns.py", ForwardRig.DNS, "nothing.example.test").stdoutLines())
                .containsExactly("nothing.example.test NXDOMAIN");
    }
}
