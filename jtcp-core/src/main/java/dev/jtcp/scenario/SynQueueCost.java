package dev.jtcp.scenario;

import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpSegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Measures what one half-open connection (SYN-RECEIVED, nothing sent or received beyond the SYN)
 * costs a jtcp host in heap: feeds a few thousand SYNs to a listener with room for all of them and
 * compares the heap in use, after garbage collection, before and after. An estimate for the
 * syn-flood scenario's report, not a benchmark; measured once per JVM.
 *
 * <p>Thread-safe.
 */
final class SynQueueCost {
    private static final int CONNECTIONS = 4000;
    private static long cached = -1;

    private SynQueueCost() {}

    static synchronized long bytesPerSynReceived() {
        if (cached < 0) {
            cached = measure();
        }
        return cached;
    }

    private static long measure() {
        Host host = new Host("probe", Stage.defaults(), new SplittableRandom(1)).addAddress("198.18.0.2/24");
        host.listen(0, 80, CONNECTIONS);
        IpAddress server = IpAddress.parse("198.18.0.2");
        ByteBuffer packet = ByteBuffer.allocate(128);
        PacketWriter writer = new PacketWriter();
        TcpSegment syn = new TcpSegment();
        SplittableRandom random = new SplittableRandom(2);
        long before = usedAfterGc();
        for (int i = 0; i < CONNECTIONS; i++) {
            syn.clear();
            syn.srcPort = 1024 + (i & 0x7FFF);
            syn.dstPort = 80;
            syn.seq = random.nextInt();
            syn.flags = TcpFlags.SYN;
            syn.window = 64240;
            syn.options.mss = 1460;
            IpAddress src = IpAddress.ofV4(198, 19, i >>> 8, 1 + (i & 0xFF) % 254);
            int n = writer.writeTcp(packet, 0, src, server, 64, 0, syn);
            packet.limit(n).position(0);
            host.onPacket(0, packet);
            packet.clear();
        }
        long after = usedAfterGc();
        Reference.reachabilityFence(host);
        return Math.max(0, (after - before) / CONNECTIONS);
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
