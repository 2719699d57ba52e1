package dev.jtcp.cli;

import dev.jtcp.api.NetStack;
import dev.jtcp.api.TcpSocket;
import dev.jtcp.link.ImpairedLink;
import dev.jtcp.link.Link;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.tun.InterfaceConfig;
import dev.jtcp.link.tun.TunLink;
import dev.jtcp.tcp.ConnectionStatus;
import dev.jtcp.tcp.TcpConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jtcp bench tun-loss}: loss recovery against the Linux kernel on a real lossy link, both
 * directions side by side in one run.
 *
 * <pre>
 *   namespace jtcp-tunloss-PID
 *     kernel peer (python3, its own TCP_CONGESTION per connection)
 *     198.18.12.1 TUN jtlt0 ---- this process: ImpairedLink (loss, 5 ms each way) - jtcp NetStack at 198.18.12.2
 * </pre>
 *
 * <p>For each loss rate and each controller (reno, cubic, bbr), jtcp runs with {@code --cc} of that
 * name and the kernel peer sets the same controller on its socket ({@code TCP_CONGESTION}: a
 * network namespace may only make the controllers of {@code tcp_allowed_congestion_control} its
 * default, which often excludes cubic, but a privileged socket may choose any the kernel has). Each
 * run moves N MB twice through the same impairment: jtcp sending to the kernel (the kernel
 * acknowledges the last byte) and the kernel sending to jtcp, in alternating order, after
 * {@code --warmup} unmeasured transfers each way (jtcp runs interpreted at first). Goodput counts
 * from the established connection (the handshake is timed apart) to the last byte. The table gives the medians, jtcp/kernel and each
 * cell's spread (min..max). Each run's progress line on stderr says what held the sender back: its
 * busy time and the shares of it that the receive window and the send buffer limited (jtcp's
 * {@code ConnectionStatus}, the kernel's TCP_INFO), jtcp's window, RTT, retransmissions (D-SACKed
 * ones spurious) and RTOs, and the CPU that jtcp's event loop and the kernel's peer process used.
 *
 * <p>The faults are applied in this process ({@link ImpairedLink}, the same as {@code --impair}:
 * this machine's kernel may have no netem), per packet: the TUN device runs without offloads, so a
 * loss is one segment. The namespace is deleted at the end whatever happens. Needs root and
 * python3; without them the command says so and exits 77.
 */
@Command(name = "tun-loss", mixinStandardHelpOptions = true,
        description = {"Loss recovery against the kernel over a TUN device with --impair-style loss and delay, both",
                "directions in one run: jtcp sending to the kernel vs the kernel sending to jtcp, per loss rate and",
                "controller (jtcp --cc and the kernel's TCP_CONGESTION of the same name). Needs root and python3.",
                "Creates namespace jtcp-tunloss-PID (198.18.12.0/24) and always deletes it."})
public final class BenchTunLossCommand implements Callable<Integer> {
    private static final int PORT = 9100;
    private static final String KERNEL = "198.18.12.1/24";
    private static final String JTCP = "198.18.12.2/24";

    /**
     * The kernel's side: one connection at a time; the first line says {@code push N CC} (receive N
     * bytes, answer one) or {@code pull N CC} (send N bytes, close), and the socket runs CC. After
     * each connection it prints {@code info BUSY_US RWND_LIMITED_US SNDBUF_LIMITED_US RCV_SPACE
     * CPU_US}: its TCP_INFO's sender chronographs and receive space, and the CPU time it used.
     */
    private static final String PEER = """
            import resource, socket, struct, sys
            TCP_CONGESTION = getattr(socket, 'TCP_CONGESTION', 13)
            ls = socket.socket()
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind(('0.0.0.0', int(sys.argv[1])))
            ls.listen(16)
            print('ready', flush=True)
            chunk = bytes(65536)
            def cpu():
                r = resource.getrusage(resource.RUSAGE_SELF)
                return r.ru_utime + r.ru_stime
            while True:
                c, _ = ls.accept()
                cpu0 = cpu()
                try:
                    head = b''
                    while not head.endswith(b'\\n'):
                        b = c.recv(1)
                        if not b:
                            break
                        head += b
                    kind, n, cc = head.decode().split()
                    n = int(n)
                    c.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, cc.encode())
                    got = c.getsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, 16).split(b'\\0')[0].decode()
                    if got != cc:
                        print('the kernel runs ' + got + ', not ' + cc, file=sys.stderr, flush=True)
                        sys.exit(3)
                    if kind == 'push':
                        while n > 0:
                            b = c.recv(min(n, 1 << 20))
                            if not b:
                                break
                            n -= len(b)
                        c.sendall(b'k')
                    else:
                        while n > 0:
                            k = min(n, len(chunk))
                            c.sendall(chunk[:k])
                            n -= k
                    info = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 232)
                    busy, rwnd, sndbuf = struct.unpack_from('QQQ', info, 168) if len(info) >= 192 else (0, 0, 0)
                    rcv_space = struct.unpack_from('I', info, 96)[0] if len(info) >= 100 else 0
                    print('info %d %d %d %d %d' % (busy, rwnd, sndbuf, rcv_space, (cpu() - cpu0) * 1e6), flush=True)
                except (OSError, ValueError) as e:
                    print('peer: ' + str(e), file=sys.stderr, flush=True)
                    print('info 0 0 0 0 0', flush=True)
                finally:
                    c.close()
            """;

    @Spec
    CommandSpec spec;

    @Option(names = "--loss", split = ",", defaultValue = "1,3,5",
            description = "Loss rates in percent, each way (default ${DEFAULT-VALUE}).")
    List<Double> losses;

    @Option(names = "--delay", defaultValue = "5ms", description = "Delay each way (default ${DEFAULT-VALUE}).")
    String delay;

    @Option(names = "--cc", split = ",", defaultValue = "cubic,reno,bbr",
            description = "Controllers, each run by both stacks (default ${DEFAULT-VALUE}).")
    List<String> controllers;

    @Option(names = "--runs", defaultValue = "5", description = "Runs per cell; medians are printed (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--mb", defaultValue = "2", description = "Megabytes per transfer (default ${DEFAULT-VALUE}). At BBR's "
            + "rates 2 MB is mostly Startup, whose timing the run's load decides; use 20 or more to "
            + "compare BBR's senders, as issue 10 does (CUBIC at 5% loss then takes about 30 s per transfer).")
    double mb;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the fault injector (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--warmup", defaultValue = "1",
            description = "Unmeasured transfers each way before the first cell, so the JIT has compiled jtcp's paths "
                    + "for both directions (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--bbr-draft", description = "jtcp's BBR with draft-ietf-ccwg-bbr's loss bounds (BBRv3) instead of the "
            + "loss-tolerant default (TcpConfig.bbrLossTolerant off).")
    boolean bbrDraft;

    /** The latest transfer's handshake, ms (a lost SYN or SYN,ACK costs a 1 s timeout). */
    private double connectMs;

    /** The latest transfer's sender-side figures, for its progress line. */
    private String senderNote = "";

    private String namespace;
    private Process peer;
    /** The peer's standard output: "ready", then one "info ..." line per connection. */
    private BufferedReader peerOut;

    /** One cell's measurements. */
    private record Cell(double loss, String cc, List<Double> jtcpSends, List<Double> kernelSends, List<Long> jtcpRetrans,
                        List<Long> jtcpTimeouts) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (runs < 1 || warmup < 0 || mb <= 0 || losses.isEmpty() || controllers.isEmpty()) {
            throw new Failures.UsageException("--runs, --mb, --loss and --cc need positive values, --warmup at least 0");
        }
        List<TcpConfig.CongestionAlgorithm> algorithms = new ArrayList<>();
        for (String c : controllers) {
            try {
                algorithms.add(TcpConfig.CongestionAlgorithm.parse(c));
            } catch (IllegalArgumentException e) {
                throw new Failures.UsageException("--cc " + c + ": " + e.getMessage());
            }
        }
        if (!BenchTunCommand.isRoot()) {
            err.println("jtcp: bench tun-loss needs root (a network namespace and a TUN device): run it with sudo");
            err.flush();
            return ExitCodes.NO_PERMISSION;
        }
        if (!onPath("python3")) {
            err.println("jtcp: bench tun-loss needs python3 for the kernel's side (apt-get install python3)");
            err.flush();
            return ExitCodes.NO_PERMISSION;
        }
        namespace = "jtcp-tunloss-" + ProcessHandle.current().pid();
        Thread cleanup = new Thread(this::cleanUp, "jtcp-tunloss-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        String loadBefore = BenchTunCommand.loadAverage();
        long bytes = (long) (mb * 1_000_000);
        List<Cell> cells = new ArrayList<>();
        try {
            BenchTunCommand.run("ip", "netns", "add", namespace);
            InterfaceConfig.ip(namespace, "link", "set", "lo", "up");
            startPeer();
            long runSeed = seed;
            for (double loss : losses) {
                for (TcpConfig.CongestionAlgorithm a : algorithms) {
                    Cell cell = new Cell(loss, a.linuxName(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                            new ArrayList<>());
                    Impairments imp = Impairments.parse(String.format(Locale.ROOT, "loss=%s%%,delay=%s",
                            trim(loss), delay));
                    try (NetStack stack = NetStack.builder().name("tunloss").link(link(imp, runSeed++))
                            .config(TcpConfig.defaults().toBuilder().congestionControl(a).bbrLossTolerant(!bbrDraft)
                                    .build()).address(JTCP).start()) {
                        // The first cell would otherwise also measure the JIT compiling jtcp (both ways).
                        Cell discard = new Cell(loss, a.linuxName(), new ArrayList<>(), new ArrayList<>(),
                                new ArrayList<>(), new ArrayList<>());
                        for (int w = 0; cells.isEmpty() && w < warmup; w++) {
                            transfer(stack, true, bytes, a.linuxName(), discard);
                            transfer(stack, false, bytes, a.linuxName(), discard);
                        }
                        for (int r = 0; r < runs; r++) {
                            boolean jtcpFirst = r % 2 == 0;
                            for (int k = 0; k < 2; k++) {
                                boolean jtcpSends = (k == 0) == jtcpFirst;
                                double rate = transfer(stack, jtcpSends, bytes, a.linuxName(), cell);
                                (jtcpSends ? cell.jtcpSends() : cell.kernelSends()).add(rate);
                                err.printf(Locale.ROOT, "  loss %s%% %-5s run %d %-12s %8.3f MB/s  (handshake %.0f ms; %s)%n",
                                        trim(loss), a.linuxName(), r + 1, jtcpSends ? "jtcp sends" : "kernel sends", rate,
                                        connectMs, senderNote);
                                err.flush();
                            }
                        }
                    }
                    cells.add(cell);
                }
            }
        } catch (IOException e) {
            err.println("jtcp: bench tun-loss: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        } finally {
            cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // Shutting down already: the hook runs (cleanUp is idempotent).
            }
        }
        print(out, cells, loadBefore, BenchTunCommand.loadAverage());
        return ExitCodes.OK;
    }

    private Link link(Impairments imp, long linkSeed) throws IOException {
        TunLink tun = TunLink.create("jtlt0", namespace, 1500, List.of(KERNEL));
        return new ImpairedLink(tun, imp, linkSeed);
    }

    /**
     * One transfer of {@code bytes}; returns MB/s from the established connection to the last byte.
     * The handshake is timed apart ({@link #connectMs}): a lost SYN or SYN,ACK costs either stack's
     * sending the same 1 s timeout, which would swamp a transfer of a few hundred ms.
     */
    private double transfer(NetStack stack, boolean jtcpSends, long bytes, String cc, Cell cell)
            throws IOException {
        InetSocketAddress kernel = new InetSocketAddress(BenchTunCommand.ip(KERNEL), PORT);
        byte[] buf = new byte[64 * 1024];
        long loopCpu0 = loopCpuNs();
        long start = System.nanoTime();
        try (TcpSocket s = stack.connect(kernel, Duration.ofSeconds(10))) {
            connectMs = (System.nanoTime() - start) / 1e6;
            start = System.nanoTime();
            s.setSoTimeout(300_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(((jtcpSends ? "push " : "pull ") + bytes + " " + cc + "\n").getBytes(StandardCharsets.US_ASCII));
            if (jtcpSends) {
                long left = bytes;
                while (left > 0) {
                    int k = (int) Math.min(left, buf.length);
                    out.write(buf, 0, k);
                    left -= k;
                }
                out.flush();
                if (in.read() != 'k') {
                    throw new IOException("the kernel peer did not confirm the push");
                }
                ConnectionStatus st = s.status();
                cell.jtcpRetrans().add(st.retransmissions());
                cell.jtcpTimeouts().add(st.timeouts());
                senderNote = limits(st.busyNs(), st.rwndLimitedNs(), st.sndbufLimitedNs())
                        + String.format(Locale.ROOT, ", cwnd %d kB, srtt %.1f ms, retransmitted %d (%d spurious)", st.cwnd() / 1000,
                        st.srttNs() / 1e6, st.retransmissions(), st.spuriousRetransmissions()) + ", RTOs " + st.timeouts();
            } else {
                long got = 0;
                int n;
                while ((n = in.read(buf)) >= 0) {
                    got += n;
                }
                if (got != bytes) {
                    throw new IOException("received " + got + " of " + bytes + " bytes from the kernel");
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long loopCpuNs = loopCpuNs() - loopCpu0;
        String info = peerOut.readLine();
        String[] f = info == null ? new String[0] : info.split(" ");
        if (f.length == 6 && f[0].equals("info") && !jtcpSends) {
            senderNote = limits(Long.parseLong(f[1]) * 1000, Long.parseLong(f[2]) * 1000, Long.parseLong(f[3]) * 1000);
        } else if (f.length == 6 && f[0].equals("info")) {
            senderNote += ", kernel rcv_space " + Long.parseLong(f[4]) / 1000 + " kB";
        }
        if (f.length == 6) {
            senderNote += String.format(Locale.ROOT, "; CPU: jtcp's loop %.0f%%, kernel peer %.0f%%",
                    100 * loopCpuNs / 1e9 / seconds, 100 * Long.parseLong(f[5]) / 1e6 / seconds);
        }
        return bytes / 1e6 / seconds;
    }

    /** The CPU time of this stack's event-loop thread so far, ns, or 0 if it cannot be read. */
    private static long loopCpuNs() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("jtcp-loop-tunloss")) {
                return Math.max(0, threads.getThreadCpuTime(t.threadId()));
            }
        }
        return 0;
    }

    /** The sender's busy time and the shares of it held back by the receive window and the send buffer. */
    private static String limits(long busyNs, long rwndNs, long sndbufNs) {
        double busy = Math.max(busyNs, 1);
        return String.format(Locale.ROOT, "sender busy %.2f s, rwnd-limited %.0f%%, sndbuf-limited %.0f%%", busyNs / 1e9,
                100 * rwndNs / busy, 100 * sndbufNs / busy);
    }

    private void startPeer() throws IOException {
        List<String> cmd = List.of("ip", "netns", "exec", namespace, "python3", "-c", PEER, Integer.toString(PORT));
        peer = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        peerOut = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
        if (!"ready".equals(peerOut.readLine())) {
            throw new IOException("the kernel-side peer (python3) did not start");
        }
    }

    private void print(PrintWriter out, List<Cell> cells, String loadBefore, String loadAfter) {
        out.printf(Locale.ROOT, "jtcp bench tun-loss: %s MB per transfer through the same TUN link, loss each way and"
                + " %s delay each way; %d run(s), medians%n", trim(mb), delay, runs);
        out.printf("%-6s %-6s %14s %14s %12s %14s %10s   %s%n", "loss", "cc", "jtcp sends", "kernel sends", "jtcp/kernel",
                "jtcp retrans", "jtcp RTOs", "runs' spread, MB/s: jtcp | kernel");
        for (Cell c : cells) {
            double j = BenchTunCommand.median(c.jtcpSends());
            double k = BenchTunCommand.median(c.kernelSends());
            out.printf(Locale.ROOT, "%-6s %-6s %9.3f MB/s %9.3f MB/s %12.2f %14s %10s   %s | %s%n", trim(c.loss()) + "%", c.cc(), j,
                    k, j / k, medianLong(c.jtcpRetrans()), medianLong(c.jtcpTimeouts()), spread(c.jtcpSends()),
                    spread(c.kernelSends()));
        }
        out.printf("load average (1, 5, 15 min): before %s, after %s; %d cores%n", loadBefore, loadAfter,
                Runtime.getRuntime().availableProcessors());
        out.flush();
    }

    /** min..max of a cell's runs, MB/s. */
    private static String spread(List<Double> v) {
        double min = v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return String.format(Locale.ROOT, "%.1f..%.1f", min, max);
    }

    private static String medianLong(List<Long> v) {
        if (v.isEmpty()) {
            return "-";
        }
        List<Double> d = new ArrayList<>();
        v.forEach(x -> d.add(x.doubleValue()));
        return String.format(Locale.ROOT, "%.0f", BenchTunCommand.median(d));
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private void cleanUp() {
        Process p = peer;
        peer = null;
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String ns = namespace;
        namespace = null;
        if (ns != null) {
            try {
                BenchTunCommand.run("ip", "netns", "del", ns);
            } catch (IOException e) {
                System.err.println("jtcp: could not delete network namespace " + ns + ": " + e.getMessage());
            }
        }
    }
}
