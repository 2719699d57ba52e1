package dev.jtcp.api;

import dev.jtcp.link.Link;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.ToIntFunction;

/**
 * An in-process cable between a multi-queue end (as a multi-queue TUN device is to jtcp) and a
 * one-queue end: what any queue sends reaches the single end; what the single end sends lands on
 * the queue a steering function picks, as the kernel's queue selection does, but chosen by the test
 * (everything on one queue, or each packet on the next queue) to make loops hand packets over.
 */
final class SteeredQueues {
    final End[] queues;
    final End single;
    private int nextQueue;

    SteeredQueues(int n, ToIntFunction<ByteBuffer> steer) {
        single = new End("single", null);
        queues = new End[n];
        for (int i = 0; i < n; i++) {
            queues[i] = new End("queue" + i, null);
        }
        single.deliver = packet -> {
            End q = queues[Math.floorMod(steer.applyAsInt(packet), n)];
            q.inbox.add(packet);
            q.wakeup.run();
        };
        for (End q : queues) {
            q.deliver = packet -> {
                single.inbox.add(packet);
                single.wakeup.run();
            };
        }
    }

    /** The end the multi-loop stack is built on: {@link Link#newQueue} hands out the others in turn. */
    Link first() {
        return queues[0];
    }

    final class End implements Link {
        private final String name;
        final Queue<ByteBuffer> inbox = new ConcurrentLinkedQueue<>();
        volatile Runnable wakeup = () -> {};
        java.util.function.Consumer<ByteBuffer> deliver;
        long received;

        End(String name, java.util.function.Consumer<ByteBuffer> deliver) {
            this.name = name;
            this.deliver = deliver;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public void onAttach(Runnable wakeup) {
            this.wakeup = wakeup;
        }

        @Override
        public int receive(long nowNs, Receiver receiver, int maxPackets) {
            int n = 0;
            ByteBuffer p;
            while (n < maxPackets && (p = inbox.poll()) != null) {
                receiver.onPacket(p);
                received++;
                n++;
            }
            return n;
        }

        @Override
        public void transmit(ByteBuffer packet) {
            ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
            copy.put(packet.duplicate()).flip();
            deliver.accept(copy);
        }

        @Override
        public void flush(long nowNs) {
        }

        @Override
        public Link newQueue() {
            synchronized (SteeredQueues.this) {
                return queues[++nextQueue];
            }
        }

        @Override
        public void close() {
            inbox.clear();
        }
    }
}
