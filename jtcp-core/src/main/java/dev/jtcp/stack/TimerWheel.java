package dev.jtcp.stack;

import java.util.ArrayList;
import java.util.PriorityQueue;

/**
 * A hashed timer wheel with exact deadlines: O(1) to set, move or cancel a timer, which the engine
 * does on almost every segment (RFC 6298 restarts the retransmission timer on each new ACK).
 *
 * <p>Slot {@code t mod SLOTS} holds the timers whose deadline falls in tick {@code t}, for ticks in
 * {@code [currentTick, currentTick + SLOTS)}; later timers wait in an overflow heap and move into
 * the wheel as time approaches them. Timers fire at their exact nanosecond deadline, never early:
 * within a slot, {@link #advance} fires only entries whose deadline has passed, and {@link
 * #nextDeadlineNs} scans the first occupied slot (found through a bitmap) for its earliest entry.
 * So a simulation jumps straight to the true next deadline.
 *
 * <p>Not thread-safe.
 */
final class TimerWheel {
    /** Something that can be scheduled; subclasses carry the payload. */
    abstract static class Entry {
        private long deadlineNs = Long.MAX_VALUE;
        private long tick;
        private Entry prev;
        private Entry next;
        /** True while linked into a wheel slot. */
        private boolean inWheel;
        /** Changes on every reschedule so stale overflow records can be recognised. */
        private int version;

        long deadlineNs() {
            return deadlineNs;
        }
    }

    /** Called for each timer that fires. */
    interface Expiry {
        void onExpired(Entry entry, long nowNs);
    }

    private record Overflow(long tick, Entry entry, int version) {}

    private static final int SLOTS = 1024;
    private static final int MASK = SLOTS - 1;

    private final long tickNs;
    private final Entry[] heads = new Entry[SLOTS];
    private final long[] occupied = new long[SLOTS / 64];
    private final PriorityQueue<Overflow> overflow =
            new PriorityQueue<>((a, b) -> Long.compare(a.tick, b.tick));
    private final ArrayList<Entry> due = new ArrayList<>();
    private long currentTick;
    private int size;

    /** A wheel whose slots are {@code tickNs} wide, starting at time {@code startNs}. */
    TimerWheel(long tickNs, long startNs) {
        this.tickNs = tickNs;
        this.currentTick = startNs / tickNs;
    }

    /** Timers set. */
    int size() {
        return size;
    }

    /** Sets, moves or (with {@link Long#MAX_VALUE}) cancels {@code e}'s timer. */
    void schedule(Entry e, long deadlineNs) {
        if (e.deadlineNs != Long.MAX_VALUE) {
            unlink(e);
            size--;
        }
        e.version++;
        e.deadlineNs = deadlineNs;
        if (deadlineNs == Long.MAX_VALUE) {
            return;
        }
        size++;
        e.tick = Math.max(deadlineNs / tickNs, currentTick);
        if (e.tick - currentTick < SLOTS) {
            link(e);
        } else {
            overflow.add(new Overflow(e.tick, e, e.version));
        }
    }

    private void link(Entry e) {
        int slot = (int) (e.tick & MASK);
        e.next = heads[slot];
        e.prev = null;
        if (heads[slot] != null) {
            heads[slot].prev = e;
        }
        heads[slot] = e;
        e.inWheel = true;
        occupied[slot >>> 6] |= 1L << slot;
    }

    private void unlink(Entry e) {
        if (!e.inWheel) {
            return;
        }
        int slot = (int) (e.tick & MASK);
        if (e.prev != null) {
            e.prev.next = e.next;
        } else {
            heads[slot] = e.next;
        }
        if (e.next != null) {
            e.next.prev = e.prev;
        }
        e.prev = null;
        e.next = null;
        e.inWheel = false;
        if (heads[slot] == null) {
            occupied[slot >>> 6] &= ~(1L << slot);
        }
    }

    /** The earliest deadline set, or {@link Long#MAX_VALUE}. */
    long nextDeadlineNs() {
        long best = Long.MAX_VALUE;
        int slot = firstOccupiedSlot();
        if (slot >= 0) {
            for (Entry e = heads[slot]; e != null; e = e.next) {
                best = Math.min(best, e.deadlineNs);
            }
        }
        Overflow o = peekOverflow();
        if (o != null) {
            best = Math.min(best, o.entry.deadlineNs);
        }
        return best;
    }

    /** The first occupied slot at or after the current tick's slot, wrapping, or -1. */
    private int firstOccupiedSlot() {
        int start = (int) (currentTick & MASK);
        for (int i = 0; i <= occupied.length; i++) {
            int word = ((start >>> 6) + i) % occupied.length;
            long bits = occupied[word];
            if (i == 0) {
                bits &= -1L << (start & 63);
            } else if (i == occupied.length) {
                bits &= ~(-1L << (start & 63));
            }
            if (bits != 0) {
                return word * 64 + Long.numberOfTrailingZeros(bits);
            }
        }
        return -1;
    }

    private Overflow peekOverflow() {
        Overflow o;
        while ((o = overflow.peek()) != null && (o.version != o.entry.version || o.entry.inWheel)) {
            overflow.poll();
        }
        return o;
    }

    /** Fires every timer whose deadline is at or before {@code nowNs}. */
    void advance(long nowNs, Expiry expiry) {
        long nowTick = nowNs / tickNs;
        if (nowTick < currentTick) {
            return;
        }
        long ticks = Math.min(nowTick - currentTick, SLOTS - 1);
        for (long t = currentTick; t <= currentTick + ticks; t++) {
            int slot = (int) (t & MASK);
            for (Entry e = heads[slot]; e != null; e = e.next) {
                if (e.deadlineNs <= nowNs) {
                    due.add(e);
                }
            }
        }
        currentTick = nowTick;
        // Bring overflow timers that are now within the wheel's span into it (or straight to due).
        Overflow o;
        while ((o = peekOverflow()) != null && o.tick - currentTick < SLOTS) {
            overflow.poll();
            if (o.entry.deadlineNs <= nowNs) {
                due.add(o.entry);
            } else {
                link(o.entry);
            }
        }
        for (int i = 0; i < due.size(); i++) {
            Entry e = due.get(i);
            if (e.deadlineNs <= nowNs) {
                unlink(e);
                e.deadlineNs = Long.MAX_VALUE;
                e.version++;
                size--;
            } else {
                due.set(i, null);
            }
        }
        for (int i = 0; i < due.size(); i++) {
            Entry e = due.get(i);
            if (e != null) {
                expiry.onExpired(e, nowNs);
            }
        }
        due.clear();
    }
}
