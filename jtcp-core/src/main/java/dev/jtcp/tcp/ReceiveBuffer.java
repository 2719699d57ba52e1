package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpOptions;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * Received bytes waiting for the application, and out-of-order bytes waiting for the hole before
 * them to fill (RFC 9293 §3.10.7.4, seventh step: "segments with higher beginning sequence numbers
 * may be held for later processing").
 *
 * <p>One ring holds both: the in-order bytes the application has not read yet, then the window.
 * A byte with sequence number {@code s} is stored at {@code head + readable + (s - RCV.NXT)}, so an
 * out-of-order segment is copied once, straight to its final place, and filling a hole needs no
 * copying at all. Out-of-order runs are kept as sorted, disjoint, non-adjacent sequence ranges; they
 * also give the SACK blocks (RFC 2018 §4), most recently changed first.
 *
 * <p>The ring is allocated on the first byte and grows by doubling (up to the capacity) as far as
 * the data stored in it reaches; the window offered always reflects the full capacity. The capacity
 * itself may grow with receive-buffer autotuning ({@link ReceiveAutotuner}) up to {@link
 * #maxCapacity()}; an idle connection holds no ring at all.
 *
 * <p>Invariants: {@code readable + window() == capacity}; every range lies inside {@code (RCV.NXT,
 * RCV.NXT + window())}; every stored byte lies within the ring. Not thread-safe.
 */
final class ReceiveBuffer {
    /**
     * Out-of-order runs tracked at most; a segment that would need more is dropped (and retransmitted
     * later). A slow-start overshoot into a deep drop-tail queue leaves a hole every other segment
     * across a whole window (thousands on a long fat path); dropping what arrives beyond the runs
     * held made the sender resend data that had arrived (1,600 segments per 10 MB at 100 Mbit/s x
     * 100 ms with 64 runs). The arrays start small and double as needed.
     */
    static final int MAX_RANGES = 4096;
    private static final int INITIAL_RANGES = 16;
    private static final int INITIAL_RING = 4096;

    /** The most bytes the buffer holds now: readable plus the window it offers. */
    private int capacity;
    /**
     * The most {@link #capacity} may grow to by autotuning ({@link ReceiveAutotuner}); equal to it
     * when autotuning is off (configuration, or an explicit SO_RCVBUF). The window scale is chosen
     * from this at SYN time.
     */
    private int maxCapacity;
    private ByteBuffer ring;
    private int head;
    private int readable;
    /** Out-of-order runs, allocated with the first one: most connections never see reordering. */
    private int[] rangeStart;
    private int[] rangeEnd;
    private long[] rangeStamp;
    private int ranges;
    private long stamp;
    /** Whether the last {@link #store} kept its bytes. */
    private boolean accepted = true;

    ReceiveBuffer(int capacity) {
        this(capacity, capacity);
    }

    /** A buffer of {@code capacity} bytes that autotuning may grow up to {@code maxCapacity}. */
    ReceiveBuffer(int capacity, int maxCapacity) {
        this.capacity = capacity;
        this.maxCapacity = Math.max(capacity, maxCapacity);
    }

    int capacity() {
        return capacity;
    }

    /** The largest capacity this buffer may reach (autotuning's limit, else the capacity). */
    int maxCapacity() {
        return maxCapacity;
    }

    /**
     * Changes the capacity while nothing is buffered (before the connection opens its window): an
     * explicit size (SO_RCVBUF), which turns autotuning off.
     */
    void resize(int newCapacity) {
        if (readable != 0 || ranges != 0) {
            throw new IllegalStateException("cannot resize a receive buffer holding data");
        }
        capacity = newCapacity;
        maxCapacity = newCapacity;
        ring = null;
        head = 0;
    }

    /**
     * Autotuning: raises the capacity to {@code newCapacity} (at most {@link #maxCapacity()}); the
     * window grows with it. Nothing is copied here: the ring grows (by doubling, one copy each time)
     * only when stored data reaches past it. Returns whether the capacity grew.
     */
    boolean grow(int newCapacity) {
        int target = Math.min(newCapacity, maxCapacity);
        if (target <= capacity) {
            return false;
        }
        capacity = target;
        return true;
    }

    /** In-order bytes the application can read. */
    int readable() {
        return readable;
    }

    /** Free space from RCV.NXT on: the most the window may offer. */
    int window() {
        return capacity - readable;
    }

    boolean hasOutOfOrder() {
        return ranges > 0;
    }

    /** Out-of-order runs held (each a SACK block). */
    int runs() {
        return ranges;
    }

    /**
     * Stores {@code len} payload bytes of {@code seg}, starting {@code from} bytes into its payload,
     * whose first byte has sequence number {@code seq}. The caller has trimmed the bytes to lie in
     * {@code [rcvNxt, rcvNxt + window())}.
     *
     * @return the new RCV.NXT: advanced over these bytes and any out-of-order runs they connect to;
     *     {@code rcvNxt} unchanged for an out-of-order segment, and also when the segment could not
     *     be tracked because {@link #MAX_RANGES} runs are already held (check {@link #lastStoreAccepted()})
     */
    int store(int rcvNxt, int seq, TcpSegment seg, int from, int len) {
        accepted = true;
        if (len <= 0) {
            return rcvNxt;
        }
        int offset = seq - rcvNxt;
        if (offset > 0 && !insertRange(seq, seq + len)) {
            accepted = false;
            return rcvNxt;
        }
        ensureRing(readable + offset + len);
        int size = ring.capacity();
        int at = (head + readable + offset) % size;
        int first = Math.min(len, size - at);
        seg.copyPayloadTo(from, ring, at, first);
        if (first < len) {
            seg.copyPayloadTo(from + first, ring, 0, len - first);
        }
        if (offset > 0) {
            return rcvNxt;
        }
        int next = rcvNxt + len;
        while (ranges > 0 && SeqNum.le(rangeStart[0], next)) {
            next = SeqNum.max(next, rangeEnd[0]);
            removeRange(0);
        }
        readable += next - rcvNxt;
        return next;
    }

    /**
     * The part of {@code [start, end)} already held out of order, for a D-SACK (RFC 2883 §4.2): the
     * overlap with the first run it overlaps, as {@code (long) overlapStart << 32 | overlapEnd}
     * (unsigned halves), or -1 when nothing of it is held.
     */
    long heldOutOfOrder(int start, int end) {
        for (int i = 0; i < ranges; i++) {
            if (SeqNum.lt(start, rangeEnd[i]) && SeqNum.gt(end, rangeStart[i])) {
                int s = SeqNum.max(start, rangeStart[i]);
                int e = SeqNum.min(end, rangeEnd[i]);
                return ((long) s << 32) | (e & 0xFFFF_FFFFL);
            }
            if (SeqNum.ge(rangeStart[i], end)) {
                break;
            }
        }
        return -1;
    }

    /** Whether the last {@link #store} kept its bytes. */
    boolean lastStoreAccepted() {
        return accepted;
    }

    /**
     * Makes the ring hold at least {@code span} bytes from {@code head}, keeping the in-order bytes
     * and the out-of-order runs at the same distances from the head.
     */
    private void ensureRing(int span) {
        if (ring != null && ring.capacity() >= span) {
            return;
        }
        int size = ring == null ? Math.min(capacity, INITIAL_RING) : ring.capacity();
        while (size < span) {
            size = Math.min(capacity, size * 2);
        }
        ByteBuffer bigger = ByteBuffer.allocate(size);
        if (ring != null) {
            // Everything from head up to the end of the old ring's span moves, in order, to index 0.
            int old = ring.capacity();
            int first = old - head;
            bigger.put(0, ring, head, first);
            bigger.put(first, ring, 0, head);
        }
        ring = bigger;
        head = 0;
    }

    /** Inserts {@code [start, end)}, merging with runs it overlaps or touches. */
    private boolean insertRange(int start, int end) {
        if (rangeStart == null) {
            rangeStart = new int[INITIAL_RANGES];
            rangeEnd = new int[INITIAL_RANGES];
            rangeStamp = new long[INITIAL_RANGES];
        }
        int i = 0;
        while (i < ranges && SeqNum.lt(rangeEnd[i], start)) {
            i++;
        }
        int j = i;
        int s = start;
        int e = end;
        while (j < ranges && SeqNum.le(rangeStart[j], e)) {
            s = SeqNum.min(s, rangeStart[j]);
            e = SeqNum.max(e, rangeEnd[j]);
            j++;
        }
        int merged = j - i;
        if (merged == 0 && ranges == rangeStart.length) {
            if (ranges == MAX_RANGES) {
                return false;
            }
            int n = Math.min(2 * ranges, MAX_RANGES);
            rangeStart = java.util.Arrays.copyOf(rangeStart, n);
            rangeEnd = java.util.Arrays.copyOf(rangeEnd, n);
            rangeStamp = java.util.Arrays.copyOf(rangeStamp, n);
        }
        // Replace runs i..j-1 by one run at i.
        int shift = 1 - merged;
        if (shift != 0) {
            System.arraycopy(rangeStart, j, rangeStart, j + shift, ranges - j);
            System.arraycopy(rangeEnd, j, rangeEnd, j + shift, ranges - j);
            System.arraycopy(rangeStamp, j, rangeStamp, j + shift, ranges - j);
            ranges += shift;
        }
        rangeStart[i] = s;
        rangeEnd[i] = e;
        rangeStamp[i] = ++stamp;
        return true;
    }

    private void removeRange(int i) {
        System.arraycopy(rangeStart, i + 1, rangeStart, i, ranges - i - 1);
        System.arraycopy(rangeEnd, i + 1, rangeEnd, i, ranges - i - 1);
        System.arraycopy(rangeStamp, i + 1, rangeStamp, i, ranges - i - 1);
        ranges--;
    }

    /**
     * Writes up to {@code max} SACK blocks into {@code options}, most recently changed run first
     * (RFC 2018 §4: the first block reports the segment that triggered the ACK).
     */
    void fillSackBlocks(TcpOptions options, int max) {
        options.sackBlocks = 0;
        long after = Long.MAX_VALUE;
        for (int n = 0; n < Math.min(max, ranges); n++) {
            int best = -1;
            for (int i = 0; i < ranges; i++) {
                if (rangeStamp[i] < after && (best < 0 || rangeStamp[i] > rangeStamp[best])) {
                    best = i;
                }
            }
            options.addSackBlock(rangeStart[best], rangeEnd[best]);
            after = rangeStamp[best];
        }
    }

    /** Copies up to {@code max} in-order bytes into {@code dst} at its position; returns the count. */
    int read(ByteBuffer dst, int max) {
        int n = Math.min(max, Math.min(readable, dst.remaining()));
        if (n == 0) {
            return 0;
        }
        int size = ring.capacity();
        int first = Math.min(n, size - head);
        int pos = dst.position();
        dst.put(pos, ring, head, first);
        if (first < n) {
            dst.put(pos + first, ring, 0, n - first);
        }
        dst.position(pos + n);
        readable -= n;
        head = (head + n) % size;
        return n;
    }

    /** Discards every buffered byte (ABORT, RST). */
    void clear() {
        readable = 0;
        ranges = 0;
        head = 0;
        ring = null;
    }

    /** Frees the ring when it holds nothing. */
    void release() {
        if (readable == 0 && ranges == 0) {
            ring = null;
            head = 0;
        }
    }

    boolean isAllocated() {
        return ring != null;
    }

    /** Bytes held out of order (for STATUS). */
    int outOfOrderBytes() {
        int n = 0;
        for (int i = 0; i < ranges; i++) {
            n += rangeEnd[i] - rangeStart[i];
        }
        return n;
    }
}
