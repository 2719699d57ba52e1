package dev.jtcp.stack;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * UDP "flows" to addresses the host does not own, for an {@link AnyAddressAcceptor}: one session
 * per 5-tuple (client address and port, original destination address and port; the key's local
 * side is the destination), bounded by {@code maxSessions}, each ended after {@code idleNs}
 * without a datagram in either direction. The idle timer of a session is an entry of the host's
 * {@link TimerWheel}, set once per idle period: a datagram only notes its time, and when the timer
 * fires it either moves to {@code last datagram + idleNs} or ends the session and tells the
 * acceptor ({@link AnyAddressAcceptor#onUdpSessionEnded}). No scan, no thread, and no wheel work
 * (nor the wheel's overflow records, for timeouts beyond its span) per datagram.
 *
 * <p>Past the limit, a datagram that would open a new session is dropped ({@code FORWARD_LIMIT}),
 * as a NAT with a full table does; the sessions that exist keep working. Lookups by 5-tuple
 * allocate nothing ({@link ConnectionTable}); only a new session allocates.
 *
 * <p>Not thread-safe: the host's thread.
 */
final class UdpSessions {
    /** One session: its key and its idle timer in the wheel. */
    static final class Session extends TimerWheel.Entry {
        final ConnectionKey key;
        final UdpSessions owner;
        /** When the last datagram went either way. */
        long lastNs;

        Session(ConnectionKey key, UdpSessions owner) {
            this.key = key;
            this.owner = owner;
        }
    }

    private final AnyAddressAcceptor acceptor;
    private final TimerWheel wheel;
    private final int maxSessions;
    private final long idleNs;
    private final ConnectionTable<Session> sessions = new ConnectionTable<>(64);

    UdpSessions(AnyAddressAcceptor acceptor, TimerWheel wheel, int maxSessions, long idleNs) {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1, got " + maxSessions);
        }
        if (idleNs <= 0) {
            throw new IllegalArgumentException("the UDP idle timeout must be positive, got " + idleNs + " ns");
        }
        this.acceptor = Objects.requireNonNull(acceptor);
        this.wheel = Objects.requireNonNull(wheel);
        this.maxSessions = maxSessions;
        this.idleNs = idleNs;
    }

    int size() {
        return sessions.size();
    }

    long idleNs() {
        return idleNs;
    }

    /**
     * A datagram from {@code src}:{@code srcPort} to {@code dst}:{@code dstPort} (not ours): finds
     * or opens its session, restarts its idle timer and hands the datagram to the acceptor.
     *
     * @return null when taken, else why dropped: the table is full, or the acceptor declined it
     */
    DropReason onDatagram(long nowNs, IpAddress dst, int dstPort, IpAddress src, int srcPort, ByteBuffer buf,
                       int offset, int length) {
        Session s = sessions.get(dst.hi(), dst.lo(), dstPort, src.hi(), src.lo(), srcPort);
        if (s == null) {
            if (sessions.size() >= maxSessions) {
                return DropReason.FORWARD_LIMIT;
            }
            s = new Session(new ConnectionKey(dst, dstPort, src, srcPort), this);
            sessions.put(s.key, s);
            wheel.schedule(s, nowNs + idleNs);
        }
        s.lastNs = nowNs;
        return acceptor.onDatagram(nowNs, dst, dstPort, src, srcPort, buf, offset, length) ? null
                : DropReason.UDP_NO_SOCKET;
    }

    /** A reply went out from {@code local}:{@code localPort} to {@code remote}:{@code remotePort}: the session lives on. */
    void onSent(long nowNs, IpAddress local, int localPort, IpAddress remote, int remotePort) {
        Session s = sessions.get(local.hi(), local.lo(), localPort, remote.hi(), remote.lo(), remotePort);
        if (s != null) {
            s.lastNs = nowNs;
        }
    }

    /** The idle timer fired: the session ends, or its timer moves on if a datagram came since. */
    void expire(Session s, long nowNs) {
        if (nowNs - s.lastNs < idleNs) {
            wheel.schedule(s, s.lastNs + idleNs);
        } else if (sessions.get(s.key) == s) {
            sessions.remove(s.key);
            acceptor.onUdpSessionEnded(nowNs, s.key);
        }
    }

    /** Ends {@code key}'s session now (the acceptor gave up on it); returns whether there was one. */
    boolean end(ConnectionKey key) {
        Session s = sessions.get(key);
        if (s == null) {
            return false;
        }
        sessions.remove(key);
        wheel.schedule(s, Long.MAX_VALUE);
        return true;
    }
}
