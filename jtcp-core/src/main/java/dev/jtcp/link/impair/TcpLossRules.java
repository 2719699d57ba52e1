package dev.jtcp.link.impair;

import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The deterministic, TCP-aware loss rules of {@link Impairments}: {@code relose} (a data segment
 * this link lost is lost again when resent, so the sender's first retransmission of it is lost
 * too) and {@code tail} (the first transmission of the last segments before every multiple of a
 * period of a stream's bytes is lost). They read the IP and TCP headers of what is offered, draw no
 * random numbers, and keep a little state per flow (the stream's first sequence number, the end of
 * the data sent so far, and the ranges lost recently): bounded arrays allocated once per flow, so
 * a segment costs no allocation. Anything that is not TCP, or carries no data, passes untouched.
 *
 * <p>Thread-safety: not thread-safe; owned by one {@link FaultInjector}.
 */
final class TcpLossRules {
    /** Lost ranges remembered per flow, the oldest forgotten first. */
    static final int REMEMBERED = 256;

    /** What the rules know of one direction of one connection. */
    private static final class Flow {
        /** The SYN's sequence number (the stream's byte 0 is the one after it); valid when {@link #haveIsn}. */
        int isn;
        boolean haveIsn;
        /** The end of the data sent so far (SND.MAX as the link sees it); valid when {@link #haveEnd}. */
        int maxEnd;
        boolean haveEnd;
        /** The largest payload seen: the segment size the tail rule counts in. */
        int largest;
        /** Ring of the ranges lost: start, end, and how many times each was lost. */
        final int[] lostStart = new int[REMEMBERED];
        final int[] lostEnd = new int[REMEMBERED];
        final int[] lostTimes = new int[REMEMBERED];
        int lostCount;
        int lostNext;
    }

    private final int reloseCount;
    private final int tailSegments;
    private final long tailPeriodBytes;
    private final IpPacket ip = new IpPacket();
    private final TcpPacket tcp = new TcpPacket();
    private final Map<Long, Flow> flows = new HashMap<>();
    /** The flow of the last packet and its key: a bulk transfer finds its flow without boxing a key. */
    private Flow lastFlow;
    private long lastKey;

    TcpLossRules(Impairments impairments) {
        this.reloseCount = impairments.reloseCount();
        this.tailSegments = impairments.tailSegments();
        this.tailPeriodBytes = impairments.tailPeriodBytes();
    }

    /**
     * Decides one offered packet (position to limit; not modified).
     *
     * @param lost whether the random causes already lost it; a lost data segment is remembered for
     *             {@code relose}
     * @return whether the packet is lost
     */
    boolean onOffer(ByteBuffer packet, boolean lost) {
        if (ip.wrap(packet, packet.position(), packet.remaining()).check() != null || ip.protocol() != IpProtocol.TCP
                || tcp.wrap(packet, ip.payloadOffset(), ip.payloadLength()).check() != null) {
            return lost;
        }
        Flow flow = flow();
        if ((tcp.flags() & TcpFlags.SYN) != 0) {
            flow.isn = tcp.seq();
            flow.haveIsn = true;
            flow.maxEnd = tcp.seq() + 1;
            flow.haveEnd = true;
        }
        int length = tcp.payloadLength();
        if (length == 0) {
            return lost;
        }
        int start = tcp.seq();
        int end = start + length;
        flow.largest = Math.max(flow.largest, length);
        boolean firstTransmission = !flow.haveEnd || SeqNum.gt(end, flow.maxEnd);
        if (firstTransmission) {
            flow.maxEnd = end;
            flow.haveEnd = true;
        }
        if (lost) {
            remember(flow, start, end);
            return true;
        }
        if (reloseCount > 0 && loseAgain(flow, start, end)) {
            return true;
        }
        if (tailSegments > 0 && firstTransmission && flow.haveIsn && isTail(flow, end)) {
            remember(flow, start, end);
            return true;
        }
        return false;
    }

    /** The segment overlaps a range lost fewer than {@code 1 + relose} times: lost once more. */
    private boolean loseAgain(Flow flow, int start, int end) {
        for (int i = 0; i < flow.lostCount; i++) {
            if (SeqNum.lt(start, flow.lostEnd[i]) && SeqNum.gt(end, flow.lostStart[i])
                    && flow.lostTimes[i] <= reloseCount) {
                flow.lostTimes[i]++;
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a segment ending at {@code end} is one of the last {@code tailSegments} before the next
     * multiple of the period: it ends within {@code tailSegments − 1} full segments of it.
     */
    private boolean isTail(Flow flow, int end) {
        long offset = Integer.toUnsignedLong(SeqNum.diff(end, flow.isn + 1));
        long boundary = Math.ceilDiv(offset, tailPeriodBytes) * tailPeriodBytes;
        return boundary - offset <= (long) (tailSegments - 1) * flow.largest;
    }

    private static void remember(Flow flow, int start, int end) {
        for (int i = 0; i < flow.lostCount; i++) {
            if (flow.lostStart[i] == start && flow.lostEnd[i] == end) {
                return;
            }
        }
        int i = flow.lostNext;
        flow.lostStart[i] = start;
        flow.lostEnd[i] = end;
        flow.lostTimes[i] = 1;
        flow.lostNext = (i + 1) % REMEMBERED;
        flow.lostCount = Math.min(flow.lostCount + 1, REMEMBERED);
    }

    /** The state of the packet's flow (source and destination address and port), created on first sight. */
    private Flow flow() {
        long key = ip.srcHi() * 31 + ip.srcLo();
        key = key * 31 + ip.dstHi();
        key = key * 31 + ip.dstLo();
        key = key * 31 + ((long) tcp.srcPort() << 16 | tcp.dstPort());
        if (lastFlow != null && key == lastKey) {
            return lastFlow;
        }
        Flow flow = flows.computeIfAbsent(key, k -> new Flow());
        lastFlow = flow;
        lastKey = key;
        return flow;
    }
}
