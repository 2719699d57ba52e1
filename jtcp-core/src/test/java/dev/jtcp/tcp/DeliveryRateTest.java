package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Delivery rate samples: a steady flow's rate, ACK compression, app-limited phases. */
class DeliveryRateTest {
    private static final long MS = 1_000_000L;
    private static final int MSS = 1000;

    /** Sends one segment per ms and delivers each {@code rtt} later (ACKs bunched by {@code ackEvery}). */
    private static double steadyRate(int segments, long rttNs, int ackEvery) {
        DeliveryRate r = new DeliveryRate();
        Flight f = new Flight();
        long lastRate = 0;
        int seq = 0;
        int acked = 0;
        for (long t = 0; t <= segments * MS + rttNs + ackEvery * MS; t += MS) {
            // Deliveries due by t, in groups of ackEvery (ACK compression when > 1).
            int due = (int) Math.min(segments, Math.max(0, (t - rttNs) / MS + 1));
            due -= due % ackEvery;
            if (due > acked) {
                long now = t;
                f.acknowledge(due * MSS, (fl, p, flags) -> r.onDelivered(fl.length(p), now, fl.xmitNs(p),
                        fl.deliveredAtSend(p), fl.deliveredNsAtSend(p), fl.firstTxNsAtSend(p),
                        (flags & Flight.APP_LIMITED) != 0));
                acked = due;
                if (r.finishSample(rttNs)) {
                    lastRate = (long) r.sampleRateBytesPerSec();
                }
            }
            if (seq < segments * MSS && t < segments * MS) {
                r.onSend(t, f.outstandingBytes());
                f.append(seq, seq + MSS, t, r.delivered(), r.deliveredNs(), r.firstSentNs(), r.isAppLimited());
                seq += MSS;
            }
        }
        return lastRate;
    }

    @Test
    void aSteadyFlowIsMeasuredAtItsSendingRate() {
        assertThat(steadyRate(500, 50 * MS, 1)).isCloseTo(1e6, within(2e4));
    }

    @Test
    void ackCompressionDoesNotInflateTheRate() {
        // ACKs arrive in bunches of 10: the ACK interval is bursty, the send interval is not.
        assertThat(steadyRate(500, 50 * MS, 10)).isLessThanOrEqualTo(1.02e6);
    }

    @Test
    void samplesWhileApplicationLimitedAreMarkedUntilThatFlightIsDelivered() {
        DeliveryRate r = new DeliveryRate();
        Flight f = new Flight();
        r.onSend(0, 0);
        f.append(0, MSS, 0, r.delivered(), r.deliveredNs(), r.firstSentNs(), r.isAppLimited());
        r.onAppLimited(MSS);
        r.onSend(MS, MSS);
        f.append(MSS, 2 * MSS, MS, r.delivered(), r.deliveredNs(), r.firstSentNs(), r.isAppLimited());
        assertThat(f.has(1, Flight.APP_LIMITED)).isTrue();
        deliver(r, f, MSS, 60 * MS);
        assertThat(r.isAppLimited()).as("the app-limited flight is not yet delivered").isTrue();
        deliver(r, f, 2 * MSS, 61 * MS);
        assertThat(r.sampleAppLimited()).isTrue();
        assertThat(r.isAppLimited()).isFalse();
    }

    @Test
    void aSampleShorterThanTheMinimumRttIsDiscarded() {
        DeliveryRate r = new DeliveryRate();
        Flight f = new Flight();
        r.onSend(0, 0);
        f.append(0, MSS, 0, r.delivered(), r.deliveredNs(), r.firstSentNs(), r.isAppLimited());
        f.acknowledge(MSS, (fl, p, flags) -> r.onDelivered(fl.length(p), 5 * MS, fl.xmitNs(p),
                fl.deliveredAtSend(p), fl.deliveredNsAtSend(p), fl.firstTxNsAtSend(p), false));
        assertThat(r.finishSample(10 * MS)).as("5 ms is shorter than the 10 ms minimum RTT").isFalse();
        assertThat(r.sampleRateBytesPerSec()).isZero();
        assertThat(r.delivered()).isEqualTo(MSS);
    }

    private static void deliver(DeliveryRate r, Flight f, int ack, long now) {
        f.acknowledge(ack, (fl, p, flags) -> r.onDelivered(fl.length(p), now, fl.xmitNs(p), fl.deliveredAtSend(p),
                fl.deliveredNsAtSend(p), fl.firstTxNsAtSend(p), (flags & Flight.APP_LIMITED) != 0));
        r.finishSample(-1);
    }
}
