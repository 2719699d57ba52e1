/**
 * Hosts on the simulated network: {@link dev.jtcp.sim.SimHost} puts a {@link dev.jtcp.stack.Host}
 * on a {@link dev.jtcp.link.sim.SimNetwork} as a node (packets in, timers as the node's deadline),
 * joins hosts by links or to a router, and can crash and reboot a machine.
 *
 * <p>This package sits above both {@code stack} and {@code link.sim} so that neither has to know the
 * other: the simulator carries packets between nodes of any kind, and the host sends into whatever
 * {@code link.PacketSink} it is attached to.
 *
 * <p>Uses {@code stack} and {@code link.sim} (with what they use, such as {@code link.impair} for a
 * link's impairments).
 *
 * <p>Thread-safety: none; the simulator's one thread drives every node.
 */
package dev.jtcp.sim;
