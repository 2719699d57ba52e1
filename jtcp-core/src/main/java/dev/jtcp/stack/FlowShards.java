package dev.jtcp.stack;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.tcp.SipHash;
import dev.jtcp.wire.IpAddress;
import java.nio.ByteBuffer;

/**
 * Which of several hosts (one per event loop, each with its own tables) owns a TCP flow: a pure
 * function of the flow's 4-tuple, so that every loop, given any packet, names the same owner
 * without a shared table, a lock or an allocation.
 *
 * <ul>
 *   <li>A flow whose local port is ephemeral (RFC 6056's range, {@link Host#EPHEMERAL_LOW} to
 *       {@link Host#EPHEMERAL_HIGH}) belongs to shard {@code (port - EPHEMERAL_LOW) % count}: each
 *       shard hands out ephemeral ports only from its own slice ({@link #ephemeralPort}), so the
 *       ports of active OPENs never clash across shards, and the connection stays on the loop
 *       that opened it.
 *   <li>Any other flow (the children of a listener) belongs to shard {@code hash(remote address,
 *       remote port, local port) % count}, a keyed SipHash: a listener is open on every shard,
 *       and the shard that owns the flow makes the child. The local address is left out of the
 *       hash so that a connect from a wildcard address can be placed before a source is chosen.
 * </ul>
 *
 * <p>Non-TCP packets (UDP, ICMP, anything unparsable) belong to shard 0, which alone holds UDP
 * sockets and the any-address hook.
 *
 * <p>With one shard every flow is shard 0's and the whole ephemeral range is used, as before.
 *
 * <p>Thread-safety: immutable; safe from any threads.
 */
public final class FlowShards {
    /** One shard: everything on shard 0. */
    public static final FlowShards ONE = new FlowShards(1, 0, 0);

    private static final int RANGE = PortAllocator.EPHEMERAL_HIGH - PortAllocator.EPHEMERAL_LOW + 1;
    private static final long V4_MAPPED_PREFIX = 0x0000_FFFF_0000_0000L;

    /** The number of shards, at least 1. */
    private final int count;
    /** The hash of the flows that are not placed by their ephemeral port. */
    private final SipHash hash;

    /**
     * {@code count} shards whose flow hash is keyed by {@code k0}, {@code k1} (draw them at random
     * once per stack; every shard must use the same instance).
     */
    public FlowShards(int count, long k0, long k1) {
        if (count < 1 || count > 256) {
            throw new IllegalArgumentException("shards must be 1..256, got " + count);
        }
        this.count = count;
        this.hash = new SipHash(k0, k1);
    }

    /** The number of shards. */
    public int count() {
        return count;
    }

    /** Whether {@code port} is in the ephemeral range, where the port names the shard. */
    public static boolean isEphemeral(int port) {
        return port >= PortAllocator.EPHEMERAL_LOW && port <= PortAllocator.EPHEMERAL_HIGH;
    }

    /** How many ephemeral ports shard {@code shard} has. */
    int ephemeralPorts(int shard) {
        return (RANGE - shard + count - 1) / count;
    }

    /** The {@code i}-th ephemeral port of shard {@code shard}'s slice, {@code 0 <= i < ephemeralPorts(shard)}. */
    int ephemeralPort(int shard, int i) {
        return PortAllocator.EPHEMERAL_LOW + shard + i * count;
    }

    /** The shard that owns the flow {@code key} (seen from this stack: local is ours). */
    public int ownerOf(ConnectionKey key) {
        return ownerOf(key.remoteAddress().hi(), key.remoteAddress().lo(), key.remotePort(), key.localPort());
    }

    /**
     * The shard that owns a flow between {@code remote}:{@code remotePort} and local port {@code
     * localPort}, whatever the local address.
     */
    public int ownerOf(IpAddress remote, int remotePort, int localPort) {
        return ownerOf(remote.hi(), remote.lo(), remotePort, localPort);
    }

    private int ownerOf(long remoteHi, long remoteLo, int remotePort, int localPort) {
        if (count == 1) {
            return 0;
        }
        if (isEphemeral(localPort)) {
            return (localPort - PortAllocator.EPHEMERAL_LOW) % count;
        }
        long h = hash.hash(remoteHi, remoteLo, remotePort, localPort, 0, 0);
        return (int) Long.remainderUnsigned(h, count);
    }

    /**
     * The shard that owns the packet an outside sender sent us (position to limit: an IPv4 or IPv6
     * packet): its TCP flow's owner, or 0 for anything else (other protocols, IPv4 fragments after
     * the first, IPv6 extension headers, packets too short to say). Reads the headers in place.
     */
    public int ownerOfPacket(ByteBuffer packet) {
        if (count == 1) {
            return 0;
        }
        int at = packet.position();
        int length = packet.remaining();
        if (length < 20) {
            return 0;
        }
        int version = (packet.get(at) & 0xF0) >>> 4;
        if (version == 4) {
            int ihl = (packet.get(at) & 0x0F) * 4;
            boolean laterFragment = (packet.getShort(at + 6) & 0x1FFF) != 0;
            if (packet.get(at + 9) != 6 || laterFragment || ihl < 20 || length < ihl + 4) {
                return 0;
            }
            long source = V4_MAPPED_PREFIX | (packet.getInt(at + 12) & 0xFFFF_FFFFL);
            return ownerOf(0, source, packet.getShort(at + ihl) & 0xFFFF, packet.getShort(at + ihl + 2) & 0xFFFF);
        }
        if (version == 6 && length >= 44 && packet.get(at + 6) == 6) {
            return ownerOf(packet.getLong(at + 8), packet.getLong(at + 16),
                    packet.getShort(at + 40) & 0xFFFF, packet.getShort(at + 42) & 0xFFFF);
        }
        return 0;
    }

    @Override
    public String toString() {
        return count + (count == 1 ? " shard" : " shards");
    }
}
