package dev.jtcp.wire;

/**
 * Sequence-number arithmetic modulo 2<sup>32</sup> (RFC 9293 §3.4, MUST-1, REC-1).
 *
 * <p>Sequence numbers are carried as plain {@code int}s so that the data path never allocates; this
 * class gives them their meaning. Comparisons follow RFC 1982 serial-number arithmetic: {@code a}
 * is "less than" {@code b} when {@code b - a}, computed modulo 2<sup>32</sup>, lies in
 * (0, 2<sup>31</sup>). Two numbers exactly 2<sup>31</sup> apart are unordered; like every TCP
 * implementation we let {@link #lt} answer {@code false} both ways for them, which never arises in
 * practice because windows are far smaller than 2<sup>31</sup>.
 *
 * <p>Thread-safe: static methods over values.
 */
public final class SeqNum {
    private SeqNum() {}

    /** {@code a < b} modulo 2<sup>32</sup>. */
    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    /** {@code a <= b} modulo 2<sup>32</sup>. */
    public static boolean le(int a, int b) {
        return a - b <= 0;
    }

    /** {@code a > b} modulo 2<sup>32</sup>. */
    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    /** {@code a >= b} modulo 2<sup>32</sup>. */
    public static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    /** The later of two sequence numbers. */
    public static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    /** The earlier of two sequence numbers. */
    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /**
     * The signed distance from {@code from} to {@code to}: how many octets {@code to} lies after
     * {@code from} (negative when before).
     */
    public static int diff(int to, int from) {
        return to - from;
    }

    /**
     * Whether {@code x} lies in the half-open window {@code [start, start + length)}, with the window
     * length taken as unsigned. A zero-length window contains nothing.
     */
    public static boolean inWindow(int x, int start, int length) {
        return Integer.compareUnsigned(x - start, length) < 0;
    }

    /** Whether {@code x} lies in the closed range {@code [low, high]} (both inclusive). */
    public static boolean between(int low, int x, int high) {
        return Integer.compareUnsigned(x - low, high - low) <= 0;
    }

    /** The unsigned 32-bit value of a sequence number, for printing. */
    public static long unsigned(int seq) {
        return Integer.toUnsignedLong(seq);
    }

    /** Formats a sequence number as its unsigned decimal value. */
    public static String toString(int seq) {
        return Integer.toUnsignedString(seq);
    }
}
