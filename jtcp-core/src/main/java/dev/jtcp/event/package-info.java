/**
 * The vocabulary shared by the engine and everything that watches it: the RFC 9293 states, timer
 * kinds, connection keys, and the trace events the engine and host emit.
 *
 * <p>Read first: {@link dev.jtcp.event.TcpState}, then {@link dev.jtcp.event.TraceEvent} and {@link
 * dev.jtcp.event.Tracer}.
 *
 * <p>Uses {@code wire} only, so renderers ({@code trace}) never see engine internals.
 *
 * <p>Thread-safety: the types are immutable; a {@code Tracer} is called on the thread that drives
 * the host that emits the events.
 */
package dev.jtcp.event;
