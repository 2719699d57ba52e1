package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;

/**
 * HyStart++ (RFC 9406): leaves slow start before it overshoots, by watching the minimum RTT of each
 * round. When a round's minimum RTT has grown by more than a threshold over the previous round's,
 * the queue is filling: growth slows to a quarter (Conservative Slow Start, CSS) for up to five
 * rounds, then congestion avoidance begins; if the RTT falls back, that was a false alarm and slow
 * start resumes.
 *
 * <p>Read RFC 9406 §4.2 beside it. {@link #onAck} returns how much the window may grow for an ACK
 * in slow start, and tells through {@link #shouldEnterCongestionAvoidance()} when CSS has run its
 * rounds. A loss ends slow start whatever this class says (the congestion controller's job).
 *
 * <p>Not thread-safe; one per connection.
 */
final class HyStartPlusPlus implements SlowStartExit {
    static final long MIN_RTT_THRESH_NS = 4_000_000L;
    static final long MAX_RTT_THRESH_NS = 16_000_000L;
    static final int MIN_RTT_DIVISOR = 8;
    static final int N_RTT_SAMPLE = 8;
    static final int CSS_GROWTH_DIVISOR = 4;
    static final int CSS_ROUNDS = 5;
    private static final long NONE = Long.MAX_VALUE;

    /** Segments of growth per ACK at most (RFC 9406 §4.3's L): unbounded with pacing, 8 without. */
    private final int limitSegments;
    /** The round ends with the ACK of this (SND.NXT when the round began); valid when {@link #roundStarted}. */
    private int windowEnd;
    private boolean roundStarted;
    private long lastRoundMinRttNs = NONE;
    private long currentRoundMinRttNs = NONE;
    private int rttSampleCount;
    /** The round minimum that triggered CSS; {@link #NONE} outside CSS. */
    private long cssBaselineMinRttNs = NONE;
    /** Rounds completed in CSS. */
    private int cssRounds;
    private boolean done;

    /** @param paced whether the sender paces (RFC 9406 §4.3: L = infinity then, else 8) */
    HyStartPlusPlus(boolean paced) {
        this.limitSegments = paced ? Integer.MAX_VALUE : 8;
    }

    boolean inCss() {
        return cssBaselineMinRttNs != NONE;
    }

    /** CSS has run {@link #CSS_ROUNDS} rounds: set ssthresh to cwnd and enter congestion avoidance. */
    @Override
    public boolean shouldEnterCongestionAvoidance() {
        return done;
    }

    /**
     * One ACK in slow start.
     *
     * @param ack      the ACK's acknowledgment number
     * @param sndNxt   SND.NXT now (the end of the round that begins)
     * @param acked    bytes newly acknowledged
     * @param rttNs    an RTT sample from this ACK, or -1 without one
     * @return bytes by which cwnd grows
     */
    int onAck(int ack, int sndNxt, int acked, long rttNs, int smss) {
        // A round ends with the ACK of windowEnd; the next ACK beyond it starts the next round and
        // counts towards it (as Linux's HyStart does).
        if (!roundStarted || SeqNum.gt(ack, windowEnd)) {
            startRound(sndNxt);
        }
        if (rttNs >= 0) {
            currentRoundMinRttNs = Math.min(currentRoundMinRttNs, rttNs);
            rttSampleCount++;
        }
        long limit = (long) limitSegments * smss;
        int growth = (int) Math.min(acked, limit);
        if (!inCss()) {
            if (rttSampleCount >= N_RTT_SAMPLE && currentRoundMinRttNs != NONE && lastRoundMinRttNs != NONE) {
                long thresh = Math.clamp(lastRoundMinRttNs / MIN_RTT_DIVISOR, MIN_RTT_THRESH_NS, MAX_RTT_THRESH_NS);
                if (currentRoundMinRttNs >= lastRoundMinRttNs + thresh) {
                    cssBaselineMinRttNs = currentRoundMinRttNs;
                    cssRounds = 0;
                }
            }
            return inCss() ? growth / CSS_GROWTH_DIVISOR : growth;
        }
        if (rttSampleCount >= N_RTT_SAMPLE && currentRoundMinRttNs < cssBaselineMinRttNs) {
            // The RTT came back down: the increase was not a queue building. Back to slow start.
            cssBaselineMinRttNs = NONE;
            return growth;
        }
        return growth / CSS_GROWTH_DIVISOR;
    }

    @Override
    public int onAck(long nowNs, int ack, int sndNxt, int acked, long rttNs, int cwndBytes, int smss) {
        return onAck(ack, sndNxt, acked, rttNs, smss);
    }

    /** Starts over after a loss or an idle restart: the next slow start is watched from scratch. */
    @Override
    public void reset() {
        roundStarted = false;
        lastRoundMinRttNs = NONE;
        currentRoundMinRttNs = NONE;
        rttSampleCount = 0;
        cssBaselineMinRttNs = NONE;
        cssRounds = 0;
        done = false;
    }

    private void startRound(int sndNxt) {
        if (roundStarted && inCss()) {
            cssRounds++;
            if (cssRounds >= CSS_ROUNDS) {
                done = true;
            }
        }
        roundStarted = true;
        windowEnd = sndNxt;
        lastRoundMinRttNs = currentRoundMinRttNs;
        currentRoundMinRttNs = NONE;
        rttSampleCount = 0;
    }
}
