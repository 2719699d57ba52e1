package dev.jtcp.link.impair;

/**
 * The bottleneck of a rate-limited link direction: a FIFO queue in front of a transmitter that
 * serializes {@code rateBitsPerSec} bits per second. It keeps no packets, only when each accepted
 * packet finishes serializing, so it needs no events: occupancy at any time is the packets whose
 * serialization has not finished by then.
 *
 * <p>The limits count every packet not yet fully serialized, including the one on the wire; a
 * packet that would exceed either limit is tail-dropped. Times may be negative (a real clock such
 * as {@link System#nanoTime()}) but must not decrease between calls.
 *
 * <p>Thread-safety: not thread-safe; driven by one thread.
 */
final class RateQueue {

    private final long rateBitsPerSec;
    private final long limitPackets;
    private final long limitBytes;
    /** Finish times of the queued packets, oldest at {@code head}; a ring whose length is a power of two. */
    private long[] finishNs = new long[16];
    /** Sizes in bytes, parallel to {@link #finishNs}. */
    private int[] sizes = new int[16];
    /** Index of the oldest queued packet. */
    private int head;
    /** Number of queued packets, ≤ the ring length. */
    private int count;
    /** Sum of {@link #sizes} over the queued packets. */
    private long queuedBytes;
    /** When the transmitter finishes the last accepted packet; meaningful only while {@code count > 0}. */
    private long busyUntilNs;
    /** Packets that were ahead of the last accepted one (queued or on the wire) when it arrived. */
    private int lastAhead;

    /**
     * Creates an empty queue.
     *
     * @param rateBitsPerSec serialization rate, &gt; 0
     * @param limitPackets most packets in the queue, counting the one being serialized
     * @param limitBytes most bytes in the queue, counting the packet being serialized
     */
    RateQueue(long rateBitsPerSec, long limitPackets, long limitBytes) {
        if (rateBitsPerSec <= 0) {
            throw new IllegalArgumentException("rate must be positive, got " + rateBitsPerSec);
        }
        this.rateBitsPerSec = rateBitsPerSec;
        this.limitPackets = limitPackets;
        this.limitBytes = limitBytes;
    }

    /**
     * Offers a packet of {@code length} bytes at {@code nowNs}.
     *
     * @return when its last bit leaves the transmitter, or {@code Long.MIN_VALUE} if it was tail-dropped
     */
    long offer(int length, long nowNs) {
        while (count > 0 && finishNs[head] <= nowNs) {
            queuedBytes -= sizes[head];
            head = (head + 1) & (finishNs.length - 1);
            count--;
        }
        if (count + 1L > limitPackets || queuedBytes + length > limitBytes) {
            return Long.MIN_VALUE;
        }
        lastAhead = count;
        long startNs = count == 0 ? nowNs : Math.max(nowNs, busyUntilNs);
        busyUntilNs = startNs + serializationNs(length);
        if (count == finishNs.length) {
            grow();
        }
        int tail = (head + count) & (finishNs.length - 1);
        finishNs[tail] = busyUntilNs;
        sizes[tail] = length;
        count++;
        queuedBytes += length;
        return busyUntilNs;
    }

    /** How many packets were ahead of the last accepted packet when it joined the queue. */
    int lastAhead() {
        return lastAhead;
    }

    /** Time to put {@code length} bytes on the wire, rounded up to whole nanoseconds. */
    long serializationNs(int length) {
        return Math.ceilDiv(length * 8L * 1_000_000_000L, rateBitsPerSec);
    }

    private void grow() {
        long[] newFinish = new long[finishNs.length * 2];
        int[] newSizes = new int[sizes.length * 2];
        for (int i = 0; i < count; i++) {
            int from = (head + i) & (finishNs.length - 1);
            newFinish[i] = finishNs[from];
            newSizes[i] = sizes[from];
        }
        finishNs = newFinish;
        sizes = newSizes;
        head = 0;
    }
}
