/**
 * Links: where a host stack's IP packets go. {@link dev.jtcp.link.PacketSink} is the one-method
 * contract a stack sends through; {@link dev.jtcp.link.Link} is a real link an event loop drives
 * (batched non-blocking receive, transmit and flush, a readiness descriptor, a deadline). {@link
 * dev.jtcp.link.MemoryLink} joins two stacks in one process; {@link dev.jtcp.link.ImpairedLink}
 * (seeded faults from {@code link.impair}, on real time) and {@link dev.jtcp.link.CaptureLink} (a
 * capture file) wrap any link as {@link dev.jtcp.link.ForwardingLink}s.
 *
 * <p>Read first: {@link dev.jtcp.link.PacketSink}, then {@link dev.jtcp.link.Link}. The TUN device
 * is in {@code link.tun}, the simulated network in {@code link.sim}, impairments in {@code
 * link.impair}.
 *
 * <p>Uses {@code link.impair} and {@code pcap} (with {@code wire}), never the stack or the engine:
 * a link carries IP packets and knows nothing of what is in them.
 *
 * <p>Thread-safety: a link belongs to the one event-loop thread that drives it ({@code MemoryLink}
 * joins two loops and says how); nothing here starts a thread, and the caller passes the time in.
 */
package dev.jtcp.link;
