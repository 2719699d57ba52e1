package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;

/**
 * The retransmission timer's value (RFC 6298 §2): smoothed RTT and variance from samples, with
 * minimum and maximum bounds and exponential backoff (§5.5). Samples come from timestamps (RFC 7323
 * §4, RTTM) or from timing one segment at a time that is never a retransmission (Karn, MUST-18).
 *
 * <p>Not thread-safe; one per connection.
 */
final class RttEstimator {
    /** Clock granularity G of RFC 6298 §2.2; our clock is nanoseconds, but the RTO floor dominates anyway. */
    private static final long GRANULARITY_NS = 1_000_000L;
    /** RFC 6298 §5.7: the RTO for data after the SYN or SYN,ACK had to be retransmitted. */
    private static final long SYN_LOSS_RTO_NS = 3_000_000_000L;

    private final long minRtoNs;
    private final long maxRtoNs;
    /** Linux's form ({@link TcpConfig#rtoVarianceFloor()}): the minimum bounds the variance term, not the sum. */
    private boolean varianceFloor;
    /** Smoothed RTT, or -1 before the first sample. */
    private long srttNs = -1;
    private long rttvarNs;
    /** Current RTO before backoff. */
    private long rtoNs;
    /** Number of times the RTO has been doubled since the last new sample or ACK. */
    private int backoff;
    /** One segment is being timed (without timestamps): its ACK at {@link #timedSeq} gives a sample. */
    private boolean timing;
    /** The sequence number whose acknowledgment ends the timing; meaningful only while {@link #timing}. */
    private int timedSeq;
    /** When the timed segment was sent. */
    private long timingStartNs;

    RttEstimator(long initialRtoNs, long minRtoNs, long maxRtoNs) {
        this.minRtoNs = minRtoNs;
        this.maxRtoNs = maxRtoNs;
        this.rtoNs = initialRtoNs;
    }

    /** Bounds the variance term by the minimum RTO, as Linux does ({@link TcpConfig#rtoVarianceFloor()}). */
    void varianceFloor(boolean on) {
        varianceFloor = on;
    }

    /** The latest measurement not yet taken by {@link #takeLatest}, ns, or -1. */
    private long latestNs = -1;
    /** The smallest measurement so far, ns, or -1 before any (RACK.min_RTT, HyStart++, BBR). */
    private long minNs = -1;

    /** Feeds one RTT measurement (RFC 6298 §2.2, §2.3). */
    void sample(long rttNs) {
        long r = Math.max(rttNs, 0);
        latestNs = r;
        if (minNs < 0 || r < minNs) {
            minNs = r;
        }
        if (srttNs < 0) {
            srttNs = r;
            rttvarNs = r / 2;
        } else {
            rttvarNs = (3 * rttvarNs + Math.abs(srttNs - r)) / 4;
            srttNs = (7 * srttNs + r) / 8;
        }
        // Linux (tcp_set_rto): RTO = SRTT + RTTVAR with RTTVAR at least tcp_rto_min, so a 10 ms path
        // gets 210 ms where RFC 6298 §2.4 gives max(200 ms, SRTT + 4 RTTVAR) = 200 ms.
        rtoNs = clamp(srttNs + Math.max(varianceFloor ? minRtoNs : GRANULARITY_NS, 4 * rttvarNs));
        backoff = 0;
    }

    private long clamp(long v) {
        return Math.min(maxRtoNs, Math.max(minRtoNs, v));
    }

    /** The RTO with backoff applied: what to arm the timer with. */
    long rtoNs() {
        long v = rtoNs;
        for (int i = 0; i < backoff && v < maxRtoNs; i++) {
            v *= 2;
        }
        return Math.min(v, maxRtoNs);
    }

    /** Doubles the timer after it expired (RFC 6298 §5.5). */
    void backOff() {
        if (rtoNs() < maxRtoNs) {
            backoff++;
        }
    }

    /**
     * RFC 6298 §5.7: "If the timer expires awaiting the ACK of a SYN segment and the TCP
     * implementation is using an RTO less than 3 seconds, the RTO MUST be re-initialized to 3
     * seconds when data transmission begins." Applies only when the handshake gave no RTT sample.
     */
    void onHandshakeWithoutSample() {
        if (srttNs < 0) {
            rtoNs = clamp(Math.max(rtoNs, SYN_LOSS_RTO_NS));
            backoff = 0;
        }
    }

    /** Forgets backoff once new data is acknowledged (RFC 6298 §5.7 note, as implementations do). */
    void resetBackoff() {
        backoff = 0;
    }

    /** Starts timing a new segment whose acknowledgment reaches {@code ackSeq} (Karn, MUST-18). */
    void startTiming(int ackSeq, long nowNs) {
        timing = true;
        timedSeq = ackSeq;
        timingStartNs = nowNs;
    }

    boolean isTiming() {
        return timing;
    }

    /** Stops timing: the timed segment may be retransmitted, so its ACK proves nothing (Karn). */
    void cancelTiming() {
        timing = false;
    }

    /** If {@code ack} covers the timed segment, takes the sample and returns true. */
    boolean sampleTimed(int ack, long nowNs) {
        if (timing && SeqNum.ge(ack, timedSeq)) {
            sample(nowNs - timingStartNs);
            timing = false;
            return true;
        }
        return false;
    }

    int backoffCount() {
        return backoff;
    }

    /** The measurement the current ACK produced, if any (then forgotten), ns, or -1. */
    long takeLatest() {
        long v = latestNs;
        latestNs = -1;
        return v;
    }

    /** The smallest RTT measured so far, ns, or -1 before any. */
    long minRttNs() {
        return minNs;
    }

    boolean hasSample() {
        return srttNs >= 0;
    }

    /** Smoothed RTT in ns, or -1 before any sample. */
    long srttNs() {
        return srttNs;
    }

    long rttvarNs() {
        return rttvarNs;
    }
}
