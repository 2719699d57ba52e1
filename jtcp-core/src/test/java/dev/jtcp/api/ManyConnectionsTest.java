package dev.jtcp.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The scale requirement: 10,000 connections open at once, one virtual thread per side of each. */
class ManyConnectionsTest {
    private static final int CONNECTIONS = 10_000;

    @Test
    @Timeout(180)
    void tenThousandConcurrentConnectionsOnVirtualThreads() throws Exception {
        TcpConfig config = TcpConfig.defaults().toBuilder().msl(Duration.ofMillis(500))
                .sendBufferBytes(16 * 1024).receiveBufferBytes(16 * 1024).build();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try (StackPair p = new StackPair(config)) {
            // A backlog for the whole burst: all 10,000 SYNs arrive within milliseconds. (With a
            // smaller one, SYN cookies take the overflow, and EngineInteropBugsTest shows why that
            // resets clients today.)
            TcpServerSocket l = p.server.listen(StackPair.server(7), CONNECTIONS);
            AtomicInteger served = new AtomicInteger();
            threads.submit(() -> {
                while (true) {
                    TcpSocket s = l.accept();
                    threads.submit(() -> {
                        try (s) {
                            InputStream in = s.getInputStream();
                            OutputStream out = s.getOutputStream();
                            int b;
                            while ((b = in.read()) >= 0) {
                                out.write(b);
                            }
                            served.incrementAndGet();
                        }
                        return null;
                    });
                }
            });
            // Every client connects, has one byte echoed, and then holds its connection open until
            // all 10,000 are open and counted.
            CountDownLatch allOpen = new CountDownLatch(CONNECTIONS);
            CountDownLatch release = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                int id = i;
                results.add(threads.submit(() -> {
                    try (TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(120))) {
                        c.getOutputStream().write(id & 0xFF);
                        int echoed = c.getInputStream().read();
                        allOpen.countDown();
                        release.await();
                        c.shutdownOutput();
                        int end = c.getInputStream().read();
                        return end == -1 ? echoed : -2;
                    }
                }));
            }
            assertThat(allOpen.await(150, TimeUnit.SECONDS)).as("all connections open").isTrue();
            assertThat(p.client.inspect(Host::connectionCount)).isEqualTo(CONNECTIONS);
            assertThat(p.server.inspect(Host::connectionCount)).isEqualTo(CONNECTIONS);
            release.countDown();
            for (int i = 0; i < CONNECTIONS; i++) {
                assertThat(results.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(i & 0xFF);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (served.get() < CONNECTIONS && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(served.get()).isEqualTo(CONNECTIONS);
            l.close();
        } finally {
            threads.shutdownNow();
        }
    }
}
