package dev.jtcp.cli;

import dev.jtcp.link.PacketSink;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.sim.SimLink;
import dev.jtcp.link.sim.SimNetwork;
import dev.jtcp.link.sim.SimNode;
import dev.jtcp.link.sim.SimPort;
import dev.jtcp.sim.SimHost;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpHandler;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.wire.IpAddress;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jtcp bench engine}: what the engine costs, measured on the simulated network with jtcp at
 * both ends in one thread, so every figure includes both endpoints and the simulator: bulk throughput
 * at MSS 1460 and at a 64 KiB MTU, full connection lifecycles per second, and heap bytes per idle
 * established connection and per TIME-WAIT record.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        subcommands = {BenchTunCommand.class, BenchLossCommand.class, BenchTunLossCommand.class, BenchFlowsCommand.class,
                BenchStormCommand.class, BenchInjectCommand.class, BenchSoakCommand.class},
        description = {"Measure the engine on the simulated network (both ends jtcp, one thread).",
                "Throughput counts application bytes delivered per second of real (wall-clock) time.",
                "'jtcp bench tun' measures jtcp over a TUN device beside the kernel over veth instead;",
                "'jtcp bench loss' measures loss recovery on the simulator (goodput, Mathis bound, RTOs);",
                "'jtcp bench tun-loss' measures it against the kernel over a lossy TUN link, both directions."})
public final class BenchCommand implements Callable<Integer> {
    private static final long MS = 1_000_000L;
    private static final IpAddress SERVER = IpAddress.parse("198.18.0.2");

    @Option(names = "--seconds", defaultValue = "3", description = "Wall-clock seconds per throughput run (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--connections", defaultValue = "20000",
            description = "Connections for the memory figures (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--lifecycles", defaultValue = "100000",
            description = "Connection lifecycles to run (default ${DEFAULT-VALUE}).")
    int lifecycles;

    @Override
    public Integer call() {
        System.out.println("jtcp engine benchmark (simulated network, both ends jtcp, one thread)");
        System.out.printf("%-46s %s%n", "bulk transfer, MTU 1500 (MSS 1460)", bulk(1500, false));
        System.out.printf("%-46s %s%n", "  the same, link carries 64 KiB super-packets", bulk(1500, true));
        System.out.printf("%-46s %s%n", "bulk transfer, MTU 65535 (MSS ~64 KiB)", bulk(65535, false));
        System.out.printf("%-46s %s%n", "lifecycles (open, 100 B each way, close)", lifecycles());
        long[] mem = memory(false);
        System.out.printf("%-46s %,d bytes%n", "heap per idle established connection", mem[0]);
        System.out.printf("%-46s %,d bytes%n", "heap per TIME-WAIT record", mem[1]);
        System.out.printf("%-46s %,d bytes%n", "heap per TIME-WAIT record (half-close first)", memory(true)[1]);
        return 0;
    }

    private record Pair(SimNetwork net, Host client, Host server) {}

    private static Pair pair(int mtu, TcpConfig cfg, long delayNs) {
        return pair(mtu, cfg, delayNs, false);
    }

    /**
     * Two hosts joined by a simulated link; with {@code superPackets} the link carries TCP
     * super-packets whole ({@link SuperPacketPort}), as a veth pair carries the kernel's GSO packets.
     */
    private static Pair pair(int mtu, TcpConfig cfg, long delayNs, boolean superPackets) {
        SimNetwork net = new SimNetwork(1);
        SplittableRandom r = new SplittableRandom(1);
        Host c = new Host("client", cfg, r.split()).addAddress("198.18.0.1/24").mtu(mtu);
        Host s = new Host("server", cfg, r.split()).addAddress("198.18.0.2/24").mtu(mtu);
        Impairments d = Impairments.builder().delayNs(delayNs).build();
        if (superPackets) {
            VethHost vc = new VethHost(c);
            VethHost vs = new VethHost(s);
            SimLink link = net.connect(vc, vs, d, d);
            c.attach(new SuperPacketPort(link.port(vc)));
            s.attach(new SuperPacketPort(link.port(vs)));
        } else {
            SimHost.connect(net, new SimHost(c), new SimHost(s), d, d);
        }
        return new Pair(net, c, s);
    }

    /**
     * A simulated port that carries TCP super-packets whole instead of cutting them, partial
     * checksum and all, as a veth pair carries the kernel's GSO packets from one namespace's stack
     * to the other's.
     */
    private static final class SuperPacketPort implements PacketSink {
        private final PacketSink port;

        SuperPacketPort(PacketSink port) {
            this.port = port;
        }

        @Override
        public void transmit(ByteBuffer packet) {
            port.transmit(packet);
        }

        @Override
        public void transmitGso(ByteBuffer packet, int gsoSize) {
            port.transmit(packet);
        }

        @Override
        public boolean offloadsSegmentation() {
            return true;
        }
    }

    /**
     * A host at one end of a veth-like link: what arrives was made by the stack at the other end
     * on this machine and never crossed a wire (the bench impairs nothing but delay), so TCP is
     * taken as verified ({@link Host#onVerifiedTcp}), as Linux takes a packet a veth pair delivers
     * with a partial checksum.
     */
    private record VethHost(Host host) implements SimNode {
        @Override
        public void onPacket(SimPort port, ByteBuffer packet, long nowNs) {
            host.onVerifiedTcp(nowNs, packet);
        }

        @Override
        public long nextDeadlineNs() {
            return host.nextDeadlineNs();
        }

        @Override
        public void onTimer(long nowNs) {
            host.onTimer(nowNs);
        }
    }

    /**
     * Streams data one way for {@link #seconds} of wall time; returns MB/s and segment rate. With
     * {@code superPackets} the link carries 64 KiB super-packets (the sender's GSO, whole to the
     * receiver, checksums neither completed nor verified), as the kernel's veth pair does; segments
     * count one per MSS.
     */
    private String bulk(int mtu, boolean superPackets) {
        double[] r = bulk(mtu, superPackets, 1.0, seconds);
        return String.format("%,.0f MB/s  (%,.0f segments/s, %.2f Gbit/s)", r[0], r[1], r[0] * 8 / 1e3);
    }

    /**
     * One bulk run on the simulated network, both ends in this thread: {@code warmupSeconds} of wall
     * time unmeasured, then {@code seconds} measured. Also what {@code jtcp bench tun} runs beside
     * the kernel's veth push (MTU 1500 with super-packets: the veth-like link).
     *
     * @return {MB/s delivered, segments/s sent by both ends, MB delivered per second of this thread's CPU time}
     */
    static double[] bulk(int mtu, boolean superPackets, double warmupSeconds, double seconds) {
        TcpConfig cfg = TcpConfig.builder().sendBufferBytes(4 << 20).receiveBufferBytes(4 << 20).build();
        Pair p = pair(mtu, cfg, 100_000, superPackets);
        TcpListener l = p.server.listen(0, 80, 8);
        TcpConnection client = p.client.connect(0, SERVER, 80);
        p.net.runFor(10 * MS);
        TcpConnection server = l.accept();
        ByteBuffer src = ByteBuffer.allocate(4 << 20);
        ByteBuffer dst = ByteBuffer.allocate(4 << 20);
        long[] received = {0};
        server.handler(new TcpHandler() {
            @Override
            public void onReadable(TcpConnection c) {
                while (true) {
                    dst.clear();
                    int n = c.receive(p.net.nowNs(), dst);
                    if (n <= 0) {
                        return;
                    }
                    received[0] += n;
                }
            }
        });
        client.handler(new TcpHandler() {
            @Override
            public void onWritable(TcpConnection c) {
                src.clear();
                c.send(p.net.nowNs(), src);
            }
        });
        src.clear();
        client.send(p.net.nowNs(), src);
        // Warm up, then measure.
        runWall(p.net, warmupSeconds);
        long bytes0 = received[0];
        long segs0 = client.status().segmentsSent() + server.status().segmentsSent();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        runWall(p.net, seconds);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
        long bytes = received[0] - bytes0;
        long segs = client.status().segmentsSent() + server.status().segmentsSent() - segs0;
        return new double[] {bytes / wall / 1e6, segs / wall, cpu > 0 ? bytes / cpu / 1e6 : Double.NaN};
    }

    private static void runWall(SimNetwork net, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            net.runFor(10 * MS);
        }
    }

    /**
     * Sequential lifecycles: connect, 100-byte request, 100-byte response, the server closes first
     * (so TIME-WAIT stays on the server and a reused client port meets it: RFC 6191 reuse).
     */
    private String lifecycles() {
        Pair p = pair(1500, TcpConfig.defaults(), 10_000);
        TcpListener l = p.server.listen(0, 80, 128);
        byte[] msg = new byte[100];
        ByteBuffer sink = ByteBuffer.allocate(4096);
        l.handler(listener -> {
            TcpConnection s;
            while ((s = listener.accept()) != null) {
                s.handler(new TcpHandler() {
                    @Override
                    public void onReadable(TcpConnection c) {
                        sink.clear();
                        if (c.receive(p.net.nowNs(), sink) > 0) {
                            c.send(p.net.nowNs(), ByteBuffer.wrap(msg));
                            c.closeFully(p.net.nowNs());
                        }
                    }
                });
            }
        });
        int[] done = {0};
        long t0 = System.nanoTime();
        for (int i = 0; i < lifecycles; i++) {
            TcpConnection c = p.client.connect(p.net.nowNs(), SERVER, 80);
            c.handler(new TcpHandler() {
                @Override
                public void onConnected(TcpConnection x) {
                    x.send(p.net.nowNs(), ByteBuffer.wrap(msg));
                }

                @Override
                public void onReadable(TcpConnection x) {
                    sink.clear();
                    int n = x.receive(p.net.nowNs(), sink);
                    if (n < 0) {
                        x.closeFully(p.net.nowNs());
                    }
                }

                @Override
                public void onClosed(TcpConnection x, dev.jtcp.tcp.TcpError error) {
                    done[0]++;
                }
            });
            p.net.runWhile(() -> c.state() != dev.jtcp.event.TcpState.CLOSED, 10_000 * MS);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        return String.format("%,.0f per second  (%,d done, %,d in server TIME-WAIT at the end)", done[0] / wall,
                done[0], p.server.timeWaitCount());
    }

    /**
     * Heap per idle established connection (each end counted as one connection, host tables
     * included) and per TIME-WAIT record (the difference between holding the records and after they
     * expired, so table capacity both states share is not counted). With {@code halfCloseFirst} the
     * clients close as {@code jtcp serve http}'s peers do: half-close, read to the end, then close.
     */
    private long[] memory(boolean halfCloseFirst) {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        Pair p = pair(1500, TcpConfig.defaults(), 10_000);
        TcpListener l = p.server.listen(0, 80, connections + 1);
        List<TcpConnection> clients = new ArrayList<>(connections);
        List<TcpConnection> servers = new ArrayList<>(connections);
        long before = usedAfterGc(mem);
        for (int i = 0; i < connections; i++) {
            clients.add(p.client.connect(p.net.nowNs(), SERVER, 80));
        }
        p.net.runFor(100 * MS);
        TcpConnection s;
        while ((s = l.accept()) != null) {
            servers.add(s);
        }
        long established = usedAfterGc(mem);
        long perConnection = (established - before) / Math.max(1, clients.size() + servers.size());
        // The clients close first and keep TIME-WAIT records; the servers close on the peer's FIN.
        for (TcpConnection c : servers) {
            c.handler(new TcpHandler() {
                @Override
                public void onReadable(TcpConnection c) {
                    c.closeFully(p.net.nowNs());
                }
            });
        }
        for (TcpConnection c : clients) {
            if (halfCloseFirst) {
                c.handler(new TcpHandler() {
                    @Override
                    public void onReadable(TcpConnection c) {
                        if (c.receive(p.net.nowNs(), ByteBuffer.allocate(64)) < 0) {
                            c.closeFully(p.net.nowNs());
                        }
                    }
                });
                c.close(p.net.nowNs());
            } else {
                c.closeFully(p.net.nowNs());
            }
        }
        p.net.runFor(1000 * MS);
        clients.clear();
        servers.clear();
        int records = p.client.timeWaitCount();
        long withTimeWait = usedAfterGc(mem);
        p.net.runFor(p.client.config().timeWaitNs() + 1000 * MS);
        long afterExpiry = usedAfterGc(mem);
        long perTimeWait = (withTimeWait - afterExpiry) / Math.max(1, records);
        if (records != connections || p.client.timeWaitCount() != 0) {
            System.out.printf("(note: %d TIME-WAIT records of %d connections)%n", records, connections);
        }
        return new long[] {perConnection, perTimeWait};
    }

    private static long usedAfterGc(MemoryMXBean mem) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
