package dev.jtcp.api;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Packets that arrived on one event loop's queue but belong to a flow another loop owns, on their
 * way to the owner: a bounded queue of many producers (the other loops) and one consumer (the
 * owner), whose cells keep their buffers, so that a hand-off copies the packet once and, once the
 * buffers have grown to the packets seen, allocates nothing.
 *
 * <p>The algorithm is Dmitry Vyukov's bounded queue: each cell has a sequence number; a producer
 * claims the cell at the tail by advancing the tail with a compare-and-set when the cell's
 * sequence says it is free, fills it, and publishes it by setting the sequence one past its
 * position; the consumer takes the cell at the head when its sequence says it is published, and
 * frees it for the producer one lap later. A full queue refuses the packet: it is dropped, as a
 * full NIC queue drops, and TCP recovers.
 *
 * <p>Thread-safety: {@link #offer} from any threads; {@link #drain} and {@link #isEmpty} from the
 * owner's loop thread only.
 */
final class HandOffQueue {
    /** Receives the packets {@link #drain} takes; each buffer is valid only during the call. */
    @FunctionalInterface
    interface Sink {
        void onPacket(ByteBuffer packet, boolean verified);
    }

    /** The first buffer of a cell; a cell's buffer grows to the largest packet it has carried. */
    private static final int FIRST_BUFFER = 2048;

    private final int mask;
    private final AtomicLongArray sequences;
    private final ByteBuffer[] buffers;
    private final boolean[] verified;
    /** The next position a producer claims. */
    private final AtomicLong tail = new AtomicLong();
    /** The next position the consumer takes (consumer only). */
    private long head;
    /** Packets refused because the queue was full. */
    private final AtomicLong dropped = new AtomicLong();
    /** Packets handed over. */
    private final AtomicLong handedOver = new AtomicLong();

    /** A queue of {@code capacity} cells, a power of two. */
    HandOffQueue(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two of at least 2, got " + capacity);
        }
        this.mask = capacity - 1;
        this.sequences = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) {
            sequences.set(i, i);
        }
        this.buffers = new ByteBuffer[capacity];
        this.verified = new boolean[capacity];
    }

    /**
     * Copies {@code packet} (position to limit; not changed) into the queue.
     *
     * @param verified whether the link vouched for its TCP checksum ({@code onVerifiedTcp})
     * @return false if the queue is full and the packet was dropped
     */
    boolean offer(ByteBuffer packet, boolean verified) {
        long position = tail.get();
        int index;
        while (true) {
            index = (int) (position & mask);
            long difference = sequences.getAcquire(index) - position;
            if (difference == 0) {
                if (tail.compareAndSet(position, position + 1)) {
                    break;
                }
                position = tail.get();
            } else if (difference < 0) {
                dropped.incrementAndGet();
                return false;
            } else {
                position = tail.get();
            }
        }
        int length = packet.remaining();
        ByteBuffer b = buffers[index];
        if (b == null || b.capacity() < length) {
            b = ByteBuffer.allocate(Math.max(FIRST_BUFFER, length));
            buffers[index] = b;
        }
        b.clear().put(0, packet, packet.position(), length).limit(length);
        this.verified[index] = verified;
        // A volatile write, not a release: the owner's loop sets its sleeping flag and then reads
        // this cell, the producer writes it and then reads the flag (EventLoop.wakeup), and only
        // sequential consistency on both sides keeps a wake-up from being lost.
        sequences.set(index, position + 1);
        handedOver.incrementAndGet();
        return true;
    }

    /**
     * Hands up to {@code max} queued packets to {@code sink}, in the order they were published.
     *
     * @return how many
     */
    int drain(int max, Sink sink) {
        int n = 0;
        while (n < max) {
            int index = (int) (head & mask);
            if (sequences.getAcquire(index) != head + 1) {
                break;
            }
            try {
                sink.onPacket(buffers[index], verified[index]);
            } finally {
                sequences.setRelease(index, head + mask + 1);
                head++;
            }
            n++;
        }
        return n;
    }

    /** Whether no published packet waits (consumer only). */
    boolean isEmpty() {
        return sequences.get((int) (head & mask)) != head + 1;
    }

    /** Packets refused because the queue was full. */
    long dropped() {
        return dropped.get();
    }

    /** Packets accepted for the owner. */
    long handedOver() {
        return handedOver.get();
    }
}
