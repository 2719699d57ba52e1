package dev.jtcp.tcp;

import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * The bytes from SND.UNA onward: sent but unacknowledged, then not yet sent. A ring over a heap
 * buffer allocated on first write and grown by doubling up to the configured capacity, so a
 * connection that never sends costs nothing here and one that sends a little costs a little.
 * Segments borrow their payload straight from the ring ({@link #lend}); nothing is copied until the
 * packet is written.
 *
 * <p>Invariant: {@code 0 <= length <= capacity}; byte {@code i} after SND.UNA lives at ring index
 * {@code (head + i) % ring.capacity()}. Not thread-safe.
 */
final class SendBuffer {
    /** The first allocation; the ring doubles from here as data is written. */
    private static final int INITIAL_RING = 4096;

    /** The most bytes the buffer may hold now (SO_SNDBUF, or what autotuning grew it to). */
    private int capacity;
    /** The most {@link #capacity} may grow to by autotuning; equal to it when autotuning is off. */
    private int maxCapacity;
    /** Null until the first write, and again after {@link #release()}; its size is at most {@link #capacity}. */
    private ByteBuffer ring;
    /** Ring index of the byte at SND.UNA. */
    private int head;
    /** Bytes held: from SND.UNA to the last byte the application wrote. */
    private int length;

    SendBuffer(int capacity) {
        this(capacity, capacity);
    }

    /** A buffer of {@code capacity} bytes that autotuning may grow up to {@code maxCapacity}. */
    SendBuffer(int capacity, int maxCapacity) {
        this.capacity = capacity;
        this.maxCapacity = Math.max(capacity, maxCapacity);
    }

    int capacity() {
        return capacity;
    }

    int maxCapacity() {
        return maxCapacity;
    }

    /**
     * Send-buffer autotuning (as Linux's {@code tcp_sndbuf_expand}): raises the capacity to {@code
     * newCapacity}, at most {@link #maxCapacity()}. Only a number changes; the ring grows when the
     * application writes that much.
     */
    void grow(int newCapacity) {
        int target = Math.min(newCapacity, maxCapacity);
        if (target > capacity) {
            capacity = target;
        }
    }

    /**
     * What Linux's send-buffer autotuning counts per full-sized segment ({@code tcp_sndbuf_expand}'s
     * {@code per_mss}): the segment with the room its skb reserves for headers and its bookkeeping
     * (about 870 bytes), rounded up to a power of two; 4096 for an MSS of 1460. With large (TSO)
     * packets Linux's buffer holds about that much data per segment of window.
     */
    static int perSegmentBytes(int mss) {
        int truesize = Math.max(1, mss) + 872;
        return Integer.highestOneBit(truesize - 1) << 1;
    }

    /** An explicit size (SO_SNDBUF): turns autotuning off. */
    void setExplicitly(int newCapacity) {
        resize(newCapacity);
        maxCapacity = capacity;
    }

    /** Changes the capacity; allowed when empty or growing. */
    void resize(int newCapacity) {
        if (newCapacity == capacity) {
            return;
        }
        if (length > newCapacity) {
            throw new IllegalStateException("cannot shrink a send buffer below the bytes it holds");
        }
        if (ring != null && ring.capacity() > newCapacity) {
            regrow(newCapacity);
        }
        capacity = newCapacity;
    }

    int length() {
        return length;
    }

    int free() {
        return capacity - length;
    }

    boolean isEmpty() {
        return length == 0;
    }

    /** Appends up to {@code len} bytes; returns how many fitted. */
    int write(ByteBuffer src, int len) {
        int n = Math.min(len, free());
        if (n == 0) {
            return 0;
        }
        if (ring == null) {
            ring = ByteBuffer.allocate(Math.min(capacity, Math.max(INITIAL_RING, Integer.highestOneBit(n - 1) << 1)));
            head = 0;
        }
        if (length + n > ring.capacity()) {
            // Double (up to the most autotuning may reach), not just to the capacity of the moment:
            // autotuning raises the capacity a few KiB per ACK, and a ring resized to each step would
            // be copied once per step.
            int size = ring.capacity();
            while (size < length + n) {
                size = (int) Math.min(Math.max(capacity, maxCapacity), 2L * size);
            }
            regrow(size);
        }
        int size = ring.capacity();
        int tail = (head + length) % size;
        int first = Math.min(n, size - tail);
        int pos = src.position();
        ring.put(tail, src, pos, first);
        if (first < n) {
            ring.put(0, src, pos + first, n - first);
        }
        src.position(pos + n);
        length += n;
        return n;
    }

    /** Drops {@code n} acknowledged bytes from the front. */
    void consume(int n) {
        if (n < 0 || n > length) {
            throw new IllegalArgumentException("acknowledging " + n + " of " + length + " buffered bytes");
        }
        length -= n;
        head = length == 0 ? 0 : (head + n) % ring.capacity();
    }

    /** Points {@code seg}'s payload at {@code len} bytes starting {@code offset} bytes after SND.UNA. */
    void lend(int offset, int len, TcpSegment seg) {
        if (len == 0) {
            seg.payload(null, 0, 0);
            return;
        }
        seg.payload(ring, (head + offset) % ring.capacity(), len);
    }

    /** Copies bytes out (for resizing and tests). */
    void copyOut(int offset, ByteBuffer dst, int dstIndex, int len) {
        int size = ring.capacity();
        int start = (head + offset) % size;
        int first = Math.min(len, size - start);
        dst.put(dstIndex, ring, start, first);
        if (first < len) {
            dst.put(dstIndex + first, ring, 0, len - first);
        }
    }

    /** Moves the held bytes into a new ring of {@code size} bytes, starting at index 0. */
    private void regrow(int size) {
        ByteBuffer bigger = ByteBuffer.allocate(size);
        if (length > 0) {
            copyOut(0, bigger, 0, length);
        }
        ring = bigger;
        head = 0;
    }

    /** Frees the ring if empty, so an idle connection holds no buffer. */
    void release() {
        if (length == 0) {
            ring = null;
            head = 0;
        }
    }

    /** Whether the ring is currently allocated (for memory accounting and tests). */
    boolean isAllocated() {
        return ring != null;
    }
}
