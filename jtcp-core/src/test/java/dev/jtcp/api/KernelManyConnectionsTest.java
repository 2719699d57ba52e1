package dev.jtcp.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.link.tun.TunLink;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel as a client of a jtcp server running in this JVM on a TUN device in a test namespace:
 * 1,000 short connections one after another, then 200 at once. The jtcp server answers and closes
 * first, so every connection ends in jtcp's TIME-WAIT (1 s here); afterwards neither jtcp nor the
 * kernel may hold any connection. Needs root.
 */
@NeedsTools({"ip", "ss", "python3"})
class KernelManyConnectionsTest {
    @TempDir
    Path dir;

    @Test
    void thousandSequentialAndTwoHundredParallelShortConnections() throws Exception {
        TcpConfig config = TcpConfig.defaults().toBuilder().msl(Duration.ofMillis(500)).build();
        try (NetnsFixture ns = NetnsFixture.create("many");
             NetStack stack = NetStack.builder().name("jtcp").config(config).address("198.18.0.2/24")
                     .link(TunLink.create("jtcp0", ns.name(), 1500, List.of("198.18.0.1/24"))).start()) {
            TcpServerSocket listener = stack.listen(new InetSocketAddress(7), 256);
            Thread.ofVirtual().start(() -> {
                while (true) {
                    TcpSocket c;
                    try {
                        c = listener.accept();
                    } catch (IOException e) {
                        return;
                    }
                    Thread.ofVirtual().start(() -> answerAndClose(c));
                }
            });
            Path script = dir.resolve("many_clients.py");
            try (InputStream in = getClass().getResourceAsStream("/interop/many_clients.py")) {
                Files.copy(in, script);
            }
            ExternalTools.Result r = ns.exec(Duration.ofMinutes(3), "python3", script.toString(), "198.18.0.2", "7",
                    "1000", "200").requireSuccess();
            assertThat(r.stdout()).contains("sequential 1000/1000").contains("parallel 200/200");

            // jtcp closed first: every connection is in (or through) TIME-WAIT, which lasts 1 s.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline
                    && stack.inspect(h -> h.connectionCount() + h.timeWaitCount()) > 0) {
                Thread.sleep(50);
            }
            assertThat(stack.inspect(Host::connectionCount)).isZero();
            assertThat(stack.inspect(Host::timeWaitCount)).isZero();
            assertThat(ns.exec("ss", "-Htan").requireSuccess().stdout().lines()
                    .filter(l -> l.contains("198.18.0.2")).toList()).isEmpty();
            listener.close();
        }
    }

    private static void answerAndClose(TcpSocket c) {
        try (c) {
            BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
            String line = in.readLine();
            c.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // The client went away; the counts will show it.
        }
    }
}
