package dev.jtcp.sim;

import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.impair.DropCause;
import dev.jtcp.link.sim.SimNetwork;
import dev.jtcp.link.sim.SimPort;
import dev.jtcp.link.sim.SimTap;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.ConnectionStatus;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpHandler;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Loss recovery measured on the simulated network, on virtual time: one bulk transfer per named
 * case (random loss one way and both ways, bursts, tail loss, lost retransmissions, reordering
 * without loss, ACK loss, a bottleneck with a finite queue, a long fat path), with jtcp at both
 * ends and a chosen sender configuration. The tail-loss case writes in bursts, each when the one
 * before is acknowledged (a request and its answer), and loses the last segments of each
 * (Impairments' deterministic {@code tail} rule); the lost-retransmission cases lose a segment's
 * first retransmissions too ({@code relose}).
 * Each run reports goodput, the Mathis et al. bound for the case's loss and RTT, retransmissions,
 * retransmission timeouts, and spurious retransmissions: data delivered to the receiver twice,
 * counted on the link (no duplication impairment is used, so every second delivery was a
 * retransmission that was not needed).
 *
 * <p>Deterministic per seed: {@code jtcp bench loss} prints the table, and tests assert on the
 * same figures.
 *
 * <p>Not thread-safe: one run at a time per instance; runs share nothing.
 */
public final class LossBench {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private static final IpAddress SERVER = IpAddress.parse("198.18.0.2");

    /**
     * A named path: what happens to data (sender to receiver) and to ACKs, and how much to send.
     *
     * @param name          the case's name in the table
     * @param data          impairments of the data direction
     * @param acks          impairments of the ACK direction
     * @param bytes         how much the sender sends
     * @param lossForMathis the data direction's loss probability for the Mathis bound, 0 where the
     *                      bound does not apply (no random loss)
     * @param burstBytes    0 to write everything at once; else the sender writes this much, waits
     *                      until all of it is acknowledged, then writes the next burst
     */
    public record Case(String name, Impairments data, Impairments acks, long bytes, double lossForMathis,
                       long burstBytes) {
        /** A bulk transfer: everything written at once. */
        public Case(String name, Impairments data, Impairments acks, long bytes, double lossForMathis) {
            this(name, data, acks, bytes, lossForMathis, 0);
        }
    }

    /**
     * What one run measured.
     *
     * @param caseName          the case's name
     * @param seed              the seed of the run's impairments
     * @param bytes             bytes the receiver got
     * @param virtualNs         virtual time from the first byte to the end of the run
     * @param completed         whether every byte arrived within the run's time limit
     * @param retransmissions   segments the sender sent again
     * @param timeouts          retransmission timeouts at the sender
     * @param spurious          data delivered to the receiver twice (retransmissions that were not needed)
     * @param mathisBytesPerSec the Mathis et al. bound for the case's loss and RTT, 0 where it does not apply
     * @param cc                the sender's congestion controller ("reno", "cubic", "bbr")
     * @param recovery          the sender's loss-recovery room ("rack" or "dupack")
     * @param dataLossSeen      the share of the sender's data segments (first sendings and resends) the link lost:
     *                          a seed's draws lose more or fewer than the case's nominal rate
     * @param nominalLoss       the case's loss rate for the Mathis bound, 0 where it does not apply
     */
    public record Result(String caseName, long seed, long bytes, long virtualNs, boolean completed,
                         long retransmissions, long timeouts, long spurious, double mathisBytesPerSec, String cc,
                         String recovery, double dataLossSeen, double nominalLoss) {
        public double goodputBytesPerSec() {
            return virtualNs <= 0 ? 0 : bytes * 1e9 / virtualNs;
        }

        /** Goodput over the Mathis bound, or NaN where the bound does not apply. */
        public double mathisRatio() {
            return mathisBytesPerSec <= 0 ? Double.NaN : goodputBytesPerSec() / mathisBytesPerSec;
        }

        /**
         * Goodput over the Mathis bound at the loss rate this run's data segments saw ({@link
         * #dataLossSeen}) instead of the case's nominal rate, or NaN where the bound does not apply.
         */
        public double mathisSeenRatio() {
            if (mathisBytesPerSec <= 0 || dataLossSeen <= 0 || nominalLoss <= 0) {
                return Double.NaN;
            }
            // The bound scales with 1 / sqrt(p).
            return mathisRatio() * Math.sqrt(dataLossSeen / nominalLoss);
        }
    }

    /** The standard cases, as issue 10 names them (5 ms each way unless a case says otherwise). */
    public static List<Case> standardCases(long bytes) {
        Impairments d5 = Impairments.parse("delay=5ms");
        java.util.ArrayList<Case> cases = new java.util.ArrayList<>();
        for (double p : new double[] {0.001, 0.01, 0.03, 0.05, 0.10}) {
            Impairments lossy = Impairments.parse("delay=5ms,loss=" + p);
            String pct = (p * 100 == Math.rint(p * 100) ? String.valueOf((int) (p * 100)) : String.valueOf(p * 100)) + "%";
            cases.add(new Case("loss " + pct + " one way", lossy, d5, bytes, p));
            cases.add(new Case("loss " + pct + " both ways", lossy, lossy, bytes, p));
        }
        cases.add(new Case("burst loss (Gilbert 1%/25%)",
                Impairments.parse("delay=5ms,gilbert=1%/25%"), d5, bytes, 0));
        // Writes of whole segments (45 of 1448 bytes, the MSS with timestamps on a 1500-byte MTU): a
        // short last piece would wait for Nagle, and the tail loss probe, sending it, would be lost too.
        long write = 45 * 1448;
        cases.add(new Case("tail loss (2 of each 45-seg write)",
                Impairments.parse("delay=5ms,tail=2/" + write), d5, bytes, 0, write));
        cases.add(new Case("lost retransmissions (1%, once)", Impairments.parse("delay=5ms,loss=1%,relose=1"), d5,
                bytes, 0.01));
        cases.add(new Case("lost retransmissions (1%, twice)", Impairments.parse("delay=5ms,loss=1%,relose=2"),
                d5, bytes, 0.01));
        cases.add(new Case("reordering 5%, no loss", Impairments.parse("delay=5ms,reorder=5%,reorderdelay=3ms"), d5,
                bytes, 0));
        cases.add(new Case("ACK loss 20%", d5, Impairments.parse("delay=5ms,loss=20%"), bytes, 0));
        cases.add(new Case("bottleneck 20 Mbit/s, queue 50", Impairments.parse("delay=5ms,rate=20mbit,queue=50"), d5,
                bytes, 0));
        cases.add(new Case("long fat path 100 Mbit/s x 100 ms", Impairments.parse("delay=50ms,rate=100mbit,queue=900"),
                Impairments.parse("delay=50ms"), bytes * 2, 0));
        return List.copyOf(cases);
    }

    /**
     * One bulk transfer of {@code c.bytes()} from a server running {@code sender} to a client with
     * jtcp's defaults, seeded by {@code seed}; gives up after {@code limitNs} of virtual time.
     */
    public static Result run(Case c, TcpConfig sender, long seed, long limitNs) {
        SimNetwork net = new SimNetwork(seed);
        SplittableRandom r = new SplittableRandom(seed);
        TcpConfig receiver = TcpConfig.defaults().toBuilder().receiveBufferBytes(4 << 20).build();
        Host client = new Host("client", receiver, r.split()).addAddress("198.18.0.1/24");
        Host server = new Host("server", sender, r.split()).addAddress("198.18.0.2/24");
        SimHost.connect(net, new SimHost(client), new SimHost(server), c.acks(), c.data());
        Duplicates dup = new Duplicates();
        net.addTap(dup);
        TcpListener l = server.listen(0, 80, 8);
        long[] received = {0};
        ByteBuffer sink = ByteBuffer.allocate(1 << 20);
        TcpConnection cl = client.connect(0, SERVER, 80);
        cl.handler(new TcpHandler() {
            @Override
            public void onReadable(TcpConnection x) {
                while (true) {
                    sink.clear();
                    int n = x.receive(net.nowNs(), sink);
                    if (n <= 0) {
                        return;
                    }
                    received[0] += n;
                }
            }
        });
        net.runWhile(() -> l.acceptQueueLength() == 0, 10 * S);
        TcpConnection s = l.accept();
        if (s == null) {
            return new Result(c.name(), seed, 0, 0, false, 0, 0, 0, 0, "", "", 0, 0);
        }
        ByteBuffer src = ByteBuffer.allocate(256 * 1024);
        long[] sent = {0};
        // What the application has written so far may reach: everything, or the current burst.
        long[] writeEnd = {c.burstBytes() > 0 ? Math.min(c.burstBytes(), c.bytes()) : c.bytes()};
        Runnable fill = () -> {
            while (sent[0] < writeEnd[0]) {
                src.clear().limit((int) Math.min(src.capacity(), writeEnd[0] - sent[0]));
                int n = s.send(net.nowNs(), src);
                if (n <= 0) {
                    return;
                }
                sent[0] += n;
            }
        };
        s.handler(new TcpHandler() {
            @Override
            public void onWritable(TcpConnection x) {
                fill.run();
            }
        });
        long start = net.nowNs();
        fill.run();
        boolean done = net.runWhile(() -> {
            if (sent[0] == writeEnd[0] && writeEnd[0] < c.bytes() && s.status().unacknowledged() == 0) {
                // The burst is acknowledged: the next one.
                writeEnd[0] = Math.min(writeEnd[0] + c.burstBytes(), c.bytes());
                fill.run();
            }
            return received[0] < c.bytes();
        }, limitNs);
        long elapsed = net.nowNs() - start;
        ConnectionStatus st = s.status();
        long rtt = c.data().delayNs() + c.acks().delayNs();
        double mathis = c.lossForMathis() > 0
                ? st.effectiveSendMss() / (rtt / 1e9) * Math.sqrt(1.5) / Math.sqrt(c.lossForMathis()) : 0;
        return new Result(c.name(), seed, received[0], elapsed, done && received[0] >= c.bytes(), st.retransmissions(),
                st.timeouts(), dup.duplicates, mathis, st.congestionControl(), st.lossRecovery(),
                dup.dataSent == 0 ? 0 : (double) dup.dataLost / dup.dataSent, c.lossForMathis());
    }

    /** Counts data delivered twice to the same host (per direction, by sequence ranges). */
    private static final class Duplicates implements SimTap {
        private final IpPacket ip = new IpPacket();
        private final TcpPacket tcp = new TcpPacket();
        /** Per receiving port and source port: delivered ranges, start to end, in unsigned sequence space. */
        private final Map<Long, TreeMap<Long, Long>> delivered = new java.util.HashMap<>();
        long duplicates;
        /** Data segments the server (the sender, port 80) transmitted, and those the link lost. */
        long dataSent;
        long dataLost;

        @Override
        public void onTransmit(long nowNs, SimPort from, ByteBuffer packet) {
            if (isServerData(packet)) {
                dataSent++;
            }
        }

        @Override
        public void onDrop(long nowNs, SimPort port, ByteBuffer packet, DropCause cause) {
            if (cause == DropCause.LOSS && isServerData(packet)) {
                dataLost++;
            }
        }

        private boolean isServerData(ByteBuffer packet) {
            return ip.wrap(packet, packet.position(), packet.remaining()).check() == null
                    && ip.protocol() == IpProtocol.TCP
                    && tcp.wrap(packet, ip.payloadOffset(), ip.payloadLength()).check() == null
                    && tcp.payloadLength() > 0 && tcp.srcPort() == 80;
        }

        @Override
        public void onDeliver(long nowNs, SimPort to, ByteBuffer packet) {
            if (ip.wrap(packet, packet.position(), packet.remaining()).check() != null
                    || ip.protocol() != IpProtocol.TCP) {
                return;
            }
            if (tcp.wrap(packet, ip.payloadOffset(), ip.payloadLength()).check() != null || tcp.payloadLength() == 0) {
                return;
            }
            long key = ((long) tcp.srcPort() << 16) | tcp.dstPort();
            TreeMap<Long, Long> ranges = delivered.computeIfAbsent(key, k -> new TreeMap<>());
            long s = Integer.toUnsignedLong(tcp.seq());
            long e = s + tcp.payloadLength();
            Map.Entry<Long, Long> below = ranges.floorEntry(s);
            if (below != null && below.getValue() >= e) {
                duplicates++;
                return;
            }
            // Merge [s, e) into the ranges (wrap-around is not a concern for these transfer sizes).
            long ns = s;
            long ne = e;
            if (below != null && below.getValue() >= s) {
                ns = below.getKey();
                ne = Math.max(ne, below.getValue());
                ranges.remove(below.getKey());
            }
            Map.Entry<Long, Long> next;
            while ((next = ranges.ceilingEntry(ns)) != null && next.getKey() <= ne) {
                ne = Math.max(ne, next.getValue());
                ranges.remove(next.getKey());
            }
            ranges.put(ns, ne);
        }
    }
}
