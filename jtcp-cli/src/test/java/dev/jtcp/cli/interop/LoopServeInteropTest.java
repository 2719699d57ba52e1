package dev.jtcp.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jtcp serve echo} with its handlers on the event loop (the default) and with a thread per
 * connection ({@code --threads}), each on its own TUN device, driven by a kernel client (python3):
 * hundreds of short connections one after another (jtcp closes first, TIME-WAIT on its side), and
 * one large echo that needs the send buffer's back-pressure. Needs root.
 */
@NeedsTools({"ip", "python3"})
class LoopServeInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /**
     * A kernel client: {@code N} sequential connections to {@code HOST:7} (send 100 bytes, half-close,
     * expect them back, then the end of stream), then one echo of {@code BYTES} random bytes,
     * sent while reading; prints "ok N BYTES" or fails.
     */
    private static final String CLIENT = """
            import hashlib, os, socket, sys, threading
            host, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            for i in range(n):
                s = socket.create_connection((host, 7), timeout=10)
                msg = bytes([i % 256]) * 100
                s.sendall(msg)
                s.shutdown(socket.SHUT_WR)
                got = b''
                while True:
                    b = s.recv(4096)
                    if not b:
                        break
                    got += b
                assert got == msg, (i, len(got))
                s.close()
            data = os.urandom(size)
            s = socket.create_connection((host, 7), timeout=30)
            def send():
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
            t = threading.Thread(target=send)
            t.start()
            h, total = hashlib.sha256(), 0
            while True:
                b = s.recv(65536)
                if not b:
                    break
                h.update(b)
                total += len(b)
            t.join()
            assert total == size and h.digest() == hashlib.sha256(data).digest(), total
            print('ok', n, size)
            """;

    @TempDir
    static Path dir;
    static NetnsFixture ns;
    static Jtcp onLoop;
    static Jtcp threads;

    @BeforeAll
    static void setUp() throws Exception {
        ns = NetnsFixture.create("loopserve");
        onLoop = Jtcp.start(ns, dir, null, "serve", "echo", "--quiet", "--tun", "jtcp0", "--addr", "198.18.0.2/24",
                "--kernel-addr", "198.18.0.1/24").awaitStderr("serving echo", Duration.ofSeconds(30));
        threads = Jtcp.start(ns, dir, null, "serve", "echo", "--quiet", "--threads", "--tun", "jtcp1", "--addr",
                "198.18.1.2/24", "--kernel-addr", "198.18.1.1/24").awaitStderr("serving echo", Duration.ofSeconds(30));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (onLoop != null) {
            onLoop.close();
        }
        if (threads != null) {
            threads.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void handlersOnTheLoopServeShortConnectionsAndALargeEcho() throws Exception {
        ExternalTools.Result r = ns.exec(WAIT, "python3", "-c", CLIENT, "198.18.0.2", "300", "4000000");
        assertThat(r.exitCode()).as(r.stderr() + onLoop.stderr()).isZero();
        assertThat(r.stdout().strip()).isEqualTo("ok 300 4000000");
    }

    @Test
    void aThreadPerConnectionServesTheSame() throws Exception {
        ExternalTools.Result r = ns.exec(WAIT, "python3", "-c", CLIENT, "198.18.1.2", "100", "1000000");
        assertThat(r.exitCode()).as(r.stderr() + threads.stderr()).isZero();
        assertThat(r.stdout().strip()).isEqualTo("ok 100 1000000");
    }
}
