package dev.jtcp.tcp;

/**
 * Spaces a sender's segments at a pacing rate (draft-ietf-ccwg-bbr §4.6.2 and §4.6.3; Linux's
 * fq/internal pacing). Each segment of {@code len} bytes costs {@code len / rate} seconds of the
 * link; the pacer keeps the time at which the next segment may leave ({@link #nextSendNs}). To stay
 * efficient at high rates it allows a burst of up to {@code quantum} bytes (BBR.send_quantum: 1 ms
 * of data at the pacing rate, at least 2 segments, at most 64 KB) to leave back to back: the
 * departure clock may run up to one quantum's transmission time ahead of the real one.
 *
 * <p>Credit accumulates over idle time only up to a bound: a sender that was quiet for a second
 * does not get a second's worth of segments at once, only the burst allowance and the late-wake
 * credit below. A rate of 0 means no pacing.
 *
 * <p>Late wake-ups: the event loop sleeps in whole milliseconds (epoll_wait) and may be scheduled
 * later still on a busy machine, so the PACING timer for a segment due 70 µs from now fires a
 * millisecond or more later. Were the departure clock brought up to the real one then, each wake
 * would send one quantum (1 ms of data) per 1.1 ms or more, and BBR, which measures what it
 * achieves, would lower its rate estimate round after round. So a clock that fell behind keeps up to
 * {@link #lateCreditNs} of the lag (at least {@link #LATE_CREDIT_NS}, or one quantum's time): the
 * segments the late timer owed leave at once, and the long-run rate is the pacing rate. Linux's
 * internal pacing makes the same allowance for OS jitter (its departure stamp gives back up to half
 * a segment's time); here the timer is coarser, so is the allowance.
 *
 * <p>Usage per segment: {@code if (!pacer.canSend(now, len)) arm a timer for pacer.nextSendNs(now, len)};
 * otherwise send and call {@link #onSend}. Times in ns, wrap-safe comparisons. Not thread-safe;
 * one per connection.
 */
final class Pacer {
    /** The least lag of the departure clock behind the real one that is kept as credit, ns. */
    static final long LATE_CREDIT_NS = 2_000_000L;

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
        if (!started) {
            departureNs = nowNs;
            started = true;
        } else if (departureNs - nowNs < 0) {
            departureNs = Math.max(departureNs, nowNs - lateCreditNs());
        }
        departureNs += transmitNs(len);
    }

    /** How far the departure clock may lag the real one and keep the lag as credit, ns. */
    long lateCreditNs() {
        return Math.max(LATE_CREDIT_NS, transmitNs(quantumBytes));
    }

    /** Forget the departure clock (a new flight after idle, or pacing turned off and on). */
    void reset() {
        started = false;
    }
}
