package dev.jtcp.event;

/**
 * Receives trace events. Emitters check {@link #isEnabled()} before building an event, so tracing
 * costs one branch when nobody listens.
 *
 * <p>Implementations are called on the thread that drives the host (the simulator or the event
 * loop) and must not call back into it.
 */
@FunctionalInterface
public interface Tracer {
    /** A tracer that wants nothing. */
    Tracer NONE = new Tracer() {
        @Override
        public void onEvent(TraceEvent event) {}

        @Override
        public boolean isEnabled() {
            return false;
        }
    };

    void onEvent(TraceEvent event);

    /** Whether events should be built at all. */
    default boolean isEnabled() {
        return true;
    }

    /** A tracer that forwards to both. */
    static Tracer both(Tracer a, Tracer b) {
        if (!a.isEnabled()) {
            return b;
        }
        if (!b.isEnabled()) {
            return a;
        }
        return e -> {
            a.onEvent(e);
            b.onEvent(e);
        };
    }
}
