package dev.jtcp.cli;

import dev.jtcp.api.NetStack;
import dev.jtcp.api.StackStats;
import dev.jtcp.api.TcpServerSocket;
import dev.jtcp.api.TcpSocket;
import dev.jtcp.link.tun.InterfaceConfig;
import dev.jtcp.link.tun.TunLink;
import dev.jtcp.tcp.TcpConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jtcp bench storm}: a crowd of kernel clients against a jtcp echo server over a TUN device.
 *
 * <pre>
 *   namespace jtcp-storm-PID                                this process
 *   kernel clients (StormPeer, child JVM)
 *     198.18.1.1 .. 198.18.1.K (sources)  TUN jtst0 ------  jtcp NetStack 198.18.0.2/16, echo on port 7
 * </pre>
 *
 * <p>Burst (the default): every connection is started at once with non-blocking connects, echoes 32
 * bytes, half-closes and waits for the server's FIN; the server is {@code jtcp serve echo}'s (one
 * virtual thread per connection). The run passes when every connection established, echoed and
 * closed (no reset, no time-out), no client socket is left in the kernel and jtcp holds no
 * connection afterwards (those it still holds are listed; a cookie that only added the client's ISN
 * once let a duplicated last ACK rebuild a closed connection). It prints the burst, how long until all were established and the rate (accepts/s), the
 * stack's counters and the TUN device's drops, with the load seen.
 *
 * <p>{@code --hold}: the connections stay open once echoed (the server echoes with asynchronous
 * reads, no thread per connection); the heap after a full collection is taken before and while all
 * are held, and the difference per connection is printed; then all are closed as above.
 *
 * <p>{@code --burn N} adds N busy threads in this process for the run (CPU contention). Needs root;
 * the namespace is always deleted.
 */
@Command(name = "storm", mixinStandardHelpOptions = true,
        description = {"A burst of kernel connections against a jtcp echo server over TUN (needs root).",
                "Every connection must establish, echo and close; prints accepts/s, losses, counters and the load.",
                "--hold keeps them all open and prints the heap per connection.",
                "Creates namespace jtcp-storm-PID (addresses in 198.18.0.0/16) and always deletes it."})
public final class BenchStormCommand implements Callable<Integer> {
    private static final int PORT = 7;
    private static final String JTCP = "198.18.0.2/16";
    private static final String KERNEL = "198.18.0.1/16";

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--connections", defaultValue = "20000", description = "Connections in the burst (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--sources", defaultValue = "4",
            description = "Kernel-side source addresses, 198.18.1.1 up (default ${DEFAULT-VALUE}).")
    int sources;

    @Option(names = "--msl", defaultValue = "5s", description = "jtcp's MSL (default ${DEFAULT-VALUE}).")
    Duration msl;

    @Option(names = "--timeout", defaultValue = "90s",
            description = "How long the clients may take in all (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--backlog", defaultValue = "1024", description = "The listener's backlog (default ${DEFAULT-VALUE}).")
    int backlog;

    @Option(names = "--burn", defaultValue = "0", description = "Busy threads in this process during the run (default ${DEFAULT-VALUE}).")
    int burn;

    @Option(names = "--hold", description = "Hold every connection open and report the heap per connection.")
    boolean hold;

    @Option(names = "--syn-flood", defaultValue = "0s",
            description = {"Flood jtcp with spoofed SYNs (198.18.128.0/17, python3 raw socket) for this long,",
                    "starting 2 s before the clients, which then measure the legitimate success rate (default: none)."})
    Duration synFlood;

    /** The flood generator's last line, "FLOOD packets seconds", or null. */
    private volatile String floodResult;

    private final List<Process> children = new ArrayList<>();
    /** CPU time jtcp's event loop spent during the run. */
    private long loopCpuNs;
    private volatile String namespace;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (connections < 1 || sources < 1 || sources > 250 || backlog < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--connections and --backlog must be at least 1, --sources 1 to 250");
        }
        if (!BenchTunCommand.isRoot()) {
            err.println("jtcp: bench storm needs root (a network namespace and a TUN device): run it with sudo");
            err.flush();
            return ExitCodes.NO_PERMISSION;
        }
        String ns = "jtcp-storm-" + ProcessHandle.current().pid();
        Thread cleanup = new Thread(this::cleanUp, "jtcp-storm-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        AtomicBoolean burning = new AtomicBoolean(true);
        try {
            run("ip", "netns", "add", ns);
            namespace = ns;
            InterfaceConfig.ip(ns, "link", "set", "lo", "up");
            // Every source address may use almost every port (one port per connection per source).
            run("ip", "netns", "exec", ns, "sh", "-c", "echo '1024 65535' > /proc/sys/net/ipv4/ip_local_port_range");
            List<String> kernelAddresses = new ArrayList<>(List.of(KERNEL));
            List<String> sourceList = new ArrayList<>();
            for (int i = 1; i <= sources; i++) {
                kernelAddresses.add("198.18.1." + i + "/16");
                sourceList.add("198.18.1." + i);
            }
            TcpConfig config = TcpConfig.defaults().toBuilder().msl(msl).build();
            String load0 = BenchTunCommand.loadAverage();
            try (TunLink link = TunLink.create("jtst0", ns, 1500, kernelAddresses);
                 NetStack stack = NetStack.builder().name("storm").config(config).address(JTCP).link(link).start()) {
                TcpServerSocket listener = stack.listen(new InetSocketAddress(PORT), backlog);
                if (hold) {
                    serveAsync(listener);
                } else {
                    serveEcho(listener);
                }
                for (int i = 0; i < burn; i++) {
                    Thread.ofPlatform().daemon(true).name("storm-burn-" + i).start(() -> {
                        long x = 0;
                        while (burning.get()) {
                            x += System.nanoTime() & 7;
                        }
                        if (x == 42) {
                            System.err.print("");
                        }
                    });
                }
                long heap0 = hold ? usedHeapAfterGc() : 0;
                Process flood = synFlood.isZero() ? null : startFlood(ns);
                if (flood != null) {
                    Thread.sleep(2000);
                }
                long loopCpu0 = loopCpuNs();
                List<Process> processes = new ArrayList<>();
                int perSource = connections / sources;
                for (int i = 0; i < sources; i++) {
                    processes.add(startClient(ns, sourceList.get(i), perSource + (i < connections % sources ? 1 : 0)));
                }
                Clients crowd = new Clients(processes, stack, err);
                long heapPerConnection = -1;
                int held = -1;
                if (hold) {
                    held = crowd.awaitHeld();
                    long heap1 = usedHeapAfterGc();
                    heapPerConnection = held > 0 ? (heap1 - heap0) / held : -1;
                    err.printf(Locale.ROOT, "held %,d connections; %s%n", held, stack.stats());
                    err.flush();
                    crowd.release();
                }
                long[] result = crowd.awaitResults();
                loopCpuNs = loopCpuNs() - loopCpu0;
                if (flood != null) {
                    flood.waitFor(synFlood.toSeconds() + 30, TimeUnit.SECONDS);
                }
                burning.set(false);
                if (result == null) {
                    err.println("jtcp: bench storm: a client ended without a result");
                    err.flush();
                    return ExitCodes.FAILURE;
                }
                // The last ACKs of the server's FINs: give the stack a moment to empty.
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < deadline && stack.stats().connectionCount() > 0) {
                    Thread.sleep(50);
                }
                StackStats stats = stack.stats();
                if (stats.connectionCount() > 0) {
                    err.println("connections left in jtcp (at most 10):");
                    for (String c : stack.inspect(h -> h.connections().stream().limit(10)
                            .map(c -> "  " + c.key() + " " + c.status()).toList())) {
                        err.println(c);
                    }
                    err.flush();
                }
                String leftInKernel = leftInKernel(ns);
                String tunDrops = tunDrops(ns);
                return report(out, result, crowd.firstError(), stats, leftInKernel, tunDrops, link, load0,
                        heapPerConnection, held);
            }
        } catch (IOException e) {
            err.println("jtcp: bench storm: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        } finally {
            burning.set(false);
            cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // Shutting down already: the hook runs (cleanUp is idempotent).
            }
        }
    }

    private int report(PrintWriter out, long[] f, String error, StackStats stats, String leftInKernel,
                       String tunDrops, TunLink link, String load0, long heapPerConnection, int held) {
        long started = f[0];
        long established = f[1];
        long echoed = f[2];
        long closed = f[3];
        long lastEstablishedMs = f[8];
        long doneMs = f[10];
        boolean ok = started == connections && closed == connections && leftInKernel.isEmpty()
                && stats.connectionCount() == 0;
        out.printf(Locale.ROOT, "jtcp bench storm: %,d connections from %d kernel source address(es) at once against"
                + " jtcp's echo over TUN (backlog %d, MSL %s%s)%n", connections, sources, backlog, msl,
                burn > 0 ? ", " + burn + " busy threads" : "");
        out.printf(Locale.ROOT, "%,d of %,d established, %,d echoed, %,d closed cleanly; reset %s, refused %s,"
                        + " timed out %,d, other %,d%n", established, connections, echoed, closed, f[4], f[5], f[6], f[7]);
        out.printf(Locale.ROOT, "all established after %,d ms: %,.0f accepts/s; all done after %,d ms%n",
                lastEstablishedMs, lastEstablishedMs > 0 ? established * 1000.0 / lastEstablishedMs : 0.0, doneMs);
        out.printf(Locale.ROOT, "jtcp's event loop used %,.1f s of CPU for the run: %,.0f connection lifecycles per CPU second%n",
                loopCpuNs / 1e9, loopCpuNs > 0 ? closed / (loopCpuNs / 1e9) : 0.0);
        if (floodResult != null) {
            String[] ff = floodResult.split(" ");
            long packets = Long.parseLong(ff[1]);
            double secs = Double.parseDouble(ff[2]);
            out.printf(Locale.ROOT, "SYN flood: %,d spoofed SYNs in %.1f s (%,.0f/s) from 198.18.128.0/17; legitimate"
                    + " connections that established, echoed and closed: %,d of %,d (%.2f%%); cookies sent %,d%n",
                    packets, secs, packets / secs, closed, connections, 100.0 * closed / connections, stats.cookiesSent());
        }
        if (hold) {
            out.printf(Locale.ROOT, "held %,d connections at once: heap per connection %,d bytes"
                    + " (after a full GC; engine, socket and the echo's pending read)%n", held, heapPerConnection);
        }
        out.printf("stack afterwards: %s%n", stats);
        out.printf(Locale.ROOT, "TUN: %,d packets in, %,d out, %,d refused by the kernel; kernel side: %s%n",
                link.packetsIn(), link.packetsOut(), link.txDropped(), tunDrops);
        if (!leftInKernel.isEmpty()) {
            out.println("client sockets left in the kernel: " + leftInKernel);
        }
        if (error != null) {
            out.println("first client error: " + error);
        }
        out.printf("load average (1, 5, 15 min): before %s, after %s; %d cores%n", load0, BenchTunCommand.loadAverage(),
                Runtime.getRuntime().availableProcessors());
        if (stats.connectionCount() > 0) {
            out.printf(Locale.ROOT, "jtcp still holds %,d connection(s) its peers closed (see above)%n",
                    stats.connectionCount());
        }
        out.println(ok ? "PASS: every connection established, echoed and closed"
                : "FAIL: connections were lost, or jtcp kept some its peers closed");
        out.flush();
        return ok ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /** {@code jtcp serve echo}'s server: one virtual thread per connection, echo until EOF, then close. */
    private static void serveEcho(TcpServerSocket listener) {
        Thread.ofVirtual().name("storm-accept").start(() -> {
            while (true) {
                TcpSocket c;
                try {
                    c = listener.accept();
                } catch (IOException e) {
                    return;
                }
                Thread.ofVirtual().start(() -> {
                    try (c) {
                        c.getInputStream().transferTo(c.getOutputStream());
                        c.shutdownOutput();
                    } catch (IOException e) {
                        // Counted by the client.
                    }
                });
            }
        });
    }

    /** An echo server without a thread per connection: asynchronous reads and writes of a small buffer. */
    private static void serveAsync(TcpServerSocket listener) {
        Thread.ofVirtual().name("storm-accept").start(() -> {
            while (true) {
                TcpSocket c;
                try {
                    c = listener.accept();
                } catch (IOException e) {
                    return;
                }
                echoAsync(c, ByteBuffer.allocate(StormPeer.MESSAGE));
            }
        });
    }

    private static void echoAsync(TcpSocket c, ByteBuffer buf) {
        buf.clear();
        c.read(buf).whenComplete((n, e) -> {
            if (e != null) {
                c.abort();
            } else if (n < 0) {
                try {
                    c.shutdownOutput();
                } catch (IOException ignored) {
                    // Counted by the client.
                }
                c.close();
            } else {
                buf.flip();
                c.write(buf).whenComplete((v, e2) -> {
                    if (e2 != null) {
                        c.abort();
                    } else {
                        echoAsync(c, buf);
                    }
                });
            }
        });
    }

    /** Starts one client JVM for {@code count} connections from {@code source} (a process may hold only 20,000 descriptors here). */
    private Process startClient(String ns, String source, int count) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of("ip", "netns", "exec", ns, java, "-Xmx" + Math.max(128, count / 100) + "m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                StormPeer.class.getName(), hold ? "hold" : "burst", "198.18.0.2:" + PORT, source,
                Integer.toString(count), Long.toString(timeout.toSeconds()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE)
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        synchronized (children) {
            children.add(p);
        }
        return p;
    }

    /** The client processes: the output of each read by its own threads, their progress summed once a second. */
    private static final class Clients {
        private final List<Process> processes;
        private final int[][] progress;
        private final long[][] results;
        private final CountDownLatch held;
        private final CountDownLatch done;
        private int heldCount;
        private volatile String firstError;

        Clients(List<Process> processes, NetStack stack, PrintWriter err) {
            this.processes = processes;
            int n = processes.size();
            progress = new int[n][5];
            results = new long[n][];
            held = new CountDownLatch(n);
            done = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                int k = i;
                Thread.ofPlatform().daemon(true).name("storm-out-" + i).start(() -> readOutput(k));
                Thread.ofPlatform().daemon(true).name("storm-err-" + i).start(() -> readErrors(k, err));
            }
            Thread.ofPlatform().daemon(true).name("storm-progress").start(() -> {
                while (done.getCount() > 0) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    int[] sum = new int[5];
                    synchronized (progress) {
                        for (int[] p : progress) {
                            for (int j = 0; j < 5; j++) {
                                sum[j] += p[j];
                            }
                        }
                    }
                    String stats;
                    try {
                        stats = stack.stats().toString();
                    } catch (RuntimeException e) {
                        stats = "(stack closed)";
                    }
                    err.printf(Locale.ROOT, "  started %,d established %,d echoed %,d closed %,d failed %,d | %s%n",
                            sum[0], sum[1], sum[2], sum[3], sum[4], stats);
                    err.flush();
                }
            });
        }

        private void readOutput(int k) {
            BufferedReader r = new BufferedReader(new InputStreamReader(processes.get(k).getInputStream(),
                    StandardCharsets.UTF_8));
            try {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("HELD ")) {
                        synchronized (this) {
                            heldCount += Integer.parseInt(line.substring(5).strip());
                        }
                        held.countDown();
                    } else if (line.startsWith("RESULT ")) {
                        String[] f = line.split(" ");
                        long[] v = new long[f.length - 1];
                        for (int j = 1; j < f.length; j++) {
                            v[j - 1] = Long.parseLong(f[j]);
                        }
                        results[k] = v;
                    } else if (line.startsWith("ERROR ") && firstError == null) {
                        firstError = line.substring(6);
                    }
                }
            } catch (IOException e) {
                // The child ended.
            } finally {
                held.countDown();
                done.countDown();
            }
        }

        private void readErrors(int k, PrintWriter err) {
            BufferedReader r = new BufferedReader(new InputStreamReader(processes.get(k).getErrorStream(),
                    StandardCharsets.UTF_8));
            try {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("PROGRESS ")) {
                        String[] f = line.split(" ");
                        synchronized (progress) {
                            for (int j = 0; j < 5; j++) {
                                progress[k][j] = Integer.parseInt(f[j + 1]);
                            }
                        }
                    } else {
                        err.println("  client " + k + ": " + line);
                        err.flush();
                    }
                }
            } catch (IOException e) {
                // The child ended.
            }
        }

        /** Waits until every client holds its connections (or ended); returns how many are held. */
        int awaitHeld() throws InterruptedException {
            held.await();
            synchronized (this) {
                return heldCount;
            }
        }

        /** Tells every client to close the connections it holds. */
        void release() {
            for (Process p : processes) {
                try {
                    OutputStream o = p.getOutputStream();
                    o.write('\n');
                    o.flush();
                } catch (IOException e) {
                    // That client ended already; its result says why.
                }
            }
        }

        /** Waits for every result: counts summed, times at their maximum; null if one is missing. */
        long[] awaitResults() throws InterruptedException {
            done.await();
            long[] sum = new long[11];
            for (long[] r : results) {
                if (r == null || r.length < 11) {
                    return null;
                }
                for (int j = 0; j < 8; j++) {
                    sum[j] += r[j];
                }
                for (int j = 8; j < 11; j++) {
                    sum[j] = Math.max(sum[j], r[j]);
                }
            }
            return sum;
        }

        String firstError() {
            return firstError;
        }
    }

    /** Starts the SYN flood generator in {@code ns} (python3 with a raw socket); its result line is kept. */
    private Process startFlood(String ns) throws IOException {
        Path script = Files.createTempFile("jtcp-syn-flood", ".py");
        script.toFile().deleteOnExit();
        try (var in = BenchStormCommand.class.getResourceAsStream("syn_flood.py")) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "python3", script.toString(), "198.18.0.2",
                Integer.toString(PORT), Double.toString(synFlood.toMillis() / 1000.0))
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        synchronized (children) {
            children.add(p);
        }
        Thread.ofPlatform().daemon(true).name("storm-flood").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("FLOOD ")) {
                        floodResult = line;
                    } else {
                        System.err.println("  flood: " + line);
                    }
                }
            } catch (IOException e) {
                // The generator ended.
            }
        });
        return p;
    }

    /** Client sockets still in the kernel towards jtcp (anything but TIME-WAIT), summarised by state. */
    private static String leftInKernel(String ns) throws IOException {
        String ss = capture("ip", "netns", "exec", ns, "ss", "-Htan", "dst", "198.18.0.2");
        java.util.Map<String, Integer> byState = new java.util.TreeMap<>();
        for (String l : ss.lines().toList()) {
            String state = l.strip().split("\\s+")[0];
            if (!state.isEmpty() && !state.equals("TIME-WAIT")) {
                byState.merge(state, 1, Integer::sum);
            }
        }
        return byState.isEmpty() ? "" : byState.toString();
    }

    /** The kernel's counters of the TUN device: packets it could not queue for jtcp (txqueuelen). */
    private static String tunDrops(String ns) throws IOException {
        String txDropped = capture("ip", "netns", "exec", ns, "cat", "/sys/class/net/jtst0/statistics/tx_dropped").strip();
        String rxDropped = capture("ip", "netns", "exec", ns, "cat", "/sys/class/net/jtst0/statistics/rx_dropped").strip();
        return "queue towards jtcp dropped " + txDropped + ", from jtcp dropped " + rxDropped;
    }

    /** The CPU time of this stack's event-loop thread so far, or 0 if it cannot be found. */
    private static long loopCpuNs() {
        var threads = ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("jtcp-loop-storm")) {
                return Math.max(0, threads.getThreadCpuTime(t.threadId()));
            }
        }
        return 0;
    }

    private static long usedHeapAfterGc() {
        var mem = ManagementFactory.getMemoryMXBean();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            best = Math.min(best, mem.getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    private void cleanUp() {
        synchronized (children) {
            for (Process p : children) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            children.clear();
        }
        String ns = namespace;
        namespace = null;
        if (ns != null) {
            try {
                run("ip", "netns", "del", ns);
            } catch (IOException e) {
                System.err.println("jtcp: could not delete network namespace " + ns + ": " + e.getMessage());
            }
        }
    }

    private static String capture(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + output.strip());
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + ": interrupted", e);
        }
    }

    private static void run(String... cmd) throws IOException {
        capture(cmd);
    }
}
