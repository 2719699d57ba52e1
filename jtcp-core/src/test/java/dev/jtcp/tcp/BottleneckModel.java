package dev.jtcp.tcp;

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A small model of one flow over one bottleneck, in virtual time, to drive a {@link
 * CongestionControl} as a real path would: segments of {@code mss} bytes leave the sender as the
 * window and the {@link Pacer} allow, may be dropped at random (seeded) or when the bottleneck's
 * queue is full, cross the bottleneck at {@code rate} bytes per second in order, and come back as
 * ACKs one propagation RTT later. Each ACK is handed to the controller as an {@link AckSample} with
 * a delivery rate sample from the real {@link DeliveryRate}. A dropped segment is detected when the
 * ACK of a segment sent after it arrives (as SACK and RACK would), and starts a recovery that ends
 * when everything sent before it is acknowledged. Lost data is not retransmitted: the model counts
 * goodput, not a byte stream.
 */
final class BottleneckModel {
    final int mss = 1000;
    /** The bottleneck's rate, bytes per second (tests may change it mid-run). */
    double rate;
    /** The propagation round trip, ns (tests may change it mid-run). */
    long rttPropNs;
    /** The most the bottleneck queues, ns of its time; beyond it, tail drop. */
    long bufferNs;
    /** Probability of a random drop per segment. */
    double lossRate;
    /** The application's supply, bytes per second; {@code Double.POSITIVE_INFINITY} for a bulk sender. */
    double appRate = Double.POSITIVE_INFINITY;

    final CongestionControl cc;
    private final Pacer pacer = new Pacer();
    private final DeliveryRate deliveryRate = new DeliveryRate();
    private final AckSample sample = new AckSample();
    private final SplittableRandom random;

    long nowNs;
    /** Index of the next segment to send. */
    private int sndNxt;
    private long linkFreeNs;
    private double appBytes;
    private long lastAppNs;
    private int inFlight;
    private long minRttNs = -1;
    private long srttNs = -1;
    private boolean inRecovery;
    private int recoveryPoint;
    long deliveredBytes;
    long lostBytes;
    long sentSegments;

    /** Segments in the network, in order of their ACKs' arrival. */
    private final ArrayDeque<Seg> acks = new ArrayDeque<>();
    /** Dropped segments not yet detected, in sending order. */
    private final ArrayDeque<Seg> dropped = new ArrayDeque<>();

    private static final class Seg {
        int index;
        long sentNs;
        long ackNs;
        long deliveredAtSend;
        long deliveredNsAtSend;
        long firstSentNsAtSend;
        boolean appLimitedAtSend;
    }

    BottleneckModel(CongestionControl cc, double rate, long rttPropNs, long bufferNs, double lossRate, long seed) {
        this.cc = cc;
        this.rate = rate;
        this.rttPropNs = rttPropNs;
        this.bufferNs = bufferNs;
        this.lossRate = lossRate;
        this.random = new SplittableRandom(seed);
    }

    /** Runs until {@code endNs}, calling {@code afterAck} after each ACK the controller heard. */
    void runUntil(long endNs, Consumer<BottleneckModel> afterAck) {
        while (nowNs < endNs) {
            trySend();
            long next = endNs;
            if (!acks.isEmpty()) {
                next = Math.min(next, acks.peekFirst().ackNs);
            }
            if (canUseWindow() && hasAppData()) {
                next = Math.min(next, Math.max(pacer.nextSendNs(nowNs, mss), nowNs + 1));
            } else if (canUseWindow()) {
                next = Math.min(next, nowNs + (long) Math.ceil(mss * 1e9 / appRate));
            }
            nowNs = Math.max(next, nowNs);
            while (!acks.isEmpty() && acks.peekFirst().ackNs <= nowNs) {
                onAck(acks.pollFirst());
                if (afterAck != null) {
                    afterAck.accept(this);
                }
            }
        }
    }

    void runUntil(long endNs) {
        runUntil(endNs, null);
    }

    double goodputBytesPerSec(long sinceDelivered, long sinceNs) {
        return (deliveredBytes - sinceDelivered) * 1e9 / (nowNs - sinceNs);
    }

    int inFlight() {
        return inFlight;
    }

    private boolean canUseWindow() {
        return inFlight + mss <= cc.cwnd();
    }

    private boolean hasAppData() {
        if (appRate == Double.POSITIVE_INFINITY) {
            return true;
        }
        appBytes = Math.min(appBytes + appRate * (nowNs - lastAppNs) / 1e9, 64.0 * mss);
        lastAppNs = nowNs;
        return appBytes >= mss;
    }

    private void trySend() {
        while (canUseWindow()) {
            if (!hasAppData()) {
                deliveryRate.onAppLimited(inFlight);
                return;
            }
            pacer.setRate(cc.pacingRateBytesPerSec(),
                    cc instanceof Bbr b ? b.sendQuantum() : 2 * mss);
            if (!pacer.canSend(nowNs, mss)) {
                return;
            }
            send();
        }
    }

    private void send() {
        if (appRate != Double.POSITIVE_INFINITY) {
            appBytes -= mss;
        }
        deliveryRate.onSend(nowNs, inFlight);
        pacer.onSend(nowNs, mss);
        Seg seg = new Seg();
        seg.index = sndNxt++;
        seg.sentNs = nowNs;
        seg.deliveredAtSend = deliveryRate.delivered();
        seg.deliveredNsAtSend = deliveryRate.deliveredNs();
        seg.firstSentNsAtSend = deliveryRate.firstSentNs();
        seg.appLimitedAtSend = deliveryRate.isAppLimited();
        inFlight += mss;
        sentSegments++;
        if (random.nextDouble() < lossRate) {
            dropped.add(seg);
            return;
        }
        long start = Math.max(nowNs, linkFreeNs);
        if (start - nowNs > bufferNs) {
            dropped.add(seg);
            return;
        }
        linkFreeNs = start + (long) (mss * 1e9 / rate);
        seg.ackNs = linkFreeNs + rttPropNs;
        acks.add(seg);
    }

    private void onAck(Seg seg) {
        sample.reset(nowNs, seg.index * mss, mss);
        sample.sndNxt = sndNxt * mss;
        inFlight -= mss;
        deliveredBytes += mss;
        int lost = 0;
        while (!dropped.isEmpty() && dropped.peekFirst().index < seg.index) {
            dropped.pollFirst();
            lost += mss;
        }
        inFlight -= lost;
        lostBytes += lost;
        deliveryRate.onDelivered(mss, nowNs, seg.sentNs, seg.deliveredAtSend, seg.deliveredNsAtSend,
                seg.firstSentNsAtSend, seg.appLimitedAtSend);
        long rtt = nowNs - seg.sentNs;
        minRttNs = minRttNs < 0 ? rtt : Math.min(minRttNs, rtt);
        srttNs = srttNs < 0 ? rtt : (7 * srttNs + rtt) / 8;
        boolean valid = deliveryRate.finishSample(minRttNs);
        sample.deliveredBytes = mss;
        sample.lostBytes = lost;
        sample.rttNs = rtt;
        sample.srttNs = srttNs;
        sample.minRttNs = minRttNs;
        sample.totalDelivered = deliveryRate.delivered();
        sample.ratePriorDelivered = deliveryRate.priorDelivered();
        sample.rateAppLimited = deliveryRate.sampleAppLimited();
        if (valid) {
            sample.rateDelivered = deliveryRate.sampleDelivered();
            sample.rateIntervalNs = deliveryRate.sampleIntervalNs();
        }
        if (inRecovery && seg.index >= recoveryPoint - 1) {
            inRecovery = false;
            cc.onRecoveryEnd(inFlight, mss);
        }
        if (lost > 0 && !inRecovery) {
            inRecovery = true;
            recoveryPoint = sndNxt;
            cc.onCongestionEvent(nowNs, inFlight, mss);
            if (!cc.modelsThePath()) {
                cc.setCwnd(cc.ssthresh()); // PRR in one step
            }
        }
        sample.inFlight = inFlight;
        sample.inRecovery = inRecovery;
        if (cc.modelsThePath() || !inRecovery) {
            cc.onAck(sample);
        }
    }
}
