/**
 * The host around the TCP engine: addresses and MTU, the receive path (IP checks, checksum,
 * demultiplexing by 4-tuple, TIME-WAIT records, listeners, RST for segments that match nothing), the
 * transmit path (building packets in place), ephemeral ports, drop counters and the timer wheel.
 * Sans-IO like the engine: every call takes the time, and the host says when to call it next.
 *
 * <p>Read first: {@link dev.jtcp.stack.Host}.
 *
 * <p>Uses {@code tcp} (the engine it hosts) and {@code link} (only {@code PacketSink}, where its
 * packets go), with {@code event} and {@code wire}.
 *
 * <p>Thread-safety: none. One thread drives a host and every connection on it.
 */
package dev.jtcp.stack;
