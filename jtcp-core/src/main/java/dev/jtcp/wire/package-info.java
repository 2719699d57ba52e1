/**
 * Packet formats: zero-copy views over buffers, parsed representations, sequence numbers and
 * checksums. No I/O, no time, no dependencies beyond the JDK.
 *
 * <p>Read first: {@link dev.jtcp.wire.IpPacket} and {@link dev.jtcp.wire.TcpPacket} (views: {@code
 * wrap}, then {@code check()} names what is wrong instead of throwing), {@link
 * dev.jtcp.wire.TcpSegment} (the engine's reused representation) and {@link dev.jtcp.wire.SeqNum}.
 *
 * <p>Uses nothing: the bottom layer.
 *
 * <p>Thread-safety: views and segments are mutable and reused, so each belongs to one thread; the
 * immutable snapshots ({@code TcpHeader}, {@code TcpOption}, {@code IpAddress}) may be shared.
 */
package dev.jtcp.wire;
