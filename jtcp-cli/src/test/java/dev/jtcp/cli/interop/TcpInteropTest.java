package dev.jtcp.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection management between the Linux kernel and jtcp: half-close, refusal, abort and
 * simultaneous open, each way. {@code jtcp serve echo} runs on TUN jtcp0 (198.18.0.2); jtcp
 * clients use TUN jtcp1 (198.18.1.2, kernel at 198.18.1.1). Needs root.
 */
@NeedsTools({"ip", "ss", "nc", "python3", "curl"})
class TcpInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @TempDir
    static Path dir;
    static NetnsFixture ns;
    static Jtcp echo;

    @BeforeAll
    static void setUp() throws Exception {
        ns = NetnsFixture.create("tcp");
        echo = Jtcp.start(ns, dir, null, "serve", "echo").awaitStderr("serving echo", Duration.ofSeconds(30));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (echo != null) {
            echo.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void kernelHalfClosesAndStillReceivesEverything() throws Exception {
        // nc -N: at the end of its input nc shuts down writing (FIN) and reads until jtcp's FIN.
        Path in = TestFiles.random(dir.resolve("nc-in"), 1 << 20);
        Path out = dir.resolve("nc-out");
        ns.exec(WAIT, "sh", "-c", "nc -N 198.18.0.2 7 < " + in + " > " + out).requireSuccess();
        assertThat(TestFiles.sha256(out)).isEqualTo(TestFiles.sha256(in));
    }

    @Test
    void jtcpHalfClosesAndStillReceivesEverything() throws Exception {
        // The kernel peer answers only after jtcp's FIN: everything jtcp receives comes after its half-close.
        Path in = TestFiles.random(dir.resolve("connect-in"), 1 << 20);
        try (KernelPeer peer = KernelPeer.start(ns, dir, "echo-after-eof", "5000").awaitReady();
             Jtcp connect = client(in, "connect", "198.18.1.1", "5000")) {
            assertThat(connect.waitFor(WAIT)).as(connect.stderr()).isZero();
            assertThat(peer.result(WAIT)).isEqualTo("echoed " + (1 << 20));
            assertThat(TestFiles.sha256(connect.stdoutFile())).isEqualTo(TestFiles.sha256(in));
        }
    }

    @Test
    void ncListeningHalfClosesFirstAndStillReceivesEverything() throws Exception {
        // nc -l -N with no input shuts down writing at once (the kernel's FIN comes first); jtcp
        // then sends, and nc must receive all of it before jtcp's FIN ends the connection. (The
        // other way round needs a peer that keeps sending after jtcp's FIN, which nc -l does not:
        // it quits once the network side is closed; jtcpHalfClosesAndStillReceivesEverything uses
        // a python peer for that.)
        Path jtcpIn = TestFiles.random(dir.resolve("j-in"), 300_000);
        Path kernelOut = dir.resolve("k-out");
        Process nc = ns.process("sh", "-c", "nc -N -l 5001 < /dev/null > " + kernelOut).start();
        waitForListener(5001);
        try (Jtcp connect = client(jtcpIn, "connect", "198.18.1.1", "5001")) {
            assertThat(connect.waitFor(WAIT)).as(connect.stderr()).isZero();
            assertThat(nc.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(TestFiles.sha256(kernelOut)).isEqualTo(TestFiles.sha256(jtcpIn));
            assertThat(Files.size(connect.stdoutFile())).isZero();
        }
    }

    @Test
    void kernelConnectingToAClosedJtcpPortIsRefused() throws Exception {
        ExternalTools.Result r = ns.exec("curl", "-sS", "-v", "--max-time", "10", "http://198.18.0.2:9/");
        assertThat(r.exitCode()).as("curl: couldn't connect").isEqualTo(7);
        assertThat(r.stderr()).contains("Connection refused");
    }

    @Test
    void jtcpConnectingToAClosedKernelPortIsRefused() throws Exception {
        try (Jtcp connect = client(null, "connect", "198.18.1.1", "9")) {
            assertThat(connect.waitFor(WAIT)).isEqualTo(1);
            assertThat(connect.stderr()).contains("connect to 198.18.1.1:9: Connection refused");
        }
    }

    @Test
    void jtcpAbortResetsTheKernel() throws Exception {
        Path in = Files.writeString(dir.resolve("abort-in"), "hello\n");
        try (KernelPeer peer = KernelPeer.start(ns, dir, "expect-reset", "5002").awaitReady();
             Jtcp connect = client(in, "connect", "--abort", "198.18.1.1", "5002")) {
            connect.waitFor(WAIT);
            assertThat(peer.result(WAIT)).isEqualTo("RESET");
        }
    }

    @Test
    void kernelAbortResetsJtcp() throws Exception {
        Path in = Files.writeString(dir.resolve("reset-in"), "hello\n");
        try (KernelPeer peer = KernelPeer.start(ns, dir, "reset-after-read", "5003").awaitReady();
             Jtcp connect = client(in, "connect", "198.18.1.1", "5003")) {
            assertThat(connect.waitFor(WAIT)).isEqualTo(1);
            assertThat(peer.result(WAIT)).isEqualTo("reset sent");
            assertThat(connect.stderr()).contains("jtcp: Connection reset");
        }
    }

    @Test
    void simultaneousOpenWithTheKernel() throws Exception {
        // Both ends connect from fixed ports to each other's as soon as the link is up; a second of
        // delay each way on jtcp's link makes the two SYNs cross, so each side receives the other's
        // SYN while in SYN-SENT (RFC 9293 §3.5, Figure 8).
        Path in = Files.writeString(dir.resolve("simopen-in"), "jtcp\n");
        try (KernelPeer peer = KernelPeer.start(ns, dir, "simultaneous", "198.18.2.1", "40001", "198.18.2.2", "40000",
                "jtcp2");
             Jtcp connect = Jtcp.start(ns, dir, in, "connect", "--trace", "--local-port", "40000",
                     "--impair", "delay=1s", "--tun", "jtcp2", "--addr", "198.18.2.2/24",
                     "--kernel-addr", "198.18.2.1/24", "198.18.2.1", "40001")) {
            assertThat(connect.waitFor(WAIT)).as(connect.stderr()).isZero();
            assertThat(peer.result(WAIT)).isEqualTo("got jtcp");
            assertThat(connect.stdout()).isEqualTo("kernel\n");
            assertThat(connect.stderr()).contains("SYN-SENT -> SYN-RECEIVED (rcv SYN (simultaneous open))")
                    .contains("SYN-RECEIVED -> ESTABLISHED");
        }
    }

    @Test
    void udpToAClosedJtcpPortDrawsPortUnreachable() throws Exception {
        // jtcp implements UDP (RFC 768): a datagram to a port nobody bound draws ICMP port
        // unreachable (RFC 1122 §4.1.3.1), which Linux reports as ECONNREFUSED in both families.
        // (Protocol unreachable for what jtcp lacks is HostStackTest's, with SCTP.)
        try (KernelPeer v4 = KernelPeer.start(ns, dir, "udp-probe", "198.18.0.2", "9")) {
            assertThat(v4.result(WAIT)).isEqualTo("ECONNREFUSED");
        }
        try (KernelPeer v6 = KernelPeer.start(ns, dir, "udp-probe", "fd00::2", "9")) {
            assertThat(v6.result(WAIT)).isEqualTo("ECONNREFUSED");
        }
    }

    @Test
    void kernelIcmpHardErrorAbortsAConnectingJtcpSocket() throws Exception {
        // The kernel forwards for 198.18.5.0/24 through a "prohibit" route: it answers jtcp's SYN
        // with ICMP destination unreachable, communication administratively prohibited (code 13),
        // a hard error, so jtcp's connect fails at once instead of retrying for minutes.
        ns.exec("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward").requireSuccess();
        ns.exec("ip", "route", "replace", "prohibit", "198.18.5.0/24").requireSuccess();
        try (Jtcp connect = client(null, "connect", "--trace", "--timeout", "PT20S", "198.18.5.1", "80")) {
            long t0 = System.nanoTime();
            assertThat(connect.waitFor(WAIT)).isEqualTo(1);
            assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(10).toNanos());
            assertThat(connect.stderr()).contains("ICMP destination unreachable code 13")
                    .contains("connect to 198.18.5.1:80: No route to host");
        }
    }

    @Test
    void kernelIcmpSoftErrorDoesNotAbortAConnectingJtcpSocket() throws Exception {
        // An "unreachable" route makes the kernel answer with host unreachable (code 1): a soft
        // error (MUST-56). jtcp reports it in its trace and keeps retrying until its own timeout.
        ns.exec("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward").requireSuccess();
        ns.exec("ip", "route", "replace", "unreachable", "198.18.6.0/24").requireSuccess();
        try (Jtcp connect = client(null, "connect", "--trace", "--timeout", "PT3S", "198.18.6.1", "80")) {
            assertThat(connect.waitFor(WAIT)).isEqualTo(1);
            assertThat(connect.stderr()).contains("ICMP host unreachable")
                    .contains("connect to 198.18.6.1:80: Connect timed out");
        }
    }

    /** A {@code jtcp} client on TUN jtcp1 (198.18.1.2, kernel at 198.18.1.1) with stdin from {@code in}. */
    private static Jtcp client(Path in, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(all.indexOf("connect") + 1, List.of("--tun", "jtcp1", "--addr", "198.18.1.2/24",
                "--kernel-addr", "198.18.1.1/24"));
        return Jtcp.start(ns, dir, in, all.toArray(String[]::new));
    }

    private static void waitForListener(int port) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (ns.exec("ss", "-Hltn", "sport = :" + port).stdout().contains(":" + port)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("nothing listens on port " + port);
    }
}
