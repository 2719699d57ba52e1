package dev.jtcp.tcp;

/**
 * Spaces a sender's segments at a pacing rate (draft-ietf-ccwg-bbr §4.6.2 and §4.6.3; Linux's
 * fq/internal pacing). Each segment of {@code len} bytes costs {@code len / rate} seconds of the
 * link; the pacer keeps the time at which the next segment may leave ({@link #nextSendNs}). To stay
 * efficient at high rates it allows a burst of up to {@code quantum} bytes (BBR.send_quantum: 1 ms
 * of data at the pacing rate, at least 2 segments, at most 64 KB) to leave back to back: the
 * departure clock may run up to one quantum's transmission time ahead of the real one.
 *
 * <p>Credit never accumulates over idle time: a sender that was quiet for a second does not get a
 * second's worth of segments at once, only the burst allowance. A rate of 0 means no pacing.
 *
 * <p>Usage per segment: {@code if (!pacer.canSend(now, len)) arm a timer for pacer.nextSendNs(now, len)};
 * otherwise send and call {@link #onSend}. Times in ns, wrap-safe comparisons. Not thread-safe;
 * one per connection.
 */
final class Pacer {
    /** The pacing rate, bytes per second; 0 disables pacing. */
    private long rateBytesPerSec;
    /** The burst allowance, bytes. */
    private int quantumBytes;
    /**
     * The virtual departure time of the next byte, ns: each sent segment advances it by its
     * transmission time at the pacing rate. Only meaningful once {@link #started}.
     */
    private long departureNs;
    private boolean started;

    /**
     * Sets the rate and the burst allowance (call on each ACK, after the controller updated them).
     *
     * @param rateBytesPerSec the pacing rate; 0 to send without pacing
     * @param quantumBytes    the most that may leave back to back (at least one segment)
     */
    void setRate(long rateBytesPerSec, int quantumBytes) {
        this.rateBytesPerSec = Math.max(rateBytesPerSec, 0);
        this.quantumBytes = Math.max(quantumBytes, 1);
    }

    long rateBytesPerSec() {
        return rateBytesPerSec;
    }

    int quantumBytes() {
        return quantumBytes;
    }

    /** The time {@code bytes} take at the pacing rate, ns. */
    long transmitNs(long bytes) {
        if (rateBytesPerSec == 0) {
            return 0;
        }
        return (long) Math.ceil(bytes * 1e9 / rateBytesPerSec);
    }

    /**
     * The earliest time a segment of {@code len} bytes may leave: {@code nowNs} when it may leave at
     * once; otherwise the time at which sending it keeps the departure clock no more than one burst
     * (the quantum's transmission time, or the segment's own if longer) ahead of the real one.
     */
    long nextSendNs(long nowNs, int len) {
        if (rateBytesPerSec == 0 || !started) {
            return nowNs;
        }
        long base = departureNs - nowNs > 0 ? departureNs : nowNs;
        long burstNs = Math.max(transmitNs(quantumBytes), transmitNs(len));
        long earliest = base + transmitNs(len) - burstNs;
        return earliest - nowNs > 0 ? earliest : nowNs;
    }

    /** Whether a segment of {@code len} bytes may leave at {@code nowNs}. */
    boolean canSend(long nowNs, int len) {
        return nextSendNs(nowNs, len) == nowNs;
    }

    /**
     * A segment of {@code len} bytes left at {@code nowNs} (paced or not: retransmissions count
     * too): advance the departure clock by its transmission time. A clock that fell behind {@code
     * nowNs} (the sender was idle or had nothing to send) is first brought up to it, so idle time
     * buys no credit beyond the burst.
     */
    void onSend(long nowNs, int len) {
        if (rateBytesPerSec == 0) {
            return;
        }
        if (!started || departureNs - nowNs < 0) {
            departureNs = nowNs;
            started = true;
        }
        departureNs += transmitNs(len);
    }

    /** Forget the departure clock (a new flight after idle, or pacing turned off and on). */
    void reset() {
        started = false;
    }
}
