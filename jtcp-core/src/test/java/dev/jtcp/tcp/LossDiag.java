package dev.jtcp.tcp;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.sim.SimNetwork;
import dev.jtcp.sim.LossBench;
import dev.jtcp.sim.SimHost;
import dev.jtcp.stack.Host;
import dev.jtcp.wire.IpAddress;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A diagnostic, not a test: where the time of one {@code jtcp bench loss} run goes (time open, in
 * recovery and after a timeout; mean cwnd and pipe in each; what each retransmission was for), and
 * an optional ladder of the sender's segments in a time window. Arguments: {@code CASE SEED MB
 * [FROM_MS TO_MS]}, or {@code many CASE[,CASE...] SEEDS} for mean and median Mathis ratios over more
 * seeds than the bench's five ({@code -Dper.seed=true} prints each; {@code -Drfc8985=true} turns off
 * {@link TcpConfig#rackFirstLossWait()} and {@link TcpConfig#rackNoDupThresh()}; {@code -Dbytes=N} sets the
 * transfer size of {@code many}; {@code -Dcc=reno|cubic|bbr} the controller; {@code -Dtimeline=true} samples cwnd every 20 ms). Run it
 * from the test classpath after {@code ./mvnw -pl jtcp-core test-compile}.
 */
public final class LossDiag {
    static double median(double[] a) {
        double[] b = a.clone();
        java.util.Arrays.sort(b);
        return b[b.length / 2];
    }

    static String sackStr(dev.jtcp.wire.TcpHeader h, Tcb tt) {
        StringBuilder b = new StringBuilder();
        for (var o : h.options()) {
            if (o instanceof dev.jtcp.wire.TcpOption.Sack sk) {
                b.append("SACK");
                int[] ed = sk.edges();
                for (int i = 0; i + 1 < ed.length; i += 2) {
                    b.append(String.format(" %.2f-%.2f", (ed[i] - tt.iss - 1) / 1448.0, (ed[i + 1] - tt.iss - 1) / 1448.0));
                }
            }
        }
        return b.toString();
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("many")) {
            int n = Integer.parseInt(args[2]);
            for (String cn : args[1].split(",")) {
                LossBench.Case c = LossBench.standardCases(Long.getLong("bytes", 5_000_000L)).stream().filter(x -> x.name().contains(cn))
                        .findFirst().orElseThrow();
                TcpConfig sender = TcpConfig.defaults().toBuilder().sendBufferBytes(4 << 20).rack(true).congestionControl(TcpConfig.CongestionAlgorithm.parse(System.getProperty("cc", "cubic"))).rackFirstLossWait(!Boolean.getBoolean("rfc8985")).rackNoDupThresh(!Boolean.getBoolean("rfc8985")).build();
                double[] v = new double[n];
                long rtx = 0, rto = 0, spur = 0;
                for (int i = 0; i < n; i++) {
                    LossBench.Result r = LossBench.run(c, sender, i + 1, 600_000_000_000L);
                    v[i] = Double.isNaN(r.mathisRatio()) ? r.goodputBytesPerSec() / 1e3 : r.mathisRatio();
                    rtx += r.retransmissions();
                    rto += r.timeouts();
                    spur += r.spurious();
                    if (Boolean.getBoolean("per.seed")) System.out.printf("   seed %d %.3f rtx %d%n", i + 1, v[i], r.retransmissions());
                }
                double[] sorted = v.clone();
                java.util.Arrays.sort(sorted);
                double mean = java.util.Arrays.stream(v).average().orElse(0);
                double med5 = median(java.util.Arrays.copyOf(v, Math.min(5, n)));
                System.out.printf("%-30s n=%d mean %.3f median %.3f median(1..5) %.3f min %.3f max %.3f | rtx %.1f RTOs %.2f spur %.2f%n",
                        c.name(), n, mean, sorted[n / 2], med5, sorted[0], sorted[n - 1], rtx / (double) n, rto / (double) n,
                        spur / (double) n);
            }
            return;
        }
        String name = args[0];
        long seed = Long.parseLong(args[1]);
        long mb = Long.parseLong(args[2]);
        LossBench.Case c = LossBench.standardCases(mb * 1_000_000L).stream().filter(x -> x.name().contains(name))
                .findFirst().orElseThrow();
        TcpConfig sender = TcpConfig.defaults().toBuilder().sendBufferBytes(4 << 20).rack(true).congestionControl(TcpConfig.CongestionAlgorithm.parse(System.getProperty("cc", "cubic"))).rackFirstLossWait(!Boolean.getBoolean("rfc8985")).rackNoDupThresh(!Boolean.getBoolean("rfc8985")).build();
        SimNetwork net = new SimNetwork(seed);
        SplittableRandom r = new SplittableRandom(seed);
        TcpConfig receiver = TcpConfig.defaults().toBuilder().receiveBufferBytes(4 << 20).build();
        Host client = new Host("client", receiver, r.split()).addAddress("198.18.0.1/24");
        Host server = new Host("server", sender, r.split()).addAddress("198.18.0.2/24");
        SimHost.connect(net, new SimHost(client), new SimHost(server), c.acks(), c.data());
        TreeMap<String, Integer> notes = new TreeMap<>();
        int[] counts = new int[4];
        long from = args.length > 3 ? Long.parseLong(args[3]) * 1_000_000L : Long.MAX_VALUE;
        long to = args.length > 4 ? Long.parseLong(args[4]) * 1_000_000L : 0;
        Tcb[] tcbRef = new Tcb[1];
        java.util.function.LongPredicate show = ns -> ns >= from && ns < to;
        server.tracer(e -> {
            if (e instanceof TraceEvent.SegmentEvent s && show.test(s.timeNs())) {
                Tcb tt = tcbRef[0];
                System.out.printf("%9.3f srv %-8s seq %.2f ack %.2f len %d %s %s | cwnd %.2f ssth %.2f una %d nxt %d%n", s.timeNs() / 1e6, s.direction(),
                        tt == null ? 0 : (s.header().seq() - tt.iss - 1) / 1448.0, tt == null ? 0 : (s.header().ack() - tt.iss - 1) / 1448.0, s.payloadLength(),
                        s.direction() == TraceEvent.Direction.SENT ? "" : sackStr(s.header(), tt), s.note() == null ? "" : s.note(),
                        tt == null ? 0.0 : tt.cc.cwnd() / 1448.0, tt == null ? 0.0 : tt.cc.ssthresh() / 1448.0,
                        tt == null ? 0 : (tt.sndUna - tt.iss) / 1448, tt == null ? 0 : (tt.sndNxt - tt.iss) / 1448);
            }
            if (e instanceof TraceEvent.TimerEvent s && show.test(s.timeNs())) {
                System.out.printf("%9.3f srv timer %s %s%n", s.timeNs() / 1e6, s.timer(), s.action());
            }
            if (e instanceof TraceEvent.SegmentEvent s && s.direction() == TraceEvent.Direction.SENT) {
                if (s.payloadLength() > 0) {
                    notes.merge(String.valueOf(s.note()), 1, Integer::sum);
                }
            }
        });
        client.tracer(e -> {
            if (e instanceof TraceEvent.TimerEvent s && s.action().toString().equals("FIRED")) {
                notes.merge("client timer " + s.timer(), 1, Integer::sum);
            }
            if (e instanceof TraceEvent.SegmentEvent s && s.direction() == TraceEvent.Direction.SENT) {
                counts[0]++;
                boolean sack = s.header().options().stream().anyMatch(o -> o.toString().contains("Sack") || o.toString().contains("SACK"));
                if (sack) {
                    counts[1]++;
                }
            }
        });
        TcpListener l = server.listen(0, 80, 8);
        long[] received = {0};
        ByteBuffer sink = ByteBuffer.allocate(1 << 20);
        TcpConnection cl = client.connect(0, IpAddress.parse("198.18.0.2"), 80);
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
        net.runWhile(() -> l.acceptQueueLength() == 0, 10_000_000_000L);
        TcpConnection s = l.accept();
        ByteBuffer src = ByteBuffer.allocate(256 * 1024);
        long[] sent = {0};
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
        Field rf = TcpConnection.class.getDeclaredField("recovery");
        rf.setAccessible(true);
        RackRecovery rec = (RackRecovery) rf.get(s);
        Field fin = RackRecovery.class.getDeclaredField("inRecovery");
        Field fl = RackRecovery.class.getDeclaredField("inLoss");
        fin.setAccessible(true);
        fl.setAccessible(true);
        Tcb t = s.tcb();
        tcbRef[0] = t;
        long start = net.nowNs();
        fill.run();
        long[] last = {start};
        double[] prevPipe = {0};
        double[] extra = new double[6];
        double[] acc = new double[8]; // 0 open time, 1 recovery time, 2 loss time, 3 cwnd*open, 4 pipe*all, 5 idle(pipe0)
        int[] episodes = {0};
        boolean[] prevRec = {false};
        net.runWhile(() -> {
            if (sent[0] == writeEnd[0] && writeEnd[0] < c.bytes() && s.status().unacknowledged() == 0) {
                writeEnd[0] = Math.min(writeEnd[0] + c.burstBytes(), c.bytes());
                fill.run();
            }
            long now = net.nowNs();
            double dt = (now - last[0]) / 1e9;
            last[0] = now;
            try {
                boolean inR = fin.getBoolean(rec);
                boolean inL = fl.getBoolean(rec);
                if (inR && !prevRec[0]) {
                    episodes[0]++;
                }
                prevRec[0] = inR;
                int idx = inR ? 1 : inL ? 2 : 0;
                int pidx = (int) acc[6];
                acc[pidx] += dt;
                if (pidx == 0) {
                    acc[3] += dt * acc[7];
                }
                int pipe = rec.inFlight();
                acc[4] += dt * prevPipe[0];
                extra[pidx] += dt * prevPipe[0];
                extra[3 + pidx] += dt * acc[7];
                if (prevPipe[0] == 0) {
                    acc[5] += dt;
                }
                if (Boolean.getBoolean("timeline") && now / 20_000_000L != (now - (long) (dt * 1e9)) / 20_000_000L) {
                    System.out.printf("t %8.1f %s cwnd %.2f ssth %.2f pipe %.2f una %d%n", now / 1e6, idx == 0 ? "open" : idx == 1 ? "REC " : "LOSS",
                            t.cc.cwnd() / 1448.0, t.cc.ssthresh() / 1448.0, pipe / 1448.0, (t.sndUna - t.iss) / 1448);
                }
                acc[6] = idx;
                acc[7] = t.cc.cwnd() / (double) t.effMss;
                prevPipe[0] = pipe / (double) t.effMss;
            } catch (IllegalAccessException e) {
                throw new RuntimeException(e);
            }
            return received[0] < c.bytes();
        }, 600_000_000_000L);
        double total = (net.nowNs() - start) / 1e9;
        ConnectionStatus st = s.status();
        System.out.printf("%s seed %d: %.3f s, goodput %.0f KB/s, mss %d, rtx %d, RTOs %d, probes %d, spur(dsack) %d%n",
                c.name(), seed, total, received[0] / total / 1e3, t.effMss, st.retransmissions(), st.timeouts(),
                rec.probesSent(), st.spuriousRetransmissions());
        System.out.printf("  time open %.1f%%  recovery %.1f%%  loss %.1f%%  idle(pipe 0) %.1f%%; episodes %d%n",
                100 * acc[0] / total, 100 * acc[1] / total, 100 * acc[2] / total, 100 * acc[5] / total, episodes[0]);
        System.out.printf("  mean cwnd when open %.2f seg, mean pipe %.2f seg; data segs %d; client acks %d (with sack %d)%n",
                acc[3] / acc[0], acc[4] / total, st.segmentsSent(), counts[0], counts[1]);
        System.out.println("  notes " + notes);
        System.out.printf("  open: pipe %.2f cwnd %.2f; recovery: pipe %.2f cwnd %.2f%n", extra[0] / acc[0], extra[3] / acc[0],
                extra[1] / acc[1], extra[4] / acc[1]);
    }
}
