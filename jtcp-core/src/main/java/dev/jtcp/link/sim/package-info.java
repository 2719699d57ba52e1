/**
 * A deterministic discrete-event network simulator on virtual time. {@link dev.jtcp.link.sim.SimNetwork}
 * carries raw IP packets between {@link dev.jtcp.link.sim.SimNode}s over point-to-point
 * {@link dev.jtcp.link.sim.SimLink}s, each direction impaired by its own seeded
 * {@link dev.jtcp.link.impair.FaultInjector}; a {@link dev.jtcp.link.sim.SimRouter} joins many hosts by
 * destination address, and {@link dev.jtcp.link.sim.SimTap}s watch every packet.
 *
 * <p>Everything runs on the thread that calls the network's run methods; time jumps from one event
 * to the next, so a timer minutes ahead costs nothing. The same seed and the same inputs give the
 * same run, packet for packet.
 */
package dev.jtcp.link.sim;
