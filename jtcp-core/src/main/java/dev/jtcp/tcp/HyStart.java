package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;

/**
 * Linux's classic HyStart (Ha and Rhee, "Taming the elephants: new TCP slow start", 2011; Linux's
 * {@code tcp_cubic} with {@code hystart_detect}): slow start ends, with ssthresh set to cwnd, when
 * either signal shows the path is full, once the window has reached 16 segments.
 *
 * <ul>
 * <li>ACK train (bit 1): ACKs keep arriving less than 2 ms apart for longer than half the minimum
 *     RTT since the round began: the round's data already spans the path.</li>
 * <li>Delay increase (bit 2): after 8 RTT samples in a round, the round's smallest exceeds the
 *     connection's minimum RTT by an eighth of it (clamped to 4..16 ms): a queue is building. The
 *     round's minimum includes every sample (a sample below the old minimum lowers both).</li>
 * </ul>
 *
 * <p>Unlike HyStart++ ({@link HyStartPlusPlus}) there is no conservative phase: slow start simply
 * ends, and growth per ACK is not limited. Used for CUBIC when {@link TcpConfig#hyStartDetect()} is
 * not 0, as a Linux host does by default.
 *
 * <p>Not thread-safe; one per connection.
 */
final class HyStart implements SlowStartExit {
    static final int ACK_TRAIN = 1;
    static final int DELAY = 2;
    /** Linux's hystart_low_window: no detection below this many segments. */
    static final int LOW_WINDOW_SEGMENTS = 16;
    /** Linux's HYSTART_MIN_SAMPLES. */
    static final int MIN_SAMPLES = 8;
    /** Linux's hystart_ack_delta_us: ACKs closer than this form a train. */
    static final long ACK_DELTA_NS = 2_000_000L;
    static final long DELAY_MIN_NS = 4_000_000L;
    static final long DELAY_MAX_NS = 16_000_000L;
    private static final long NONE = Long.MAX_VALUE;

    /** Which signals count ({@link #ACK_TRAIN}, {@link #DELAY}). */
    private final int detect;
    /** The smallest RTT seen (Linux's delay_min), ns; {@link #NONE} before any. */
    private long delayMinNs = NONE;
    /** The round ends when SND.UNA passes this (SND.NXT when it began); valid when {@link #roundStarted}. */
    private int roundEnd;
    private boolean roundStarted;
    private long roundStartNs;
    private long lastAckNs;
    /** The smallest RTT of this round, ns. */
    private long roundMinNs = NONE;
    private int samples;
    private boolean found;

    HyStart(int detect) {
        this.detect = detect;
    }

    @Override
    public int onAck(long nowNs, int ack, int sndNxt, int acked, long rttNs, int cwndBytes, int smss) {
        if (rttNs >= 0) {
            long delay = Math.max(rttNs, 1);
            delayMinNs = Math.min(delayMinNs, delay);
            if (!found && cwndBytes >= LOW_WINDOW_SEGMENTS * smss) {
                update(nowNs, ack, sndNxt, delay);
                if (found) {
                    return 0; // slow start is capped at the new ssthresh: no growth for this ACK
                }
            }
        }
        return acked;
    }

    private void update(long nowNs, int ack, int sndNxt, long delay) {
        if (!roundStarted || SeqNum.gt(ack, roundEnd)) {
            roundStarted = true;
            roundStartNs = nowNs;
            lastAckNs = nowNs;
            roundEnd = sndNxt;
            roundMinNs = NONE;
            samples = 0;
        }
        if ((detect & ACK_TRAIN) != 0 && nowNs - lastAckNs <= ACK_DELTA_NS) {
            lastAckNs = nowNs;
            if (nowNs - roundStartNs > delayMinNs / 2) {
                found = true;
                return;
            }
        }
        if ((detect & DELAY) != 0) {
            roundMinNs = Math.min(roundMinNs, delay);
            if (samples < MIN_SAMPLES) {
                samples++;
            } else if (roundMinNs > delayMinNs + Math.clamp(delayMinNs >> 3, DELAY_MIN_NS, DELAY_MAX_NS)) {
                found = true;
            }
        }
    }

    @Override
    public boolean shouldEnterCongestionAvoidance() {
        return found;
    }

    @Override
    public void reset() {
        roundStarted = false;
        roundMinNs = NONE;
        samples = 0;
        found = false;
    }
}
