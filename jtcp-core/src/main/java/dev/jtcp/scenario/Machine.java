package dev.jtcp.scenario;

import dev.jtcp.link.sim.SimNode;
import dev.jtcp.link.sim.SimPort;
import dev.jtcp.stack.Host;
import java.nio.ByteBuffer;

/**
 * A computer on the simulated network whose {@link Host} can be replaced, as when a machine crashes
 * and reboots: the new host keeps the address but knows nothing of the old one's connections.
 *
 * <p>Not thread-safe: driven by the simulator's thread.
 */
final class Machine implements SimNode {
    private Host host;
    private SimPort port;

    Machine(Host host) {
        this.host = host;
    }

    Host host() {
        return host;
    }

    /** Attaches the host to the machine's one port, made when the machine was linked. */
    void plug(SimPort port) {
        this.port = port;
        host.attach(port);
    }

    /** The old host loses everything (it is cut off and forgotten); {@code fresh} takes its place. */
    void reboot(Host fresh) {
        host.attach(packet -> {});
        host = fresh;
        fresh.attach(port);
    }

    @Override
    public void onPacket(SimPort from, ByteBuffer packet, long nowNs) {
        host.onPacket(nowNs, packet);
    }

    @Override
    public long nextDeadlineNs() {
        return host.nextDeadlineNs();
    }

    @Override
    public void onTimer(long nowNs) {
        host.onTimer(nowNs);
    }

    @Override
    public String toString() {
        return host.name();
    }
}
