package dev.jtcp.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jtcp forward} between two namespaces: the client namespace routes 198.19.0.0/16 into the
 * TUN (jtcp0, created there with {@code --netns}); jtcp runs in the server namespace, where
 * 198.19.0.10 is an address of the loopback device, so the forwarder's own sockets reach the
 * servers there. Python's http.server, half-closing peers and a UDP echo answer. Needs root.
 */
@NeedsTools({"ip", "curl", "python3"})
class ForwardInteropTest {
    private static final String SERVER = "198.19.0.10";
    @TempDir
    static Path dir;
    static Path served;
    static NetnsFixture client;
    static NetnsFixture server;
    static Jtcp forward;
    static PythonHttp http;
    static Process peers;
    static Path peersOut;

    @BeforeAll
    static void setUp() throws Exception {
        client = NetnsFixture.create("fwdc");
        server = NetnsFixture.create("fwds");
        server.exec("ip", "addr", "add", SERVER + "/32", "dev", "lo").requireSuccess();
        served = Files.createDirectories(dir.resolve("served"));
        TestFiles.random(served.resolve("f4m"), 4L << 20);
        http = PythonHttp.start(server, dir, 8000, served);
        peersOut = dir.resolve("peers.out");
        peers = server.process("python3", script("forward_peers.py").toString(), SERVER)
                .redirectOutput(peersOut.toFile()).redirectError(dir.resolve("peers.err").toFile()).start();
        forward = Jtcp.start(server, dir, null, "forward", "--netns", client.name(), "--connect-timeout", "3s")
                .awaitStderr("forwarding", Duration.ofSeconds(30));
        client.exec("ip", "route", "add", "198.19.0.0/16", "dev", "jtcp0").requireSuccess();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(peersOut).contains("ready") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static Path script(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = ForwardInteropTest.class.getResourceAsStream("/interop/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (forward != null) {
            forward.close();
        }
        if (peers != null) {
            peers.destroyForcibly().waitFor();
        }
        if (http != null) {
            http.close();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void curlDownloadsThroughTheForwarder() throws Exception {
        Path got = dir.resolve("got");
        ExternalTools.Result r = client.exec(Duration.ofSeconds(60), "curl", "-sS", "--fail", "--max-time", "50",
                "-o", got.toString(), "-w", "%{size_download} bytes in %{time_total} s\n",
                "http://" + SERVER + ":8000/f4m");
        r.requireSuccess();
        System.out.println("curl -> jtcp forward -> python http.server, " + r.stdout().strip());
        assertThat(TestFiles.sha256(got)).isEqualTo(TestFiles.sha256(served.resolve("f4m")));
    }

    @Test
    void halfClosesCrossBothWaysUdpIsEchoedAndAClosedPortIsRefused() throws Exception {
        ExternalTools.Result r = client.exec(Duration.ofSeconds(60), "python3",
                script("forward_client.py").toString(), SERVER);
        r.requireSuccess();
        assertThat(r.stdoutLines()).containsExactly("9000 got 100000", "9001 hello",
                "9002 ping from " + SERVER + ":9002", "9999 refused");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!Files.readString(peersOut).contains("9001 got") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Files.readString(peersOut)).contains("9001 got thanks");
    }
}
