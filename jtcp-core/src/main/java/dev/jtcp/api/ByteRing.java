package dev.jtcp.api;

import java.nio.ByteBuffer;

/**
 * A bounded byte queue over one reused array, for one direction of a {@link TcpSocket}'s hand-off
 * between the application and the event loop: a writer copies straight in, a reader straight out,
 * and the engine fills or empties it through {@link #writable}/{@link #readable} views, so the steady
 * path allocates nothing. The array starts small and doubles as data needs it, up to the limit, so
 * an idle or lightly used connection (10,000 of them, say) holds little; {@link #release} gives it
 * back once the connection no longer needs it.
 *
 * <p>Not thread-safe: guarded by the socket's lock.
 */
final class ByteRing {
    private static final byte[] EMPTY = new byte[0];
    /** The first array's size once data arrives. */
    private static final int INITIAL = 4096;

    /** The most bytes the ring holds. */
    private final int limit;
    private byte[] buf = EMPTY;
    /** A view over {@link #buf}, repositioned for each engine call. */
    private ByteBuffer view = ByteBuffer.wrap(EMPTY);
    /** Index of the oldest byte. */
    private int head;
    /** Bytes held; 0..limit. */
    private int size;

    ByteRing(int limit) {
        this.limit = limit;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Bytes that may still be added. */
    int room() {
        return limit - size;
    }

    /** Appends {@code n <= room()} bytes of {@code b} from {@code off}. */
    void write(byte[] b, int off, int n) {
        ensure(size + n);
        int tail = tail();
        int first = Math.min(n, buf.length - tail);
        System.arraycopy(b, off, buf, tail, first);
        System.arraycopy(b, off + first, buf, 0, n - first);
        size += n;
    }

    /** Appends {@code n <= room()} bytes of {@code src}, advancing its position. */
    void write(ByteBuffer src, int n) {
        ensure(size + n);
        int tail = tail();
        int first = Math.min(n, buf.length - tail);
        src.get(buf, tail, first);
        src.get(buf, 0, n - first);
        size += n;
    }

    /** Moves up to {@code len} of the oldest bytes into {@code b} from {@code off}; returns how many. */
    int read(byte[] b, int off, int len) {
        int n = Math.min(len, size);
        int first = Math.min(n, buf.length - head);
        System.arraycopy(buf, head, b, off, first);
        System.arraycopy(buf, 0, b, off + first, n - first);
        consume(n);
        return n;
    }

    /** Moves up to {@code dst.remaining()} of the oldest bytes into {@code dst}; returns how many. */
    int read(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), size);
        int first = Math.min(n, buf.length - head);
        dst.put(buf, head, first);
        dst.put(buf, 0, n - first);
        consume(n);
        return n;
    }

    /**
     * A view of the free space after the newest byte, contiguous, of at most {@code max} bytes
     * (growing the array first so {@code max} fit, within the limit); after filling it, call
     * {@link #commit} with how much was written. Empty when the ring is full.
     */
    ByteBuffer writable(int max) {
        int want = Math.max(0, Math.min(max, room()));
        ensure(size + want);
        int tail = tail();
        int k = Math.min(want, buf.length - tail);
        return view.limit(tail + k).position(tail);
    }

    /** Counts {@code n} bytes written into the last {@link #writable} view. */
    void commit(int n) {
        size += n;
    }

    /** A view of the oldest bytes, contiguous (so perhaps not all of them); then call {@link #consume}. */
    ByteBuffer readable() {
        int k = Math.min(size, buf.length - head);
        return view.limit(head + k).position(head);
    }

    /** Drops the {@code n} oldest bytes. */
    void consume(int n) {
        size -= n;
        head = size == 0 ? 0 : (head + n) % buf.length;
    }

    /** Empties the ring (keeping its array). */
    void clear() {
        head = 0;
        size = 0;
    }

    /** Empties the ring and lets its array go. */
    void release() {
        clear();
        buf = EMPTY;
        view = ByteBuffer.wrap(EMPTY);
    }

    private int tail() {
        int t = head + size;
        return t >= buf.length ? t - buf.length : t;
    }

    /** Grows the array (doubling, within the limit) so that {@code needed} bytes fit, keeping the order. */
    private void ensure(int needed) {
        if (needed <= buf.length) {
            return;
        }
        int capacity = Math.max(INITIAL, buf.length);
        while (capacity < needed) {
            capacity *= 2;
        }
        capacity = Math.min(capacity, Math.max(limit, needed));
        byte[] grown = new byte[capacity];
        int first = Math.min(size, buf.length - head);
        System.arraycopy(buf, head, grown, 0, first);
        System.arraycopy(buf, 0, grown, first, size - first);
        buf = grown;
        view = ByteBuffer.wrap(grown);
        head = 0;
    }
}
