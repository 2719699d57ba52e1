/**
 * Links: where a host stack's IP packets go. {@link dev.jtcp.link.PacketSink} is the one-method
 * contract a stack sends through; {@link dev.jtcp.link.impair.Impairments} and
 * {@link dev.jtcp.link.impair.FaultInjector} describe and apply seeded network faults (delay, jitter, loss,
 * reordering, duplication, corruption, rate limits) to any link, simulated or real.
 *
 * <p>Nothing here reads a clock or starts a thread: the caller passes the time in. The simulated
 * network lives in {@code dev.jtcp.link.sim}.
 */
package dev.jtcp.link;
