package dev.jtcp.pcap;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Per-reason counters of what a capture reader skipped, and the reason it stopped, if any.
 * Counting does not allocate.
 *
 * <p>Thread-safety: not thread-safe; owned by one reader.
 */
final class SkipCounts {
    private static final SkipReason[] REASONS = SkipReason.values();

    /** Occurrences of each reason, indexed by ordinal. */
    private final long[] counts = new long[REASONS.length];
    /** The reason reading stopped early; null while reading or after a clean end of file. */
    private SkipReason endReason;

    void count(SkipReason reason) {
        counts[reason.ordinal()]++;
    }

    /** Counts {@code reason} as the one that ended reading; returns false for the caller to return. */
    boolean end(SkipReason reason) {
        count(reason);
        endReason = reason;
        return false;
    }

    Optional<SkipReason> endReason() {
        return Optional.ofNullable(endReason);
    }

    /** The non-zero counters, in declaration order of the reasons. */
    Map<SkipReason, Long> asMap() {
        Map<SkipReason, Long> map = new EnumMap<>(SkipReason.class);
        for (SkipReason reason : REASONS) {
            if (counts[reason.ordinal()] > 0) {
                map.put(reason, counts[reason.ordinal()]);
            }
        }
        return Collections.unmodifiableMap(map);
    }

    /** For example "3 non-IP, 1 truncated file tail"; empty when nothing was skipped. */
    String summary() {
        StringJoiner joiner = new StringJoiner(", ");
        asMap().forEach((reason, count) -> joiner.add(count + " " + reason.description()));
        return joiner.toString();
    }
}
