package dev.jtcp.stack;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.event.TimerKind;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpContext;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.tcp.TimeWaitEntry;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpPacket;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * TCP input: an arriving segment's header, checksum (MUST-3) and options are checked, then it goes
 * to whoever takes it (RFC 9293 §3.10.7): the connection of its 4-tuple, looked up in
 * the hashed {@link ConnectionTable} without allocating; else the TIME-WAIT record of that 4-tuple
 * (which may let a SYN open a new incarnation); else the listener on the destination address and
 * port; else nobody, and a RST answers (§3.10.7.1). It also keeps each connection's place in the
 * host's {@link TimerWheel} and the TIME-WAIT records' expiry.
 *
 * <p>Not thread-safe: the host's thread.
 */
final class TcpDemux {
    /** Runs the timer of a connection whose deadline the wheel reached. */
    static final TimerWheel.Expiry EXPIRY = (e, t) -> ((Slot) e).connection.onTimer(t);

    private final String hostName;
    private final TraceRelay trace;
    private final DropCounters drops;
    /** The host's addresses, for the source check. */
    private final Interfaces interfaces;
    /** The engine's view of the host, which TIME-WAIT records answer through. */
    private final TcpContext context;
    private final IpOutput output;
    private final TimerWheel wheel;
    /** Live connections (every state but TIME-WAIT) by 4-tuple; each slot is also a wheel entry. */
    private final ConnectionTable<Slot> connections = new ConnectionTable<>(64);
    /** TIME-WAIT records in expiry order: all last 2×MSL, and a restart moves an entry to the end. */
    private final LinkedHashMap<ConnectionKey, TimeWaitEntry> timeWait = new LinkedHashMap<>();
    private final List<TcpListener> listeners = new ArrayList<>();
    /** Flows to addresses not ours, when a forwarder's hook is installed; else null. */
    private AnyAddressFlows anyAddress;
    /** The RST for "no such connection", reused. */
    private final TcpSegment reply = new TcpSegment();
    // Reused on every segment.
    private final TcpPacket tcp = new TcpPacket();
    private final TcpSegment in = new TcpSegment();

    /** A connection's place in the host: its timer and its table entry. */
    private static final class Slot extends TimerWheel.Entry {
        final TcpConnection connection;

        Slot(TcpConnection connection) {
            this.connection = connection;
        }
    }

    TcpDemux(String hostName, TraceRelay trace, DropCounters drops, Interfaces interfaces, TcpContext context,
             IpOutput output, TimerWheel wheel) {
        this.hostName = Objects.requireNonNull(hostName);
        this.trace = Objects.requireNonNull(trace);
        this.drops = Objects.requireNonNull(drops);
        this.interfaces = Objects.requireNonNull(interfaces);
        this.context = Objects.requireNonNull(context);
        this.output = Objects.requireNonNull(output);
        this.wheel = Objects.requireNonNull(wheel);
    }

    // =================================================================================================
    // Lookups
    // =================================================================================================

    int connectionCount() {
        return connections.size();
    }

    /** A snapshot of the live connections (allocates). */
    List<TcpConnection> connections() {
        List<TcpConnection> list = new ArrayList<>();
        for (Slot s : connections.values()) {
            list.add(s.connection);
        }
        return list;
    }

    /** The connection of a 4-tuple given as address halves and ports, or null. Allocation-free. */
    TcpConnection connection(long localHi, long localLo, int localPort, long remoteHi, long remoteLo,
                             int remotePort) {
        Slot s = connections.get(localHi, localLo, localPort, remoteHi, remoteLo, remotePort);
        return s == null ? null : s.connection;
    }

    /** Whether a live connection has the 4-tuple {@code key}. */
    boolean hasConnection(ConnectionKey key) {
        return connections.get(key) != null;
    }

    int timeWaitCount() {
        return timeWait.size();
    }

    /** The TIME-WAIT record for a 4-tuple, or null. */
    TimeWaitEntry timeWait(ConnectionKey key) {
        return timeWait.get(key);
    }

    /** The TIME-WAIT records, in expiry order (a read-only view). */
    Collection<TimeWaitEntry> timeWaitEntries() {
        return Collections.unmodifiableCollection(timeWait.values());
    }

    /** The listeners, in the order they were added (a read-only view). */
    List<TcpListener> listeners() {
        return Collections.unmodifiableList(listeners);
    }

    void addListener(TcpListener l) {
        listeners.add(l);
    }

    void removeListener(TcpListener l) {
        listeners.remove(l);
    }

    void anyAddress(AnyAddressFlows flows) {
        this.anyAddress = flows;
    }

    // =================================================================================================
    // Arriving segments
    // =================================================================================================

    /**
     * A TCP segment arrived in {@code ip}, addressed to us: the header, checksum (MUST-3), options
     * and ports are checked, then {@link #dispatch} finds who takes it. Counted if dropped; traced
     * (when tracing) before the events it caused. With {@code verified} the link vouched for the
     * checksum and it is not summed again.
     */
    void onSegment(long nowNs, IpPacket ip, boolean verified) {
        ByteBuffer buf = ip.buffer();
        DropReason r = tcp.wrap(buf, ip.payloadOffset(), ip.payloadLength()).check();
        if (r == null && !verified && !tcp.verifyChecksum(ip.pseudoHeaderSum())) {
            r = DropReason.TCP_BAD_CHECKSUM;
        }
        if (r == null) {
            r = in.readFrom(tcp);
            in.tos = ip.tos();
        }
        if (r == null && (in.srcPort == 0 || in.dstPort == 0)) {
            r = DropReason.TCP_BAD_PORT;
        }
        if (r == null && interfaces.isUnusableSource(ip.srcHi(), ip.srcLo())) {
            r = DropReason.IP_BAD_SOURCE;
        }
        if (r != null) {
            drops.count(r);
            if (trace.isEnabled() && tcp.check() == null) {
                // The header is readable: show the segment itself as dropped, with the reason.
                traceSegment(nowNs, TraceEvent.Direction.DROPPED, ip.src(), ip.dst(), TcpHeader.of(tcp),
                        tcp.payloadLength(), r, null);
            } else if (trace.isEnabled()) {
                trace.direct.onEvent(new TraceEvent.PacketEvent(nowNs, hostName, TraceEvent.Direction.DROPPED,
                        ip.packetLength(), r, "bad TCP segment"));
            }
            return;
        }
        if (!trace.isEnabled()) {
            r = dispatch(nowNs, ip);
            if (r != null) {
                drops.count(r);
            }
            return;
        }
        TcpHeader header = TcpHeader.of(tcp);
        IpAddress src = ip.src();
        IpAddress dst = ip.dst();
        int payloadLength = in.payloadLength;
        List<TraceEvent> during = trace.hold();
        try {
            r = dispatch(nowNs, ip);
        } finally {
            trace.stopHolding();
        }
        if (r != null) {
            drops.count(r);
        }
        traceSegment(nowNs, r == null ? TraceEvent.Direction.RECEIVED : TraceEvent.Direction.DROPPED, src, dst,
                header, payloadLength, r, (in.tos & 0b11) == 0b11 ? "ECN: congestion experienced" : null);
        trace.replay(during);
    }

    private void traceSegment(long nowNs, TraceEvent.Direction dir, IpAddress src, IpAddress dst, TcpHeader h,
                              int payloadLength, DropReason reason, String note) {
        trace.direct.onEvent(new TraceEvent.SegmentEvent(nowNs, hostName, dir, src, dst, h, payloadLength, reason,
                note));
    }

    /** Hands {@link #in}, which arrived in {@code ip}, to whoever takes it; returns why it was dropped, or null. */
    private DropReason dispatch(long nowNs, IpPacket ip) {
        Slot slot = connections.get(ip.dstHi(), ip.dstLo(), in.dstPort, ip.srcHi(), ip.srcLo(), in.srcPort);
        if (slot != null) {
            return slot.connection.onSegment(nowNs, in);
        }
        IpAddress local = ip.dst();
        IpAddress remote = ip.src();
        boolean reopen = false;
        int isnFloor = 0;
        if (!timeWait.isEmpty()) {
            ConnectionKey key = new ConnectionKey(local, in.dstPort, remote, in.srcPort);
            TimeWaitEntry tw = timeWait.get(key);
            if (tw != null) {
                boolean listening = findListener(local, in.dstPort) != null;
                TimeWaitEntry.Verdict v = tw.onSegment(nowNs, in, context, reply, listening);
                switch (v) {
                    case HANDLED -> {
                        return in.isRst() ? DropReason.TCP_RST_NOT_ACCEPTED : null;
                    }
                    case RESTART_TIMER -> {
                        timeWait.remove(key);
                        timeWait.put(key, tw);
                        traceTimer(nowNs, key, TraceEvent.TimerAction.SET, tw.expiryNs());
                        return null;
                    }
                    case REOPEN -> {
                        timeWait.remove(key);
                        endTimeWait(nowNs, tw, "rcv SYN (new incarnation)");
                        reopen = true;
                        isnFloor = tw.isnFloor();
                    }
                }
            }
        }
        if (anyAddress != null && !interfaces.isLocal(ip.dstHi(), ip.dstLo())) {
            DropReason r = anyAddress.onSegment(nowNs, ip, in, reopen, isnFloor);
            if (AnyAddressFlows.answersWithReset(r)) {
                reset(nowNs, local, remote, r == DropReason.TCP_NO_CONNECTION ? "no such connection"
                        : "forwarded flow refused");
            }
            return r;
        }
        TcpListener l = findListener(local, in.dstPort);
        if (l != null) {
            return l.onSegment(nowNs, local, remote, in, reopen, isnFloor);
        }
        reset(nowNs, local, remote, "no such connection");
        return DropReason.TCP_NO_CONNECTION;
    }

    /** §3.10.7.1: no connection; answers {@link #in} with a RST unless it is one. */
    private void reset(long nowNs, IpAddress local, IpAddress remote, String note) {
        if (!in.isRst()) {
            reply.clear();
            reply.srcPort = in.dstPort;
            reply.dstPort = in.srcPort;
            if (in.isAck()) {
                reply.seq = in.ack;
                reply.flags = TcpFlags.RST;
            } else {
                reply.seq = 0;
                reply.ack = in.seq + in.seqLength();
                reply.flags = TcpFlags.RST | TcpFlags.ACK;
            }
            output.transmit(nowNs, local, remote, reply, note);
        }
    }

    /**
     * The listener for a SYN to {@code dst}:{@code port}: one bound to that address, else a
     * wildcard one. A wildcard listener (0.0.0.0 or ::) accepts both families, like a dual-stack
     * socket.
     */
    private TcpListener findListener(IpAddress dst, int port) {
        TcpListener wildcard = null;
        for (TcpListener l : listeners) {
            if (l.port() != port || l.state() != TcpState.LISTEN) {
                continue;
            }
            if (l.localAddress().equals(dst)) {
                return l;
            }
            if (l.localAddress().isUnspecified()) {
                wildcard = l;
            }
        }
        return wildcard;
    }

    // =================================================================================================
    // The engine's table notifications and timers
    // =================================================================================================

    /** See {@link TcpContext#register}: a newer connection on the same 4-tuple replaces the old one. */
    void register(TcpConnection connection) {
        Slot s = new Slot(connection);
        Slot old = connections.put(connection.key(), s);
        if (old != null) {
            wheel.schedule(old, Long.MAX_VALUE);
        }
    }

    void schedule(TcpConnection connection, long deadlineNs) {
        Slot s = connections.get(connection.key());
        if (s != null && s.connection == connection) {
            wheel.schedule(s, deadlineNs);
        }
    }

    /** The connection entered TIME-WAIT: its slot gives way to a small record lasting 2×MSL. */
    void onTimeWait(TcpConnection connection, long nowNs, long timeWaitNs) {
        if (anyAddress != null) {
            anyAddress.onGone(connection.key());
        }
        Slot s = connections.remove(connection.key());
        if (s != null) {
            wheel.schedule(s, Long.MAX_VALUE);
        }
        TimeWaitEntry tw = TimeWaitEntry.of(connection, nowNs, timeWaitNs);
        timeWait.remove(connection.key());
        timeWait.put(connection.key(), tw);
        traceTimer(nowNs, connection.key(), TraceEvent.TimerAction.SET, tw.expiryNs());
    }

    void onClosed(TcpConnection connection) {
        if (anyAddress != null) {
            anyAddress.onGone(connection.key());
        }
        Slot s = connections.get(connection.key());
        if (s != null && s.connection == connection) {
            connections.remove(connection.key());
            wheel.schedule(s, Long.MAX_VALUE);
        }
    }

    /** The earliest TIME-WAIT expiry, or {@link Long#MAX_VALUE} if there is none. */
    long nextTimeWaitExpiryNs() {
        return timeWait.isEmpty() ? Long.MAX_VALUE : timeWait.firstEntry().getValue().expiryNs();
    }

    /** Ends every TIME-WAIT record due by {@code nowNs}. */
    void expireTimeWait(long nowNs) {
        Iterator<TimeWaitEntry> it = timeWait.values().iterator();
        while (it.hasNext()) {
            TimeWaitEntry tw = it.next();
            if (tw.expiryNs() > nowNs) {
                break;
            }
            it.remove();
            if (trace.isEnabled()) {
                trace.direct.onEvent(new TraceEvent.TimerEvent(nowNs, hostName, tw.key(), TimerKind.TIME_WAIT,
                        TraceEvent.TimerAction.FIRED, tw.expiryNs()));
            }
            endTimeWait(nowNs, tw, "2MSL timeout");
        }
    }

    private void endTimeWait(long nowNs, TimeWaitEntry tw, String cause) {
        tw.onExpired();
        if (trace.isEnabled()) {
            trace.direct.onEvent(new TraceEvent.StateEvent(nowNs, hostName, tw.key(), TcpState.TIME_WAIT,
                    TcpState.CLOSED, cause));
        }
    }

    private void traceTimer(long nowNs, ConnectionKey key, TraceEvent.TimerAction action, long deadlineNs) {
        if (trace.isEnabled()) {
            trace.engine.onEvent(new TraceEvent.TimerEvent(nowNs, hostName, key, TimerKind.TIME_WAIT, action,
                    deadlineNs));
        }
    }
}
