/**
 * A deterministic discrete-event network simulator on virtual time. {@link
 * dev.jtcp.link.sim.SimNetwork} carries raw IP packets between {@link dev.jtcp.link.sim.SimNode}s
 * over point-to-point {@link dev.jtcp.link.sim.SimLink}s, each direction impaired by its own seeded
 * {@link dev.jtcp.link.impair.FaultInjector}; a {@link dev.jtcp.link.sim.SimRouter} joins many
 * hosts by destination address, and {@link dev.jtcp.link.sim.SimTap}s watch every packet ({@link
 * dev.jtcp.link.sim.CaptureTap} into a capture file, {@link dev.jtcp.link.sim.LinkTracer} as trace
 * events for the losses).
 *
 * <p>Read first: {@link dev.jtcp.link.sim.SimNode} (the contract, timers as data), then {@link
 * dev.jtcp.link.sim.SimNetwork}. A host becomes a node through {@code dev.jtcp.sim.SimHost}, above
 * this package: the network itself never sees a host.
 *
 * <p>Uses {@code link} and {@code event} (with what they use: {@code link.impair}, {@code pcap},
 * {@code wire}).
 *
 * <p>Everything runs on the thread that calls the network's run methods; time jumps from one event
 * to the next, so a timer minutes ahead costs nothing. The same seed and the same inputs give the
 * same run, packet for packet.
 */
package dev.jtcp.link.sim;
