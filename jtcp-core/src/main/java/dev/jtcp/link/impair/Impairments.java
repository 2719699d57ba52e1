package dev.jtcp.link.impair;

import java.util.Objects;

/**
 * What a link does to the packets it carries in one direction: delay, jitter, loss, reordering,
 * duplication, corruption and a rate limit with a finite queue. A {@link FaultInjector} applies it.
 *
 * <p>The spec form, read by {@link #parse(String)} and produced by {@link #toString()}, is a
 * comma-separated list of {@code key=value} pairs; omitted keys keep their defaults and
 * {@code none} (or the empty string) is {@link #NONE}. Probabilities are written {@code 5%} or
 * {@code 0.05}, durations with a unit {@code ns}, {@code us}, {@code ms} or {@code s}, rates in
 * {@code bit}, {@code kbit}, {@code mbit} or {@code gbit} per second (powers of 1000, as in tc):
 *
 * <pre>
 * delay=10ms          one-way delay                             (default 0)
 * jitter=2ms          delay varies within ±jitter               (default 0)
 * jitterdist=normal   uniform, or normal with σ = jitter/3      (default uniform)
 * loss=5%             independent (Bernoulli) loss              (default 0)
 * gilbert=1%/25%/100%/0%
 *                     Gilbert–Elliott burst loss: P(good→bad)/P(bad→good)/loss in bad/loss in good;
 *                     the last two may be omitted and default to 100% and 0% (the Gilbert model),
 *                     so the mean burst length is 1/P(bad→good)
 * reorder=1%          packets held back by the reorder delay   (default 0)
 * reorderdelay=5ms    how long they are held                   (default max(2 × delay, 1ms))
 * duplicate=1%        a second copy follows the packet         (default 0)
 * corrupt=0.1%        bits flipped in one random byte          (default 0)
 * corruptbits=2       how many distinct bits of that byte, 1–8 (default 1)
 * rate=10mbit         serialization rate                       (default unlimited)
 * queue=100           queue limit in packets, needs a rate     (default unlimited)
 * queuebytes=150000   queue limit in bytes, needs a rate       (default unlimited)
 * ce=1%               ECN-capable packets marked Congestion Experienced (default 0)
 * cethreshold=20      mark ECN-capable packets CE when this many packets wait
 *                     ahead of them in the queue, needs a rate  (default off)
 * relose=1            a TCP segment this link lost is lost again when it is
 *                     resent, this many times                   (default 0)
 * tail=2/64000        the first transmission of the last 2 segments before every
 *                     64,000th byte of a TCP stream is lost     (default off)
 * </pre>
 *
 * <p>The last two rules read the TCP header and are deterministic (no random draw): {@code relose}
 * remembers the sequence ranges of the data segments it lost (by any cause, per flow, the last
 * 256 of them) and loses a later segment that overlaps one of them
 * until that range has been lost {@code 1 + relose} times: the case of a lost retransmission.
 * {@code tail=N/PERIOD} counts a stream's bytes from its SYN and loses, the first time they are
 * sent, the segments ending within N − 1 full segments of a multiple of PERIOD bytes (the stream
 * beyond the largest segment sent so far counts as first transmissions): a sender that writes
 * PERIOD bytes at a time and waits for the answer loses the tail of every write, the case for
 * tail loss probes.
 *
 * <p>Thread-safety: immutable.
 *
 * @param delayNs one-way delay added to every packet, ≥ 0
 * @param jitterNs bound of the random delay offset, ≥ 0; jitter never reorders packets by itself
 * @param jitterDistribution how the offset is drawn within ±{@code jitterNs}
 * @param lossProbability probability that a packet is lost, independently of the others
 * @param gilbertElliott burst loss model, {@link GilbertElliott#OFF} for none; combined with
 *     {@code lossProbability} as two independent causes
 * @param reorderProbability probability that a packet is held back by {@code reorderDelayNs}
 * @param reorderDelayNs extra delay of a held-back packet, ≥ 0
 * @param duplicateProbability probability that a second copy is delivered
 * @param corruptProbability probability that bits of one byte are flipped
 * @param corruptBits how many distinct bits of the chosen byte are flipped, 1–8
 * @param rateBitsPerSec serialization rate, 0 for unlimited (no serialization delay, no queue)
 * @param queueLimitPackets most packets queued or being serialized, {@link #UNLIMITED} for no limit
 * @param queueLimitBytes most bytes queued or being serialized, {@link #UNLIMITED} for no limit
 * @param ceProbability probability that an ECN-capable packet (ECT(0) or ECT(1)) is marked
 *     Congestion Experienced (RFC 3168); other packets are never marked
 * @param ceThresholdPackets an ECN-capable packet that finds at least this many packets ahead of
 *     it in the queue is marked CE (a step-marking AQM); 0 for none
 * @param reloseCount how many times a TCP data segment this link lost is lost again when resent
 *     (its sequence range overlaps a lost one); 0 for none
 * @param tailSegments how many segments at the end of every {@code tailPeriodBytes} of a TCP
 *     stream are lost the first time they are sent; 0 for none
 * @param tailPeriodBytes the stream period of the tail rule, bytes; 0 exactly when {@code
 *     tailSegments} is 0
 */
public record Impairments(
        long delayNs,
        long jitterNs,
        JitterDistribution jitterDistribution,
        double lossProbability,
        GilbertElliott gilbertElliott,
        double reorderProbability,
        long reorderDelayNs,
        double duplicateProbability,
        double corruptProbability,
        int corruptBits,
        long rateBitsPerSec,
        long queueLimitPackets,
        long queueLimitBytes,
        double ceProbability,
        long ceThresholdPackets,
        int reloseCount,
        int tailSegments,
        long tailPeriodBytes) {

    /** Queue limit meaning "no limit". */
    public static final long UNLIMITED = Long.MAX_VALUE;

    /** A perfect link: no delay, no loss, no limit. */
    public static final Impairments NONE = builder().build();

    /** How a jitter offset is drawn within ±jitter. */
    public enum JitterDistribution {
        /** Every offset in [-jitter, +jitter] equally likely. */
        UNIFORM,
        /** Normal with σ = jitter/3, redrawn when outside ±jitter (about 0.3% of draws). */
        NORMAL
    }

    /**
     * The Gilbert–Elliott two-state loss model. The link starts in the good state; for each packet
     * it first decides loss with the current state's loss probability, then moves to the other state
     * with that state's transition probability. The long-run loss rate is
     * {@code (badToGood·lossInGood + goodToBad·lossInBad) / (goodToBad + badToGood)}.
     *
     * <p>Thread-safety: immutable.
     *
     * @param goodToBad probability of moving from good to bad after a packet
     * @param badToGood probability of moving from bad to good after a packet
     * @param lossInBad loss probability in the bad state
     * @param lossInGood loss probability in the good state
     */
    public record GilbertElliott(double goodToBad, double badToGood, double lossInBad, double lossInGood) {

        /** No burst loss. */
        public static final GilbertElliott OFF = new GilbertElliott(0, 0, 0, 0);

        /** Checks that every component is a probability. */
        public GilbertElliott {
            requireProbability("gilbert P(good→bad)", goodToBad);
            requireProbability("gilbert P(bad→good)", badToGood);
            requireProbability("gilbert loss in bad", lossInBad);
            requireProbability("gilbert loss in good", lossInGood);
        }

        /** Whether the model can lose anything: it can reach the bad state or loses in the good one. */
        public boolean isActive() {
            return goodToBad > 0 || lossInGood > 0;
        }
    }

    /** Checks every component's range; see the component descriptions. */
    public Impairments {
        requireNonNegative("delay", delayNs);
        requireNonNegative("jitter", jitterNs);
        Objects.requireNonNull(jitterDistribution, "jitterDistribution");
        requireProbability("loss", lossProbability);
        Objects.requireNonNull(gilbertElliott, "gilbertElliott");
        requireProbability("reorder", reorderProbability);
        requireNonNegative("reorderdelay", reorderDelayNs);
        requireProbability("duplicate", duplicateProbability);
        requireProbability("corrupt", corruptProbability);
        if (corruptBits < 1 || corruptBits > 8) {
            throw new IllegalArgumentException("corruptbits must be 1 to 8, got " + corruptBits);
        }
        requireNonNegative("rate", rateBitsPerSec);
        if (queueLimitPackets < 1 || queueLimitBytes < 1) {
            throw new IllegalArgumentException("queue limits must be at least 1, got queue="
                    + queueLimitPackets + " queuebytes=" + queueLimitBytes);
        }
        if (rateBitsPerSec == 0 && (queueLimitPackets != UNLIMITED || queueLimitBytes != UNLIMITED)) {
            throw new IllegalArgumentException(
                    "queue limits need a rate: nothing queues on a link without a rate limit");
        }
        requireProbability("ce", ceProbability);
        requireNonNegative("cethreshold", ceThresholdPackets);
        if (rateBitsPerSec == 0 && ceThresholdPackets != 0) {
            throw new IllegalArgumentException(
                    "cethreshold needs a rate: nothing queues on a link without a rate limit");
        }
        requireNonNegative("relose", reloseCount);
        requireNonNegative("tail", tailSegments);
        if ((tailSegments == 0) != (tailPeriodBytes == 0) || tailPeriodBytes < 0) {
            throw new IllegalArgumentException("tail needs both a segment count and a period of at least 1 byte, got "
                    + tailSegments + "/" + tailPeriodBytes);
        }
    }

    /** Whether a rule reads TCP headers ({@code relose} or {@code tail}). */
    public boolean hasTcpRules() {
        return reloseCount > 0 || tailSegments > 0;
    }

    /** Returns a builder with every impairment off. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Parses the spec form described in the class comment.
     *
     * @throws IllegalArgumentException naming the bad key or value
     */
    public static Impairments parse(String spec) {
        return ImpairmentSpec.parse(spec);
    }

    /** The reorder delay used when none is given: twice the delay, at least 1 ms. */
    public static long defaultReorderDelayNs(long delayNs) {
        long twiceNs = delayNs > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * delayNs;
        return Math.max(twiceNs, 1_000_000L);
    }

    /** The spec form, listing only what differs from the defaults; {@code none} for {@link #NONE}. */
    @Override
    public String toString() {
        return ImpairmentSpec.format(this);
    }

    private static void requireProbability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be a probability in [0, 1], got " + p);
        }
    }

    private static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
    }

    /**
     * Builds {@link Impairments}; every impairment starts off.
     *
     * <p>Thread-safety: not thread-safe.
     */
    public static final class Builder {
        private long delayNs;
        private long jitterNs;
        private JitterDistribution jitterDistribution = JitterDistribution.UNIFORM;
        private double lossProbability;
        private GilbertElliott gilbertElliott = GilbertElliott.OFF;
        private double reorderProbability;
        /** The explicit reorder delay, or -1 for {@link #defaultReorderDelayNs(long)}. */
        private long reorderDelayNs = -1;
        private double duplicateProbability;
        private double corruptProbability;
        private int corruptBits = 1;
        private long rateBitsPerSec;
        private long queueLimitPackets = UNLIMITED;
        private long queueLimitBytes = UNLIMITED;
        private double ceProbability;
        private long ceThresholdPackets;
        private int reloseCount;
        private int tailSegments;
        private long tailPeriodBytes;

        private Builder() {
        }

        /** Sets the one-way delay. */
        public Builder delayNs(long delayNs) {
            this.delayNs = delayNs;
            return this;
        }

        /** Sets the jitter bound and keeps the distribution. */
        public Builder jitterNs(long jitterNs) {
            this.jitterNs = jitterNs;
            return this;
        }

        /** Sets how jitter offsets are drawn. */
        public Builder jitterDistribution(JitterDistribution distribution) {
            this.jitterDistribution = distribution;
            return this;
        }

        /** Sets the independent loss probability. */
        public Builder lossProbability(double p) {
            this.lossProbability = p;
            return this;
        }

        /** Sets the burst loss model. */
        public Builder gilbertElliott(GilbertElliott model) {
            this.gilbertElliott = model;
            return this;
        }

        /** Sets the probability that a packet is held back. */
        public Builder reorderProbability(double p) {
            this.reorderProbability = p;
            return this;
        }

        /** Sets how long held-back packets wait; defaults to {@link #defaultReorderDelayNs(long)}. */
        public Builder reorderDelayNs(long reorderDelayNs) {
            if (reorderDelayNs < 0) {
                throw new IllegalArgumentException("reorderdelay must not be negative, got " + reorderDelayNs);
            }
            this.reorderDelayNs = reorderDelayNs;
            return this;
        }

        /** Sets the duplication probability. */
        public Builder duplicateProbability(double p) {
            this.duplicateProbability = p;
            return this;
        }

        /** Sets the corruption probability. */
        public Builder corruptProbability(double p) {
            this.corruptProbability = p;
            return this;
        }

        /** Sets how many distinct bits of one byte a corruption flips. */
        public Builder corruptBits(int bits) {
            this.corruptBits = bits;
            return this;
        }

        /** Sets the serialization rate; 0 for unlimited. */
        public Builder rateBitsPerSec(long rateBitsPerSec) {
            this.rateBitsPerSec = rateBitsPerSec;
            return this;
        }

        /** Sets the queue limit in packets, counting the one being serialized. */
        public Builder queueLimitPackets(long packets) {
            this.queueLimitPackets = packets;
            return this;
        }

        /** Sets the queue limit in bytes, counting the packet being serialized. */
        public Builder queueLimitBytes(long bytes) {
            this.queueLimitBytes = bytes;
            return this;
        }

        /** Sets the probability that an ECN-capable packet is marked Congestion Experienced. */
        public Builder ceProbability(double p) {
            this.ceProbability = p;
            return this;
        }

        /** Marks ECN-capable packets CE when at least {@code packets} wait ahead of them; 0 for never. */
        public Builder ceThresholdPackets(long packets) {
            this.ceThresholdPackets = packets;
            return this;
        }

        /** Loses a TCP data segment this link lost again when it is resent, {@code times} times. */
        public Builder reloseCount(int times) {
            this.reloseCount = times;
            return this;
        }

        /**
         * Loses the first transmission of the last {@code segments} segments before every multiple of
         * {@code periodBytes} of a TCP stream; (0, 0) for none.
         */
        public Builder tail(int segments, long periodBytes) {
            this.tailSegments = segments;
            this.tailPeriodBytes = periodBytes;
            return this;
        }

        /**
         * Returns the impairments.
         *
         * @throws IllegalArgumentException if a value is out of range
         */
        public Impairments build() {
            long reorderNs = reorderDelayNs >= 0 ? reorderDelayNs : defaultReorderDelayNs(delayNs);
            return new Impairments(delayNs, jitterNs, jitterDistribution, lossProbability, gilbertElliott,
                    reorderProbability, reorderNs, duplicateProbability, corruptProbability, corruptBits,
                    rateBitsPerSec, queueLimitPackets, queueLimitBytes, ceProbability, ceThresholdPackets, reloseCount,
                    tailSegments, tailPeriodBytes);
        }
    }
}
