package dev.jtcp.link.sim;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import dev.jtcp.link.impair.DropCause;
import dev.jtcp.link.impair.Fault;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpPacket;
import java.nio.ByteBuffer;

/**
 * Tells a {@link Tracer} what the simulated network itself did, which no host can see: a packet
 * lost on a link or dropped by a router becomes a {@link TraceEvent.SegmentEvent} with direction
 * {@link TraceEvent.Direction#LOST} (its TCP header parsed from the lost bytes), so a ladder diagram
 * can draw an arrow that stops midway; a duplicated, corrupted or reordered packet becomes a {@link
 * TraceEvent.NoteEvent}. A corrupted packet still reaches its receiver, which reports it as dropped
 * for its bad checksum.
 *
 * <p>The event's host is the node whose port dropped the packet: the sender for link losses, the
 * router for {@link DropCause#NO_ROUTE}. Packets that are not TCP become {@link
 * TraceEvent.PacketEvent}s.
 *
 * <p>Not thread-safe: called on the simulator's thread. Builds nothing when the tracer is disabled.
 */
public final class LinkTracer implements SimTap {
    private final Tracer tracer;
    private final IpPacket ip = new IpPacket();
    private final TcpPacket tcp = new TcpPacket();

    public LinkTracer(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public void onDrop(long nowNs, SimPort port, ByteBuffer packet, DropCause cause) {
        if (!tracer.isEnabled()) {
            return;
        }
        String where = switch (cause) {
            case LOSS -> "lost on " + port.link();
            case QUEUE_FULL -> "queue full on " + port.link();
            case NO_ROUTE -> "no route at " + port.node();
            case NOT_IP -> "not IP, dropped at " + port.node();
        };
        String node = port.node().toString();
        if (parseTcp(packet)) {
            tracer.onEvent(new TraceEvent.SegmentEvent(nowNs, node, TraceEvent.Direction.LOST, ip.src(), ip.dst(),
                    TcpHeader.of(tcp), tcp.payloadLength(), null, where));
        } else {
            tracer.onEvent(new TraceEvent.PacketEvent(nowNs, node, TraceEvent.Direction.LOST, packet.remaining(), null,
                    where));
        }
    }

    @Override
    public void onFault(long nowNs, SimPort from, ByteBuffer packet, Fault fault) {
        if (!tracer.isEnabled()) {
            return;
        }
        String what = switch (fault) {
            case DUPLICATED -> "duplicated";
            case CORRUPTED -> "corrupted";
            case REORDERED -> "held back (reordered)";
            case CE_MARKED -> "marked CE (congestion experienced)";
        };
        String segment = parseTcp(packet) ? " " + TcpFlags.names(tcp.flags()) + " seq " + SeqNum.toString(tcp.seq())
                + " len " + tcp.payloadLength() : " a packet";
        tracer.onEvent(new TraceEvent.NoteEvent(nowNs, "network", from.link() + " " + what + segment + " from "
                + from.node()));
    }

    /** Positions {@link #ip} and {@link #tcp} on the packet; false if it is not a readable TCP segment. */
    private boolean parseTcp(ByteBuffer packet) {
        if (ip.wrap(packet, packet.position(), packet.remaining()).check() != null || ip.protocol() != IpProtocol.TCP) {
            return false;
        }
        return tcp.wrap(ip.buffer(), ip.payloadOffset(), ip.payloadLength()).check() == null;
    }
}
