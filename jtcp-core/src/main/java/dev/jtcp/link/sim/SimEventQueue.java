package dev.jtcp.link.sim;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The simulator's pending events: a binary min-heap ordered by (time, insertion sequence), so events
 * at the same time run in the order they were scheduled. Each event knows its heap slot, so a node's
 * wake-up can be moved or removed in O(log n). Events are pooled: {@link #obtain} reuses one that was
 * {@link #recycle recycled}.
 *
 * <p>Thread-safety: not thread-safe; driven by one thread.
 */
final class SimEventQueue {

    /** What an event does when it runs. */
    enum Kind {
        /** Hand {@link Event#packet} to the node on {@link Event#to}. */
        DELIVER,
        /** Call the timer of {@link Event#timer}'s node if its deadline has come. */
        WAKE,
        /** Run {@link Event#action}. */
        ACTION
    }

    /**
     * One pending event; fields beyond the key are set according to {@link #kind}.
     *
     * <p>Thread-safety: not thread-safe; owned by its queue.
     */
    static final class Event {
        Kind kind;
        /** When it runs, in virtual nanoseconds. */
        long atNs;
        /** Insertion sequence; breaks ties between equal times. */
        long seq;
        /** Slot in the heap, or -1 when not queued. */
        int index = -1;
        /** {@link Kind#DELIVER}: the receiving port. */
        SimPort to;
        /** {@link Kind#DELIVER}: the pooled packet, position 0 to limit. */
        ByteBuffer packet;
        /** {@link Kind#WAKE}: the node whose timer this is. */
        SimNetwork.NodeTimer timer;
        /** {@link Kind#ACTION}: the scripted action. */
        Runnable action;
        /** Next free event while pooled. */
        Event nextFree;

        private boolean runsBefore(Event other) {
            return atNs != other.atNs ? atNs < other.atNs : seq < other.seq;
        }
    }

    private Event[] heap = new Event[64];
    private int size;
    private long nextSeq;
    /** Top of the free-list of recycled events. */
    private Event free;

    /** Returns a blank event of {@code kind}, reusing a recycled one when possible. */
    Event obtain(Kind kind) {
        Event e = free;
        if (e == null) {
            e = new Event();
        } else {
            free = e.nextFree;
            e.nextFree = null;
        }
        e.kind = kind;
        return e;
    }

    /** Returns a dequeued event to the pool; it must not be used afterwards. */
    void recycle(Event e) {
        e.to = null;
        e.packet = null;
        e.timer = null;
        e.action = null;
        e.nextFree = free;
        free = e;
    }

    /** Queues {@code e} to run at {@code atNs}, after events already queued for that time. */
    void add(Event e, long atNs) {
        e.atNs = atNs;
        e.seq = nextSeq++;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        e.index = size;
        heap[size++] = e;
        siftUp(e.index);
    }

    /** Moves the queued {@code e} to {@code atNs}, after events already queued for that time. */
    void reschedule(Event e, long atNs) {
        e.atNs = atNs;
        e.seq = nextSeq++;
        siftDown(siftUp(e.index));
    }

    /** Removes the queued {@code e}. */
    void remove(Event e) {
        int i = e.index;
        Event last = heap[--size];
        heap[size] = null;
        e.index = -1;
        if (last != e) {
            heap[i] = last;
            last.index = i;
            siftDown(siftUp(i));
        }
    }

    /** The next event to run, or null if none. */
    Event peek() {
        return size == 0 ? null : heap[0];
    }

    /** Removes and returns the next event to run, or null if none. */
    Event poll() {
        Event first = peek();
        if (first != null) {
            remove(first);
        }
        return first;
    }

    /** Number of queued events. */
    int size() {
        return size;
    }

    private int siftUp(int i) {
        Event e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!e.runsBefore(heap[parent])) {
                break;
            }
            place(heap[parent], i);
            i = parent;
        }
        place(e, i);
        return i;
    }

    private void siftDown(int i) {
        Event e = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1].runsBefore(heap[child])) {
                child++;
            }
            if (!heap[child].runsBefore(e)) {
                break;
            }
            place(heap[child], i);
            i = child;
        }
        place(e, i);
    }

    private void place(Event e, int i) {
        heap[i] = e;
        e.index = i;
    }
}
