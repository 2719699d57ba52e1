package dev.jtcp.tcp;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TimerKind;
import dev.jtcp.event.TraceEvent;
import java.util.Arrays;

/**
 * A connection's timers (RFC 9293 §3.8.1 retransmission, §3.8.6.1 persist, §3.8.6.3 delayed ACK,
 * §3.8.4 keep-alive; FIN-WAIT-2): one deadline per {@link TimerKind}, {@link #NONE} when disarmed.
 * Timers are data, never threads: the connection asks {@link #nextDeadlineNs()}, and {@link
 * #reschedule} tells the host ({@link TcpContext#schedule}) when the earliest deadline changed.
 * Arming, cancelling and firing are traced.
 *
 * <p>Not thread-safe: driven by the one thread that runs its host.
 */
final class TimerSet {
    /** The deadline of a disarmed timer. */
    static final long NONE = Long.MAX_VALUE;
    private static final TimerKind[] KINDS = TimerKind.values();

    private final TcpContext ctx;
    private final ConnectionKey key;
    /** Absolute deadline per {@link TimerKind#ordinal()}, {@link #NONE} when disarmed. */
    private final long[] deadlines = new long[KINDS.length];
    /** The deadline the host was last told ({@link TcpContext#schedule}); {@link #NONE} for none. */
    private long scheduledNs = NONE;

    TimerSet(TcpContext ctx, ConnectionKey key) {
        this.ctx = ctx;
        this.key = key;
        Arrays.fill(deadlines, NONE);
    }

    /** Every kind, in the order {@link TcpConnection#onTimer} runs them. */
    static TimerKind[] kinds() {
        return KINDS;
    }

    boolean isArmed(TimerKind kind) {
        return deadlines[kind.ordinal()] != NONE;
    }

    /** Sets {@code kind} to fire at {@code deadlineNs}, replacing any earlier deadline. */
    void arm(long nowNs, TimerKind kind, long deadlineNs) {
        deadlines[kind.ordinal()] = deadlineNs;
        if (ctx.tracer().isEnabled()) {
            ctx.tracer().onEvent(new TraceEvent.TimerEvent(nowNs, ctx.hostName(), key, kind,
                    TraceEvent.TimerAction.SET, deadlineNs));
        }
    }

    /** Cancels {@code kind} if it is armed. */
    void disarm(long nowNs, TimerKind kind) {
        long d = deadlines[kind.ordinal()];
        if (d != NONE) {
            deadlines[kind.ordinal()] = NONE;
            if (ctx.tracer().isEnabled()) {
                ctx.tracer().onEvent(new TraceEvent.TimerEvent(nowNs, ctx.hostName(), key, kind,
                        TraceEvent.TimerAction.CANCELLED, d));
            }
        }
    }

    /** Cancels {@code kind} without a trace event (the delayed ACK, when any ACK leaves). */
    void disarmQuietly(TimerKind kind) {
        deadlines[kind.ordinal()] = NONE;
    }

    /**
     * If {@code kind} is due at {@code nowNs}, disarms it, traces it as fired and returns true: the
     * caller then runs its timeout.
     */
    boolean fire(long nowNs, TimerKind kind) {
        long d = deadlines[kind.ordinal()];
        if (d == NONE || d > nowNs) {
            return false;
        }
        deadlines[kind.ordinal()] = NONE;
        if (ctx.tracer().isEnabled()) {
            ctx.tracer().onEvent(new TraceEvent.TimerEvent(nowNs, ctx.hostName(), key, kind,
                    TraceEvent.TimerAction.FIRED, d));
        }
        return true;
    }

    /** Disarms every timer, untraced (the connection is leaving for CLOSED, LISTEN or TIME-WAIT). */
    void clear() {
        Arrays.fill(deadlines, NONE);
    }

    /** The earliest deadline of any armed timer, or {@link #NONE}. */
    long nextDeadlineNs() {
        long min = NONE;
        for (long d : deadlines) {
            min = Math.min(min, d);
        }
        return min;
    }

    /** Tells the host when to call {@code owner.onTimer} next, if that changed. */
    void reschedule(TcpConnection owner) {
        long next = nextDeadlineNs();
        if (next != scheduledNs) {
            scheduledNs = next;
            ctx.schedule(owner, next);
        }
    }
}
