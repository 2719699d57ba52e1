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
 * from the connection's start to the last byte. The table gives the medians and jtcp/kernel.
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
     * bytes, answer one) or {@code pull N CC} (send N bytes, close), and the socket runs CC.
     */
    private static final String PEER = """
            import socket, sys
            TCP_CONGESTION = getattr(socket, 'TCP_CONGESTION', 13)
            ls = socket.socket()
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind(('0.0.0.0', int(sys.argv[1])))
            ls.listen(16)
            print('ready', flush=True)
            chunk = bytes(65536)
            while True:
                c, _ = ls.accept()
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
                except (OSError, ValueError) as e:
                    print('peer: ' + str(e), file=sys.stderr, flush=True)
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

    @Option(names = "--mb", defaultValue = "2", description = "Megabytes per transfer (default ${DEFAULT-VALUE}).")
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

    private String namespace;
    private Process peer;

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
                                err.printf(Locale.ROOT, "  loss %s%% %-5s run %d %-12s %8.3f MB/s  (handshake %.0f ms)%n",
                                        trim(loss), a.linuxName(), r + 1, jtcpSends ? "jtcp sends" : "kernel sends", rate,
                                        connectMs);
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

    /** One transfer of {@code bytes}; returns MB/s from the connect to the last byte. */
    private double transfer(NetStack stack, boolean jtcpSends, long bytes, String cc, Cell cell)
            throws IOException {
        InetSocketAddress kernel = new InetSocketAddress(BenchTunCommand.ip(KERNEL), PORT);
        byte[] buf = new byte[64 * 1024];
        long start = System.nanoTime();
        try (TcpSocket s = stack.connect(kernel, Duration.ofSeconds(10))) {
            connectMs = (System.nanoTime() - start) / 1e6;
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
        return bytes / 1e6 / seconds;
    }

    private void startPeer() throws IOException {
        List<String> cmd = List.of("ip", "netns", "exec", namespace, "python3", "-c", PEER, Integer.toString(PORT));
        peer = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
        if (!"ready".equals(r.readLine())) {
            throw new IOException("the kernel-side peer (python3) did not start");
        }
    }

    private void print(PrintWriter out, List<Cell> cells, String loadBefore, String loadAfter) {
        out.printf(Locale.ROOT, "jtcp bench tun-loss: %s MB per transfer through the same TUN link, loss each way and"
                + " %s delay each way; %d run(s), medians%n", trim(mb), delay, runs);
        out.printf("%-6s %-6s %14s %14s %12s %14s %10s%n", "loss", "cc", "jtcp sends", "kernel sends", "jtcp/kernel",
                "jtcp retrans", "jtcp RTOs");
        for (Cell c : cells) {
            double j = BenchTunCommand.median(c.jtcpSends());
            double k = BenchTunCommand.median(c.kernelSends());
            out.printf(Locale.ROOT, "%-6s %-6s %9.3f MB/s %9.3f MB/s %12.2f %14s %10s%n", trim(c.loss()) + "%", c.cc(), j, k,
                    j / k, medianLong(c.jtcpRetrans()), medianLong(c.jtcpTimeouts()));
        }
        out.printf("load average (1, 5, 15 min): before %s, after %s; %d cores%n", loadBefore, loadAfter,
                Runtime.getRuntime().availableProcessors());
        out.flush();
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
