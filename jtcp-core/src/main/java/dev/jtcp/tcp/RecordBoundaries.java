package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;

/**
 * Ends of records in the send stream (Linux's MSG_EOR, {@link TcpConnection#markRecordEnd}): no
 * segment, first transmission or retransmission, carries bytes from both sides of one. A fixed
 * ring of sequence numbers, no allocation after construction; when it is full a further mark is
 * dropped (the stream is still correct, only that record may share a segment with the next).
 * Not thread-safe.
 */
final class RecordBoundaries {
    private static final int CAPACITY = 64;
    /** Record ends in sequence order, {@link #size} of them from {@link #head}. */
    private final int[] ends = new int[CAPACITY];
    /** Index of the oldest end; 0..CAPACITY-1. */
    private int head;
    /** Ends held; 0..CAPACITY. */
    private int size;

    /** Marks {@code seq} (the sequence number just after a record's last byte) as a record end. */
    void add(int seq) {
        if (size > 0 && ends[(head + size - 1) % CAPACITY] == seq || size == CAPACITY) {
            return;
        }
        ends[(head + size) % CAPACITY] = seq;
        size++;
    }

    /** Forgets the ends at or before {@code una}: every byte before them is acknowledged. */
    void acknowledged(int una) {
        while (size > 0 && SeqNum.le(ends[head], una)) {
            head = (head + 1) % CAPACITY;
            size--;
        }
    }

    /** {@code len} bytes from {@code seq}, cut at the first record end after {@code seq}. */
    int cap(int seq, int len) {
        for (int i = 0; i < size; i++) {
            int end = ends[(head + i) % CAPACITY];
            if (SeqNum.gt(end, seq)) {
                return Math.min(len, SeqNum.diff(end, seq));
            }
        }
        return len;
    }

    /** Whether a record ends at {@code seq}. */
    boolean endsAt(int seq) {
        for (int i = 0; i < size; i++) {
            if (ends[(head + i) % CAPACITY] == seq) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return size == 0;
    }
}
