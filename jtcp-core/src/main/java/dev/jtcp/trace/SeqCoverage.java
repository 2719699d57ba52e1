package dev.jtcp.trace;

import java.util.Arrays;

/**
 * The sequence numbers of one direction's payload that a capture has seen, so that each byte is
 * counted once however often it was sent: retransmissions and overlaps add nothing, a segment that
 * fills a hole adds what was missing. This is the figure Wireshark's Follow TCP Stream shows.
 *
 * <p>Numbers are unwrapped onto a 64-bit line from the first segment seen (each new sequence number
 * is read within 2^31 of the highest so far). The seen set is the interval from the lowest to the
 * highest number seen, less a list of holes; holes exist only where the capture missed or had not
 * yet seen data, so the usual segment allocates nothing.
 *
 * <p>Not thread-safe.
 */
final class SeqCoverage {
    /** Whether any payload has been seen. */
    private boolean started;
    /** The highest sequence number seen + 1, as sent (32 bits) and unwrapped. */
    private int highRaw;
    private long high;
    /** The lowest sequence number seen, unwrapped. */
    private long low;
    /** Holes below {@code high}, as sorted, disjoint [start, end) pairs. */
    private long[] holes = new long[0];
    private int holeCount;
    /** Bytes seen, each once. */
    private long bytes;

    long bytes() {
        return bytes;
    }

    /** Records payload [seq, seq + length); returns how many of its bytes were not seen before. */
    long add(int seq, int length) {
        if (length <= 0) {
            return 0;
        }
        if (!started) {
            started = true;
            low = 0;
            high = length;
            highRaw = seq + length;
            bytes = length;
            return length;
        }
        long start = high + (seq - highRaw);
        long end = start + length;
        long oldHigh = high;
        long added = 0;
        if (end > oldHigh) {
            if (start > oldHigh) {
                addHole(oldHigh, start);
            }
            added += end - Math.max(start, oldHigh);
            high = end;
            highRaw = seq + length;
        }
        long middleEnd = Math.min(end, oldHigh);
        if (start < middleEnd) {
            long from = start;
            if (start < low) {
                from = Math.min(middleEnd, low);
                added += from - start;
                if (from < low) {
                    addHole(from, low);
                }
                low = start;
            }
            added += fill(from, middleEnd);
        }
        bytes += added;
        return added;
    }

    /** Removes [start, end) from the holes; returns how many bytes it filled. */
    private long fill(long start, long end) {
        long filled = 0;
        int i = 0;
        while (i < holeCount && start < end) {
            long hs = holes[2 * i];
            long he = holes[2 * i + 1];
            if (he <= start) {
                i++;
                continue;
            }
            if (hs >= end) {
                break;
            }
            long from = Math.max(hs, start);
            long to = Math.min(he, end);
            filled += to - from;
            if (from == hs && to == he) {
                removeHole(i);
            } else if (from == hs) {
                holes[2 * i] = to;
                i++;
            } else if (to == he) {
                holes[2 * i + 1] = from;
                i++;
            } else {
                holes[2 * i + 1] = from;
                insertHole(i + 1, to, he);
                i += 2;
            }
        }
        return filled;
    }

    private void addHole(long start, long end) {
        int i = 0;
        while (i < holeCount && holes[2 * i] < start) {
            i++;
        }
        insertHole(i, start, end);
    }

    private void insertHole(int index, long start, long end) {
        if (2 * (holeCount + 1) > holes.length) {
            holes = Arrays.copyOf(holes, Math.max(8, holes.length * 2));
        }
        System.arraycopy(holes, 2 * index, holes, 2 * index + 2, 2 * (holeCount - index));
        holes[2 * index] = start;
        holes[2 * index + 1] = end;
        holeCount++;
    }

    private void removeHole(int index) {
        System.arraycopy(holes, 2 * index + 2, holes, 2 * index, 2 * (holeCount - index - 1));
        holeCount--;
    }
}
