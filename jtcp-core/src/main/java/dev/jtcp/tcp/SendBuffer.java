package dev.jtcp.tcp;

import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * The bytes from SND.UNA onward: sent but unacknowledged, then not yet sent. A ring over a heap
 * buffer allocated on first write, so a connection that never sends costs nothing here. Segments
 * borrow their payload straight from the ring ({@link #lend}); nothing is copied until the packet
 * is written.
 *
 * <p>Invariant: {@code 0 <= length <= capacity}; byte {@code i} after SND.UNA lives at ring index
 * {@code (head + i) % capacity}. Not thread-safe.
 */
final class SendBuffer {
    private int capacity;
    /** Null until the first write, and again after {@link #release()}. */
    private ByteBuffer ring;
    /** Ring index of the byte at SND.UNA. */
    private int head;
    /** Bytes held: from SND.UNA to the last byte the application wrote. */
    private int length;

    SendBuffer(int capacity) {
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    /** Changes the capacity; allowed when empty or growing. */
    void resize(int newCapacity) {
        if (newCapacity == capacity) {
            return;
        }
        if (length > newCapacity) {
            throw new IllegalStateException("cannot shrink a send buffer below the bytes it holds");
        }
        if (ring != null) {
            ByteBuffer bigger = ByteBuffer.allocate(newCapacity);
            copyOut(0, bigger, 0, length);
            ring = bigger;
            head = 0;
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
            ring = ByteBuffer.allocate(capacity);
            head = 0;
        }
        int tail = (head + length) % capacity;
        int first = Math.min(n, capacity - tail);
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
        head = length == 0 ? 0 : (head + n) % capacity;
    }

    /** Points {@code seg}'s payload at {@code len} bytes starting {@code offset} bytes after SND.UNA. */
    void lend(int offset, int len, TcpSegment seg) {
        if (len == 0) {
            seg.payload(null, 0, 0);
            return;
        }
        seg.payload(ring, (head + offset) % capacity, len);
    }

    /** Copies bytes out (for resizing and tests). */
    void copyOut(int offset, ByteBuffer dst, int dstIndex, int len) {
        int start = (head + offset) % capacity;
        int first = Math.min(len, capacity - start);
        dst.put(dstIndex, ring, start, first);
        if (first < len) {
            dst.put(dstIndex + first, ring, 0, len - first);
        }
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
