package dev.jtcp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The queue that carries packets from the loop that received them to the loop that owns their flow. */
class HandOffQueueTest {
    private static ByteBuffer packet(int producer, int n, int length) {
        ByteBuffer b = ByteBuffer.allocate(length + 10);
        b.position(10);
        b.putInt(10, producer).putInt(14, n);
        b.limit(10 + length);
        return b;
    }

    @Test
    void handsEveryPacketOverOnceInEachProducersOrder() throws Exception {
        HandOffQueue q = new HandOffQueue(64);
        int producers = 4;
        int perProducer = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int n = 0; n < perProducer; n++) {
                    ByteBuffer b = packet(id, n, 8 + n % 3000);
                    while (!q.offer(b, (n & 1) == 0)) {
                        Thread.onSpinWait();
                    }
                    assertThat(b.position()).as("the offered packet is not changed").isEqualTo(10);
                }
            }));
        }
        int[] next = new int[producers];
        int[] bad = new int[1];
        start.countDown();
        int total = 0;
        while (total < producers * perProducer) {
            total += q.drain(16, (packet, verified) -> {
                int id = packet.getInt(packet.position());
                int n = packet.getInt(packet.position() + 4);
                if (n != next[id] || packet.remaining() != 8 + n % 3000 || verified != ((n & 1) == 0)) {
                    bad[0]++;
                }
                next[id] = n + 1;
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(bad[0]).isZero();
        assertThat(next).containsOnly(perProducer);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.handedOver()).isEqualTo((long) producers * perProducer);
    }

    @Test
    void aFullQueueDropsAndCountsAndCellsKeepTheirBuffers() {
        HandOffQueue q = new HandOffQueue(4);
        for (int n = 0; n < 4; n++) {
            assertThat(q.offer(packet(0, n, 100), false)).isTrue();
        }
        assertThat(q.offer(packet(0, 4, 100), false)).isFalse();
        assertThat(q.dropped()).isEqualTo(1);
        List<ByteBuffer> buffers = new ArrayList<>();
        assertThat(q.drain(10, (p, v) -> buffers.add(p))).isEqualTo(4);
        assertThat(q.isEmpty()).isTrue();
        // A second lap reuses the same buffers: no allocation once they have grown.
        for (int n = 0; n < 4; n++) {
            assertThat(q.offer(packet(0, n, 200), false)).isTrue();
        }
        List<ByteBuffer> again = new ArrayList<>();
        q.drain(10, (p, v) -> again.add(p));
        for (int i = 0; i < 4; i++) {
            assertThat(again.get(i)).isSameAs(buffers.get(i));
            assertThat(again.get(i).remaining()).isEqualTo(200);
        }
    }
}
