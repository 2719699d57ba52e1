package dev.jtcp.stack;

import dev.jtcp.wire.DropReason;
import java.util.EnumMap;
import java.util.Map;

/**
 * How many packets a host dropped, per {@link DropReason}. Counting costs one array increment.
 *
 * <p>Not thread-safe: written by the host's thread; readers on other threads see values that may
 * lag, which is fine for statistics.
 */
public final class DropCounters {
    private static final DropReason[] REASONS = DropReason.values();
    private final long[] counts = new long[REASONS.length];

    void count(DropReason reason) {
        counts[reason.ordinal()]++;
    }

    public long get(DropReason reason) {
        return counts[reason.ordinal()];
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /** The non-zero counters, in declaration order. */
    public Map<DropReason, Long> nonZero() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : REASONS) {
            if (counts[r.ordinal()] != 0) {
                m.put(r, counts[r.ordinal()]);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        nonZero().forEach((r, n) -> sb.append(sb.isEmpty() ? "" : ", ").append(n).append(' ').append(r.description()));
        return sb.isEmpty() ? "no drops" : sb.toString();
    }
}
