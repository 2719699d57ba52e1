package dev.jtcp.link.sim;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Buffers for packets in flight: one free-list per capacity class (powers of two from 64 bytes), so
 * a steady flow of packets allocates nothing once the pool has warmed up. Buffers are heap buffers
 * in big-endian order.
 *
 * <p>Thread-safety: not thread-safe; driven by one thread.
 */
final class SimBufferPool {

    /** log2 of the smallest capacity class. */
    private static final int MIN_SHIFT = 6;

    /** Free buffers by class: index {@code k} holds buffers of capacity {@code 1 << (MIN_SHIFT + k)}. */
    private final List<ArrayDeque<ByteBuffer>> free = new ArrayList<>();
    /** Buffers ever allocated by this pool. */
    private long allocated;

    /**
     * Returns a pooled buffer holding a copy of {@code src}'s bytes from position to limit, with
     * position 0 and limit the length. Does not change {@code src}.
     */
    ByteBuffer copyOf(ByteBuffer src) {
        int length = src.remaining();
        int shift = shiftFor(length);
        ArrayDeque<ByteBuffer> list = listFor(shift);
        ByteBuffer buffer = list.pollLast();
        if (buffer == null) {
            buffer = ByteBuffer.allocate(1 << shift);
            allocated++;
        }
        buffer.clear().order(ByteOrder.BIG_ENDIAN);
        buffer.put(0, src, src.position(), length).limit(length);
        return buffer;
    }

    /** Returns a buffer obtained from {@link #copyOf}; the caller must not use it afterwards. */
    void release(ByteBuffer buffer) {
        listFor(Integer.numberOfTrailingZeros(buffer.capacity())).addLast(buffer);
    }

    /** Buffers ever allocated, a measure of how well the pool is reused. */
    long allocated() {
        return allocated;
    }

    private static int shiftFor(int length) {
        return length <= 1 << MIN_SHIFT ? MIN_SHIFT : 32 - Integer.numberOfLeadingZeros(length - 1);
    }

    private ArrayDeque<ByteBuffer> listFor(int shift) {
        int k = shift - MIN_SHIFT;
        while (free.size() <= k) {
            free.add(new ArrayDeque<>());
        }
        return free.get(k);
    }
}
