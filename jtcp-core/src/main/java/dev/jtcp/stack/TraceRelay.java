package dev.jtcp.stack;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's tracer as stable objects its rooms can keep while the host's tracer itself may be
 * replaced at any time. {@link #direct} passes events straight on; {@link #engine}, which the
 * engine and the transmit path trace through, holds them back while a received segment is being
 * processed, so that the segment's own RECEIVED/DROPPED event, known only afterwards, comes first.
 *
 * <p>Not thread-safe: the host's thread.
 */
final class TraceRelay {
    /** Where events end up; {@link Tracer#NONE} when nobody listens. */
    private Tracer target = Tracer.NONE;
    /** The engine's events held back during a received segment; null when not holding. */
    private List<TraceEvent> held;

    /** Passes every event to the current tracer at once. */
    final Tracer direct = new Tracer() {
        @Override
        public void onEvent(TraceEvent event) {
            target.onEvent(event);
        }

        @Override
        public boolean isEnabled() {
            return target.isEnabled();
        }
    };

    /** Passes events to the current tracer, or into the held list while one is being filled. */
    final Tracer engine = new Tracer() {
        @Override
        public void onEvent(TraceEvent event) {
            if (held != null) {
                held.add(event);
            } else {
                target.onEvent(event);
            }
        }

        @Override
        public boolean isEnabled() {
            return target.isEnabled();
        }
    };

    void target(Tracer tracer) {
        this.target = tracer == null ? Tracer.NONE : tracer;
    }

    boolean isEnabled() {
        return target.isEnabled();
    }

    /** Starts holding the engine's events back; returns the list they collect in (allocates: tracing only). */
    List<TraceEvent> hold() {
        held = new ArrayList<>();
        return held;
    }

    /** Stops holding; later events pass at once. */
    void stopHolding() {
        held = null;
    }

    /** Passes on events that were held back. */
    void replay(List<TraceEvent> events) {
        events.forEach(target::onEvent);
    }
}
