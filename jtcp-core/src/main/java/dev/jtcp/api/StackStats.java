package dev.jtcp.api;

import dev.jtcp.event.TcpState;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.wire.DropReason;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The counters of a running stack at one moment, taken on its loop thread ({@link NetStack#stats()}):
 * connections by RFC 9293 state, the listeners' SYN and accept queues, SYN cookies, TIME-WAIT
 * records, challenge ACKs held back and packets dropped by reason. Immutable.
 *
 * @param connections       live connections by state (TIME-WAIT records are counted apart)
 * @param timeWaitRecords   compact TIME-WAIT records
 * @param listeners         listening sockets
 * @param synQueue          half-open connections (SYN-RECEIVED) over every listener
 * @param acceptQueue       connections established but not yet accepted, over every listener
 * @param cookiesSent       SYN cookies sent, over every open listener
 * @param cookiesAccepted   connections rebuilt from a returned cookie, over every open listener
 * @param synsDropped       SYNs dropped by the open listeners (queues full, cookies off)
 * @param challengeAcksHeld challenge ACKs the host-wide budget held back (RFC 5961 §7)
 * @param drops             packets dropped by the host, by reason (only reasons seen)
 */
public record StackStats(
        Map<TcpState, Integer> connections,
        int timeWaitRecords,
        int listeners,
        int synQueue,
        int acceptQueue,
        long cookiesSent,
        long cookiesAccepted,
        long synsDropped,
        long challengeAcksHeld,
        Map<DropReason, Long> drops) {

    /** Copies the maps, so that the record stays immutable whatever the caller does with them. */
    public StackStats {
        Map<TcpState, Integer> copy = new EnumMap<>(TcpState.class);
        copy.putAll(connections);
        connections = Collections.unmodifiableMap(copy);
        drops = Collections.unmodifiableMap(new LinkedHashMap<>(drops));
    }

    /** Reads {@code host}'s counters; on the host's thread only. */
    static StackStats of(Host host) {
        Map<TcpState, Integer> byState = new EnumMap<>(TcpState.class);
        for (TcpConnection c : host.connections()) {
            byState.merge(c.state(), 1, Integer::sum);
        }
        int syn = 0;
        int accept = 0;
        long sent = 0;
        long accepted = 0;
        long dropped = 0;
        for (TcpListener l : host.listeners()) {
            syn += l.synQueueLength();
            accept += l.acceptQueueLength();
            sent += l.cookiesSent();
            accepted += l.cookiesAccepted();
            dropped += l.synsDropped();
        }
        return new StackStats(byState, host.timeWaitCount(), host.listeners().size(), syn, accept, sent, accepted,
                dropped, host.challengeAcks().suppressed(), host.drops().nonZero());
    }

    /** The counters of several hosts (one stack's loops) added up. */
    static StackStats sum(java.util.List<StackStats> parts) {
        if (parts.size() == 1) {
            return parts.getFirst();
        }
        Map<TcpState, Integer> byState = new EnumMap<>(TcpState.class);
        Map<DropReason, Long> drops = new LinkedHashMap<>();
        int timeWait = 0;
        // Every loop has a copy of every listener: count them once.
        int listeners = parts.getFirst().listeners;
        int syn = 0;
        int accept = 0;
        long sent = 0;
        long accepted = 0;
        long dropped = 0;
        long held = 0;
        for (StackStats p : parts) {
            p.connections.forEach((state, n) -> byState.merge(state, n, Integer::sum));
            p.drops.forEach((reason, n) -> drops.merge(reason, n, Long::sum));
            timeWait += p.timeWaitRecords;
            syn += p.synQueue;
            accept += p.acceptQueue;
            sent += p.cookiesSent;
            accepted += p.cookiesAccepted;
            dropped += p.synsDropped;
            held += p.challengeAcksHeld;
        }
        return new StackStats(byState, timeWait, listeners, syn, accept, sent, accepted, dropped, held, drops);
    }

    /**
     * Live connections in every state.
     *
     * @return the sum of {@link #connections()}
     */
    public int connectionCount() {
        return connections.values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * Packets dropped, every reason together.
     *
     * @return the sum of {@link #drops()}
     */
    public long dropCount() {
        return drops.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * One line, for a terminal: {@code connections 3 (ESTABLISHED 2, SYN-RECEIVED 1), TIME-WAIT 5,
     * SYN queue 1, accept queue 0, cookies 0 sent 0 accepted, drops 2 (TCP_NO_SOCKET 2)}.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("connections ").append(connectionCount());
        if (!connections.isEmpty()) {
            sb.append(" (");
            connections.forEach((s, n) -> sb.append(s).append(' ').append(n).append(", "));
            sb.setLength(sb.length() - 2);
            sb.append(')');
        }
        sb.append(", TIME-WAIT ").append(timeWaitRecords)
                .append(", SYN queue ").append(synQueue)
                .append(", accept queue ").append(acceptQueue)
                .append(", cookies ").append(cookiesSent).append(" sent ").append(cookiesAccepted).append(" accepted")
                .append(", drops ").append(dropCount());
        if (!drops.isEmpty()) {
            sb.append(" (");
            drops.forEach((r, n) -> sb.append(r).append(' ').append(n).append(", "));
            sb.setLength(sb.length() - 2);
            sb.append(')');
        }
        return sb.toString();
    }
}
