package dev.jtcp.link.impair;

import dev.jtcp.link.impair.Impairments.GilbertElliott;
import dev.jtcp.wire.Checksum;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Applies {@link Impairments} to the packets of one link direction: for each packet offered at a
 * time, decides whether it is dropped and, if not, when each copy arrives and what its bytes are.
 * All randomness comes from one {@link SplittableRandom} seeded at construction, so the same seed,
 * impairments and sequence of offers give the same decisions. It holds no packets and reads no
 * clock: the simulator schedules the deliveries on virtual time, a real link on its own clock.
 *
 * <p>Per packet, in this order (the order random numbers are drawn in):
 *
 * <ol>
 *   <li>rate limit: the packet joins the bottleneck queue, or is tail-dropped
 *       ({@link DropCause#QUEUE_FULL}) if the queue is full; it departs when its last bit is
 *       serialized;
 *   <li>loss: Gilbert–Elliott, then Bernoulli, then the TCP rules {@code relose} and {@code tail}
 *       ({@link TcpLossRules}, no random draw) ({@link DropCause#LOSS}). Loss happens after the
 *       queue, so a lost packet still used its share of the rate;
 *   <li>ECN marking: an ECN-capable packet (ECT(0) or ECT(1) in its IP header) that found at least
 *       the CE threshold of packets ahead of it in the queue, or that draws the CE probability, is
 *       marked Congestion Experienced in a private copy, IPv4 header checksum updated
 *       ({@link Fault#CE_MARKED});
 *   <li>arrival = departure + delay + jitter offset (never before departure), then raised to the
 *       previous in-order arrival so that <em>jitter alone never reorders</em>: a packet that drew
 *       a small delay arrives together with, and after, the one before it;
 *   <li>reorder: the packet is held back by the reorder delay, without raising the in-order arrival,
 *       so later packets overtake it ({@link Fault#REORDERED});
 *   <li>corruption: distinct bits of one random byte are flipped in a private copy
 *       ({@link Fault#CORRUPTED}); the caller's buffer is never written;
 *   <li>duplication: a second, identical copy arrives at the same time, right after the first
 *       ({@link Fault#DUPLICATED}).
 * </ol>
 *
 * <p>Thread-safety: not thread-safe; driven by one thread.
 */
public final class FaultInjector {

    /**
     * Receives the decisions for one offered packet, synchronously, during {@link #offer}. Buffers
     * passed in are valid only during the call: copy what you keep, and leave their bytes, position
     * and limit as they were (the same buffer may be passed again for a duplicate).
     *
     * <p>Thread-safety: called on the thread that calls {@link #offer}.
     */
    public interface Output {

        /** The packet (position to limit) arrives at {@code deliverAtNs}; called once per copy. */
        void onDeliver(ByteBuffer packet, long deliverAtNs);

        /** The offered packet is dropped; no {@link #onDeliver} follows. */
        void onDrop(ByteBuffer packet, DropCause cause);

        /** The copy about to be passed to {@link #onDeliver} has {@code fault}; called before it. */
        default void onFault(ByteBuffer packet, Fault fault) {
        }
    }

    private final Impairments impairments;
    private final SplittableRandom random;
    /** The bottleneck queue, or null when the rate is unlimited. */
    private final RateQueue queue;
    /** The TCP-aware loss rules, or null when none is set. */
    private final TcpLossRules tcpRules;
    /** Whether the Gilbert–Elliott model is in its bad state; it starts good. */
    private boolean inBadState;
    /** Arrival time of the last packet not held back; later packets arrive no earlier. */
    private long lastInOrderNs = Long.MIN_VALUE;
    /** Holds a corrupted copy while it is passed to the output; grown as needed, never shrunk. */
    private ByteBuffer scratch = ByteBuffer.allocate(2048);
    private long offered;
    private long delivered;
    private final long[] drops = new long[DropCause.values().length];
    private final long[] faults = new long[Fault.values().length];

    /**
     * Creates an injector in its initial state: empty queue, Gilbert–Elliott model in the good state.
     *
     * @param impairments what to apply
     * @param seed seeds every random decision of this injector
     */
    public FaultInjector(Impairments impairments, long seed) {
        this.impairments = Objects.requireNonNull(impairments, "impairments");
        this.random = new SplittableRandom(seed);
        this.queue = impairments.rateBitsPerSec() == 0 ? null : new RateQueue(
                impairments.rateBitsPerSec(), impairments.queueLimitPackets(), impairments.queueLimitBytes());
        this.tcpRules = impairments.hasTcpRules() ? new TcpLossRules(impairments) : null;
    }

    /** What this injector applies. */
    public Impairments impairments() {
        return impairments;
    }

    /**
     * Decides the fate of {@code packet} (position to limit) offered at {@code nowNs}, and tells
     * {@code out}. Leaves the buffer's bytes, position and limit as they were. Offer times must not
     * decrease; they may be negative (a real clock) but must not wrap.
     */
    public void offer(ByteBuffer packet, long nowNs, Output out) {
        offered++;
        int length = packet.remaining();
        long departNs = nowNs;
        if (queue != null) {
            departNs = queue.offer(length, nowNs);
            if (departNs == Long.MIN_VALUE) {
                drop(packet, DropCause.QUEUE_FULL, out);
                return;
            }
        }
        boolean lost = isLost();
        if (tcpRules != null) {
            lost = tcpRules.onOffer(packet, lost);
        }
        if (lost) {
            drop(packet, DropCause.LOSS, out);
            return;
        }
        boolean marked = ecnCapable(packet) && ((queue != null && impairments.ceThresholdPackets() > 0
                && queue.lastAhead() >= impairments.ceThresholdPackets()) | chance(impairments.ceProbability()));
        long arriveNs = Math.max(departNs + delayNs(), lastInOrderNs);
        lastInOrderNs = arriveNs;
        boolean reordered = chance(impairments.reorderProbability());
        if (reordered) {
            arriveNs += impairments.reorderDelayNs();
        }
        ByteBuffer source = marked ? markCe(packet) : packet;
        boolean corrupted = chance(impairments.corruptProbability()) && length > 0;
        ByteBuffer bytes = corrupted ? corrupt(source) : source;
        boolean duplicated = chance(impairments.duplicateProbability());
        if (reordered) {
            fault(bytes, Fault.REORDERED, out);
        }
        if (marked) {
            fault(bytes, Fault.CE_MARKED, out);
        }
        if (corrupted) {
            fault(bytes, Fault.CORRUPTED, out);
        }
        deliver(bytes, arriveNs, out);
        if (duplicated) {
            fault(bytes, Fault.DUPLICATED, out);
            deliver(bytes, arriveNs, out);
        }
    }

    /** Packets offered so far. */
    public long offered() {
        return offered;
    }

    /** Copies delivered so far, duplicates included. */
    public long delivered() {
        return delivered;
    }

    /** Packets dropped for {@code cause} so far. */
    public long dropped(DropCause cause) {
        return drops[cause.ordinal()];
    }

    /** Times {@code fault} was applied so far. */
    public long faulted(Fault fault) {
        return faults[fault.ordinal()];
    }

    private boolean isLost() {
        boolean lost = false;
        GilbertElliott ge = impairments.gilbertElliott();
        if (ge.isActive()) {
            lost = chance(inBadState ? ge.lossInBad() : ge.lossInGood());
            inBadState = inBadState ? !chance(ge.badToGood()) : chance(ge.goodToBad());
        }
        boolean lostAtRandom = chance(impairments.lossProbability());
        return lost || lostAtRandom;
    }

    /** Delay plus a jitter offset, never negative. */
    private long delayNs() {
        long jitterNs = impairments.jitterNs();
        if (jitterNs == 0) {
            return impairments.delayNs();
        }
        long offsetNs = switch (impairments.jitterDistribution()) {
            case UNIFORM -> random.nextLong(-jitterNs, jitterNs + 1);
            case NORMAL -> {
                double sigmas;
                do {
                    sigmas = random.nextGaussian();
                } while (Math.abs(sigmas) > 3);
                yield Math.round(sigmas * jitterNs / 3);
            }
        };
        return Math.max(0, impairments.delayNs() + offsetNs);
    }

    /** Whether {@code packet} is an IP packet whose ECN field says ECT(0) or ECT(1) (RFC 3168 §5). */
    private static boolean ecnCapable(ByteBuffer packet) {
        int p = packet.position();
        if (packet.remaining() < 20) {
            return false;
        }
        int version = (packet.get(p) & 0xFF) >>> 4;
        int ecn = version == 4 ? packet.get(p + 1) & 0b11 : version == 6 ? (packet.get(p + 1) >>> 4) & 0b11 : 0;
        return ecn == 0b01 || ecn == 0b10;
    }

    /** Copies {@code packet} into {@link #scratch} with the ECN field set to CE (0b11). */
    private ByteBuffer markCe(ByteBuffer packet) {
        ByteBuffer copy = copyToScratch(packet);
        if ((copy.get(0) & 0xF0) == 0x40) {
            copy.put(1, (byte) (copy.get(1) | 0b11));
            int headerLength = (copy.get(0) & 0x0F) * 4;
            if (headerLength >= 20 && headerLength <= copy.limit()) {
                copy.putShort(10, (short) 0);
                copy.putShort(10, (short) Checksum.finish(Checksum.sum(copy, 0, headerLength)));
            }
        } else {
            copy.put(1, (byte) (copy.get(1) | 0x30));
        }
        return copy;
    }

    private ByteBuffer copyToScratch(ByteBuffer packet) {
        int length = packet.remaining();
        if (scratch.capacity() < length) {
            scratch = ByteBuffer.allocate(Math.max(length, scratch.capacity() * 2));
        }
        if (packet != scratch) {
            scratch.clear().put(0, packet, packet.position(), length).limit(length);
        }
        return scratch;
    }

    /** Copies {@code packet} into {@link #scratch} and flips distinct bits of one random byte. */
    private ByteBuffer corrupt(ByteBuffer packet) {
        int length = packet.remaining();
        copyToScratch(packet);
        int index = random.nextInt(length);
        int mask = 0;
        while (Integer.bitCount(mask) < impairments.corruptBits()) {
            mask |= 1 << random.nextInt(8);
        }
        scratch.put(index, (byte) (scratch.get(index) ^ mask));
        return scratch;
    }

    private boolean chance(double p) {
        return p > 0 && (p >= 1 || random.nextDouble() < p);
    }

    private void deliver(ByteBuffer bytes, long arriveNs, Output out) {
        delivered++;
        out.onDeliver(bytes, arriveNs);
    }

    private void drop(ByteBuffer packet, DropCause cause, Output out) {
        drops[cause.ordinal()]++;
        out.onDrop(packet, cause);
    }

    private void fault(ByteBuffer bytes, Fault fault, Output out) {
        faults[fault.ordinal()]++;
        out.onFault(bytes, fault);
    }
}
