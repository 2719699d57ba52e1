package dev.jtcp.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.tcp.TcpConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stack of two loops over a two-queue link whose steering the test chooses, against a stack of
 * one loop: connections both ways (its listener's children, its own connects), every byte checked,
 * every connection on the loop that owns it, packets that arrive on the wrong queue handed over,
 * nothing reset.
 */
class MultiLoopTest {
    private static final int ACCEPT_PORT = 9001;
    private static final int CONNECT_PORT = 9002;
    private static final int CONNECTIONS = 24;

    @Test
    @Timeout(60)
    void everythingArrivingOnTheFirstQueueIsHandedToItsOwner() throws Exception {
        run(packet -> 0);
    }

    @Test
    @Timeout(60)
    void eachPacketOnTheNextQueueStillReachesItsOwner() throws Exception {
        AtomicInteger next = new AtomicInteger();
        run(packet -> next.getAndIncrement());
    }

    @Test
    @Timeout(60)
    void oneLoopWorksAsBefore() throws Exception {
        run(1, p -> 0);
    }

    private void run(ToIntFunction<ByteBuffer> steer) throws Exception {
        run(2, steer);
    }

    private void run(int loops, ToIntFunction<ByteBuffer> steer) throws Exception {
        SteeredQueues cable = new SteeredQueues(loops, steer);
        TcpConfig config = TcpConfig.defaults().toBuilder().msl(Duration.ofMillis(1000)).build();
        SplittableRandom random = new SplittableRandom(7);
        try (NetStack multi = NetStack.builder().name("multi").loops(loops).config(config).address("198.18.0.2/24")
                     .link(cable.first()).random(random.split()).start();
             NetStack single = NetStack.builder().name("single").config(config).address("198.18.0.1/24")
                     .link(cable.single).random(random.split()).start()) {
            assertThat(multi.loopCount()).isEqualTo(loops);
            CountDownLatch ready = new CountDownLatch(2 * CONNECTIONS);
            CountDownLatch reply = new CountDownLatch(1);
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            serve(multi.listen(ACCEPT_PORT), ready, reply, failures);
            serve(single.listen(CONNECT_PORT), ready, reply, failures);

            CountDownLatch done = new CountDownLatch(2 * CONNECTIONS);
            for (int i = 0; i < CONNECTIONS; i++) {
                int id = i;
                Thread.ofVirtual().start(() -> exchange(single, new InetSocketAddress(StackPair.address("198.18.0.2"),
                        ACCEPT_PORT), id, failures, done));
                Thread.ofVirtual().start(() -> exchange(multi, new InetSocketAddress(StackPair.address("198.18.0.1"),
                        CONNECT_PORT), 1000 + id, failures, done));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).as("every connection established; failures %s", failures)
                    .isTrue();
            List<Long> accepted = multi.inspectEach(h -> h.connections().stream()
                    .filter(c -> c.key().localPort() == ACCEPT_PORT).count());
            List<Long> opened = multi.inspectEach(h -> h.connections().stream()
                    .filter(c -> c.key().remotePort() == CONNECT_PORT).count());
            reply.countDown();
            assertThat(done.await(30, TimeUnit.SECONDS)).as("every exchange done; failures %s", failures).isTrue();
            assertThat(failures).isEmpty();

            assertThat(accepted.stream().mapToLong(Long::longValue).sum()).isEqualTo(CONNECTIONS);
            assertThat(opened.stream().mapToLong(Long::longValue).sum()).isEqualTo(CONNECTIONS);
            assertThat(accepted).as("children on each loop").allMatch(n -> n > 0);
            assertThat(opened).as("connects from each loop").allMatch(n -> n == CONNECTIONS / loops);
            if (loops > 1) {
                assertThat(multi.handOffs()[0]).as("packets handed to their owner").isPositive();
            }
            assertThat(multi.handOffs()[1]).isZero();

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && (count(multi) > 0 || count(single) > 0)) {
                Thread.sleep(20);
            }
            assertThat(count(multi)).as("multi's connections and TIME-WAIT records").isZero();
            assertThat(count(single)).isZero();
            // A stale ACK that a handed-over packet's detour put behind the last ACK of a passive close
            // meets no connection and draws a RST (as a late duplicate would), which the peer, closed
            // too, ignores; no connection is reset while it lives: every exchange above succeeded.
        }
    }

    private static int count(NetStack stack) {
        return stack.inspectEach(h -> h.connectionCount() + h.timeWaitCount()).stream()
                .mapToInt(Integer::intValue).sum();
    }

    private static void serve(TcpServerSocket listener, CountDownLatch ready, CountDownLatch reply,
                              Queue<Throwable> failures) {
        Thread.ofVirtual().start(() -> {
            while (true) {
                TcpSocket c;
                try {
                    c = listener.accept();
                } catch (IOException e) {
                    return;
                }
                Thread.ofVirtual().start(() -> {
                    try (c) {
                        ready.countDown();
                        reply.await();
                        VerifiedExchange.server(c.getInputStream(), c.getOutputStream());
                    } catch (Exception e) {
                        failures.add(e);
                    }
                });
            }
        });
    }

    private static void exchange(NetStack stack, InetSocketAddress to, int id, Queue<Throwable> failures,
                                 CountDownLatch done) {
        try (TcpSocket c = stack.connect(to, Duration.ofSeconds(20))) {
            VerifiedExchange.client(c.getInputStream(), c.getOutputStream(), c::shutdownOutput, id,
                    20_000 + 3_000 * (id % 10));
        } catch (Exception e) {
            failures.add(e);
        } finally {
            done.countDown();
        }
    }
}
