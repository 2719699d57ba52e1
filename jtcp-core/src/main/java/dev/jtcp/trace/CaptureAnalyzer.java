package dev.jtcp.trace;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.pcap.CaptureReader;
import dev.jtcp.pcap.CapturedPacket;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpPacket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Reads a capture and reconstructs every TCP connection in it: endpoints, duration, bytes each way,
 * how it opened and closed, the states each endpoint must have gone through, and anomalies (see
 * {@link ConnectionReport}). A 4-tuple used again by a new SYN after its connection ended becomes a
 * new connection, flagged as TIME-WAIT reuse if that came within {@link #TIME_WAIT_NS}.
 *
 * <p>Bad input is reported and skipped, never thrown: what the {@link CaptureReader} skips
 * (unknown link types, truncated files, garbage), and what this class skips (non-TCP packets, IP
 * fragments, unreadable IP headers, TCP headers cut short by the capture's snap length) are counted
 * by reason. A packet cut short by the snap length after its TCP header is still analysed, with its
 * payload length taken from the IP header.
 *
 * <p>The per-packet path allocates nothing for packets of known connections (one reused lookup key,
 * reused views), so it runs at millions of packets a second; asking for one connection's events
 * ({@code collect}) costs allocation for that connection only.
 *
 * <p>Not thread-safe; one analysis per instance.
 */
public final class CaptureAnalyzer {
    /** Linux keeps TIME-WAIT for 60 s; a new SYN on the same 4-tuple within that is reported as reuse. */
    public static final long TIME_WAIT_NS = 60_000_000_000L;
    private static final int PROGRESS_EVERY = 1 << 16;

    /**
     * The outcome.
     *
     * @param packets     packet records read
     * @param tcpPackets  packets analysed as TCP
     * @param connections one report per connection, in order of first packet
     * @param skipped     packets (or file damage) skipped, by reason, in a stable order
     * @param collected   the events of the connection asked for (segments as sent and received at the
     *                    capture's time, and the inferred state changes), or empty
     * @param startNs     the time stamp of the capture's first packet (0 if none), from which
     *                    connections' start times count, as in Wireshark
     */
    public record Analysis(long packets, long tcpPackets, List<ConnectionReport> connections,
                           Map<String, Long> skipped, List<TraceEvent> collected, long startNs) {
        /** One line: packets, connections, and what was skipped and why. */
        public String summary() {
            StringBuilder sb = new StringBuilder();
            sb.append(packets).append(" packets, ").append(tcpPackets).append(" TCP in ").append(connections.size())
                    .append(connections.size() == 1 ? " connection" : " connections");
            if (skipped.isEmpty()) {
                sb.append("; nothing skipped");
            } else {
                sb.append("; skipped: ");
                boolean first = true;
                for (Map.Entry<String, Long> e : skipped.entrySet()) {
                    sb.append(first ? "" : ", ").append(e.getValue()).append(' ').append(e.getKey());
                    first = false;
                }
            }
            return sb.toString();
        }
    }

    /** A connection's identity regardless of direction: the two endpoints in a fixed order. Mutable for lookups. */
    private static final class FlowKey {
        long hi1;
        long lo1;
        int port1;
        long hi2;
        long lo2;
        int port2;

        void set(long sHi, long sLo, int sPort, long dHi, long dLo, int dPort) {
            boolean ordered = sHi != dHi ? Long.compareUnsigned(sHi, dHi) < 0
                    : sLo != dLo ? Long.compareUnsigned(sLo, dLo) < 0 : sPort <= dPort;
            if (ordered) {
                hi1 = sHi;
                lo1 = sLo;
                port1 = sPort;
                hi2 = dHi;
                lo2 = dLo;
                port2 = dPort;
            } else {
                hi1 = dHi;
                lo1 = dLo;
                port1 = dPort;
                hi2 = sHi;
                lo2 = sLo;
                port2 = sPort;
            }
        }

        FlowKey copy() {
            FlowKey k = new FlowKey();
            k.hi1 = hi1;
            k.lo1 = lo1;
            k.port1 = port1;
            k.hi2 = hi2;
            k.lo2 = lo2;
            k.port2 = port2;
            return k;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FlowKey k && k.lo1 == lo1 && k.lo2 == lo2 && k.port1 == port1 && k.port2 == port2
                    && k.hi1 == hi1 && k.hi2 == hi2;
        }

        @Override
        public int hashCode() {
            long h = lo1 * 0x9E3779B97F4A7C15L + lo2;
            h = h * 31 + hi1 + hi2 * 17;
            h = h * 0x9E3779B97F4A7C15L + ((long) port1 << 16 | port2);
            return (int) (h ^ (h >>> 32));
        }
    }

    /** A flow and the endpoint it calls "a". */
    private static final class Entry {
        final TcpFlow flow;
        final long aHi;
        final long aLo;
        final int aPort;

        Entry(TcpFlow flow, long aHi, long aLo, int aPort) {
            this.flow = flow;
            this.aHi = aHi;
            this.aLo = aLo;
            this.aPort = aPort;
        }
    }

    private final int collect;
    private final LongConsumer progress;
    private final Map<FlowKey, Entry> table = new HashMap<>();
    private final List<TcpFlow> flows = new ArrayList<>();
    private final FlowKey probe = new FlowKey();
    private final IpPacket ip = new IpPacket();
    private final TcpPacket tcp = new TcpPacket();
    private final Map<String, Long> skipped = new LinkedHashMap<>();
    private final List<TraceEvent> collected = new ArrayList<>();
    private long packets;
    private long tcpPackets;
    /** The first packet's time stamp. */
    private long startNs;

    private CaptureAnalyzer(int collect, LongConsumer progress) {
        this.collect = collect;
        this.progress = progress;
    }

    /** Analyses every packet {@code reader} yields. */
    public static Analysis analyze(CaptureReader reader) throws IOException {
        return analyze(reader, NONE, n -> {});
    }

    /** For {@link #analyze(CaptureReader, int, LongConsumer)}: collect no connection's events. */
    public static final int NONE = -1;

    /**
     * Analyses every packet, keeping the events of connection {@code collect} (numbered from 0 like
     * Wireshark's {@code tcp.stream}; {@link #NONE} for none),
     * and calling {@code progress} with the packet count every 65,536 packets.
     *
     * @throws IOException only if reading the underlying file fails
     */
    public static Analysis analyze(CaptureReader reader, int collect, LongConsumer progress) throws IOException {
        CaptureAnalyzer a = new CaptureAnalyzer(collect, progress);
        CapturedPacket packet = new CapturedPacket();
        while (reader.next(packet)) {
            a.onPacket(packet);
        }
        reader.skipped().forEach((reason, count) -> a.skip(reason.endsReading()
                ? reason.description() + " (reading stopped there)" : reason.description(), count));
        return a.finish();
    }

    private void skip(String reason, long count) {
        skipped.merge(reason, count, Long::sum);
    }

    private void onPacket(CapturedPacket packet) {
        if (packets == 0) {
            startNs = packet.timestampNs();
        }
        packets++;
        if ((packets & (PROGRESS_EVERY - 1)) == 0) {
            progress.accept(packets);
        }
        if (!packet.isIp()) {
            return;
        }
        ByteBuffer buf = packet.ip();
        int start = buf.position();
        int captured = buf.remaining();
        int tcpOffset;
        int tcpCaptured;
        int tcpWireLength;
        if (ip.wrap(buf, start, captured).check() == null) {
            if (ip.protocol() != IpProtocol.TCP) {
                skip("non-TCP (" + protocolName(ip.protocol()) + ")", 1);
                return;
            }
            srcHi = ip.srcHi();
            srcLo = ip.srcLo();
            dstHi = ip.dstHi();
            dstLo = ip.dstLo();
            tcpOffset = ip.payloadOffset();
            tcpCaptured = ip.payloadLength();
            tcpWireLength = tcpCaptured;
        } else if (captured >= 20) {
            int[] header = lenientIp(buf, start, captured);
            if (header == null) {
                return;
            }
            tcpOffset = header[0];
            tcpCaptured = start + captured - tcpOffset;
            tcpWireLength = packet.isTruncated() ? header[1] : Math.min(header[1], tcpCaptured);
            if (!packet.isTruncated()) {
                skip("packets with a damaged IP header (TCP analysed)", 1);
            }
        } else {
            skip("unreadable IP headers", 1);
            return;
        }
        if (tcp.wrap(buf, tcpOffset, tcpCaptured).check() != null) {
            skip(packet.isTruncated() ? "TCP headers cut short by the snap length" : "malformed TCP headers", 1);
            return;
        }
        if (packet.isTruncated()) {
            skip("packets cut short by the snap length (headers analysed)", 1);
        }
        tcpPackets++;
        int payload = Math.max(0, tcpWireLength - tcp.headerLength());
        onTcp(packet.timestampNs(), payload);
    }

    /**
     * The TCP offset and on-the-wire TCP length of a packet the IP view refused (a snap-length cut
     * makes its length fields reach past the captured bytes; offloading leaves a bad header checksum),
     * read leniently from its IPv4 or IPv6 header; null, counted as skipped, if it is a fragment, not
     * TCP, or not readable. Sets the address fields.
     */
    private int[] lenientIp(ByteBuffer buf, int start, int captured) {
        int version = (buf.get(start) & 0xFF) >>> 4;
        if (version == 4) {
            int ihl = (buf.get(start) & 0x0F) * 4;
            if (ihl < 20 || ihl > captured) {
                skip("unreadable IP headers", 1);
                return null;
            }
            if ((buf.getShort(start + 6) & 0x3FFF) != 0) {
                skip("IP fragments", 1);
                return null;
            }
            if ((buf.get(start + 9) & 0xFF) != IpProtocol.TCP) {
                skip("non-TCP (" + protocolName(buf.get(start + 9) & 0xFF) + ")", 1);
                return null;
            }
            long v4 = 0x0000_FFFF_0000_0000L;
            srcHi = 0;
            srcLo = v4 | (buf.getInt(start + 12) & 0xFFFF_FFFFL);
            dstHi = 0;
            dstLo = v4 | (buf.getInt(start + 16) & 0xFFFF_FFFFL);
            return new int[] {start + ihl, (buf.getShort(start + 2) & 0xFFFF) - ihl};
        }
        if (version == 6 && captured >= 40) {
            if ((buf.get(start + 6) & 0xFF) != IpProtocol.TCP) {
                skip("non-TCP (" + protocolName(buf.get(start + 6) & 0xFF) + ")", 1);
                return null;
            }
            srcHi = buf.getLong(start + 8);
            srcLo = buf.getLong(start + 16);
            dstHi = buf.getLong(start + 24);
            dstLo = buf.getLong(start + 32);
            return new int[] {start + 40, buf.getShort(start + 4) & 0xFFFF};
        }
        skip("unreadable IP headers", 1);
        return null;
    }

    /** The current packet's addresses as 128-bit values (IPv4 v4-mapped), set by either parse path. */
    private long srcHi;
    private long srcLo;
    private long dstHi;
    private long dstLo;

    private static String protocolName(int protocol) {
        return switch (protocol) {
            case IpProtocol.ICMP -> "ICMP";
            case IpProtocol.UDP -> "UDP";
            case IpProtocol.ICMPV6 -> "ICMPv6";
            default -> "protocol " + protocol;
        };
    }

    private void onTcp(long nowNs, int payload) {
        long sHi = srcHi;
        long sLo = srcLo;
        long dHi = dstHi;
        long dLo = dstLo;
        int sPort = tcp.srcPort();
        int dPort = tcp.dstPort();
        int flags = tcp.flags();
        probe.set(sHi, sLo, sPort, dHi, dLo, dPort);
        Entry e = table.get(probe);
        boolean bareSyn = (flags & (TcpFlags.SYN | TcpFlags.ACK | TcpFlags.RST)) == TcpFlags.SYN;
        if (e != null && bareSyn && e.flow.isFinished()) {
            boolean fromA = sHi == e.aHi && sLo == e.aLo && sPort == e.aPort;
            if (!(e.flow.synSentBy(fromA) && e.flow.synSeqOf(fromA) == tcp.seq())) {
                TcpFlow old = e.flow;
                e = newFlow(sHi, sLo, sPort, dHi, dLo, dPort, nowNs, flags);
                long since = nowNs - old.finishedNs();
                if (old.closedByFins() && since < TIME_WAIT_NS) {
                    e.flow.reuseNote = "TIME-WAIT reuse: new SYN " + TerminalLadder.duration(since)
                            + " after connection #" + old.id + " on the same ports closed";
                }
            }
        } else if (e == null) {
            e = newFlow(sHi, sLo, sPort, dHi, dLo, dPort, nowNs, flags);
        }
        boolean fromA = sHi == e.aHi && sLo == e.aLo && sPort == e.aPort;
        TcpFlow f = e.flow;
        String note = f.onSegment(fromA, nowNs, tcp.seq(), tcp.ack(), flags, tcp.window(), payload);
        if (f.id == collect) {
            IpAddress src = address(sHi, sLo);
            IpAddress dst = address(dHi, dLo);
            TcpHeader h = TcpHeader.of(tcp);
            String from = fromA ? f.a.name : f.b.name;
            String to = fromA ? f.b.name : f.a.name;
            // What the sender did in sending (SYN-SENT, FIN-WAIT-1...) comes before the segment; what
            // it learnt earlier, and what the receiver did, after.
            f.fresh.removeIf(t -> {
                boolean bySending = t.bySending();
                if (bySending) {
                    collected.add(stateEvent(f, t));
                }
                return bySending;
            });
            collected.add(new TraceEvent.SegmentEvent(nowNs, from, TraceEvent.Direction.SENT, src, dst, h, payload,
                    null, note));
            collected.add(new TraceEvent.SegmentEvent(nowNs, to, TraceEvent.Direction.RECEIVED, src, dst, h, payload,
                    null, null));
            drainTransitions(f);
        } else {
            f.fresh.clear();
        }
    }

    private Entry newFlow(long sHi, long sLo, int sPort, long dHi, long dLo, int dPort, long nowNs, int flags) {
        boolean synAck = (flags & (TcpFlags.SYN | TcpFlags.ACK)) == (TcpFlags.SYN | TcpFlags.ACK);
        long aHi = synAck ? dHi : sHi;
        long aLo = synAck ? dLo : sLo;
        int aPort = synAck ? dPort : sPort;
        long bHi = synAck ? sHi : dHi;
        long bLo = synAck ? sLo : dLo;
        int bPort = synAck ? sPort : dPort;
        TcpFlow flow = new TcpFlow(flows.size(), ConnectionKey.endpoint(address(aHi, aLo), aPort),
                ConnectionKey.endpoint(address(bHi, bLo), bPort), nowNs, flags);
        flows.add(flow);
        Entry e = new Entry(flow, aHi, aLo, aPort);
        table.put(probe.copy(), e);
        if (flow.id == collect) {
            ConnectionKey ka = new ConnectionKey(address(aHi, aLo), aPort, address(bHi, bLo), bPort);
            for (TcpFlow.Side side : List.of(flow.a, flow.b)) {
                if (side.state != null) {
                    collected.add(new TraceEvent.StateEvent(nowNs, side.name, side == flow.a ? ka : ka.reversed(),
                            side.state, side.state, "assumed: the capture began mid-stream"));
                }
            }
            keyOfCollected = ka;
        }
        return e;
    }

    private ConnectionKey keyOfCollected;

    private void drainTransitions(TcpFlow f) {
        for (TcpFlow.Transition t : f.fresh) {
            collected.add(stateEvent(f, t));
        }
        f.fresh.clear();
    }

    private TraceEvent.StateEvent stateEvent(TcpFlow f, TcpFlow.Transition t) {
        return new TraceEvent.StateEvent(t.timeNs(), t.ofA() ? f.a.name : f.b.name,
                t.ofA() ? keyOfCollected : keyOfCollected.reversed(), t.from() == null ? TcpState.CLOSED : t.from(),
                t.to(), t.cause());
    }

    private static IpAddress address(long hi, long lo) {
        return new IpAddress(hi, lo);
    }

    private Analysis finish() {
        List<ConnectionReport> reports = new ArrayList<>(flows.size());
        for (TcpFlow f : flows) {
            f.flush();
            if (f.id == collect) {
                drainTransitions(f);
            } else {
                f.fresh.clear();
            }
            reports.add(f.report());
        }
        List<TraceEvent> events = new ArrayList<>(collected);
        events.sort(Comparator.comparingLong(TraceEvent::timeNs));
        return new Analysis(packets, tcpPackets, reports, skipped, events, startNs);
    }
}
