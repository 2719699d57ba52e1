package dev.jtcp.cli;

import dev.jtcp.api.NetStack;
import dev.jtcp.api.TcpSocket;
import dev.jtcp.api.TcpServerSocket;
import dev.jtcp.link.tun.InterfaceConfig;
import dev.jtcp.link.tun.TunLink;
import dev.jtcp.tcp.TcpConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jtcp bench tun}: jtcp on a real link, measured beside the kernel in the same run.
 *
 * <pre>
 *   namespace jtcp-bench-PID-c                      namespace jtcp-bench-PID-s
 *   kernel client (BenchPeer, child JVM)
 *     198.18.10.1 veth jtbv0 ------------------------ veth jtbv1 198.18.10.2  kernel server (BenchPeer, child JVM)
 *     198.18.11.1 TUN jtbt0 ---- this process: jtcp NetStack at 198.18.11.2, TunLink, serving the same protocol
 * </pre>
 *
 * <p>The same kernel client (the JDK's sockets in a child JVM, {@link BenchPeer}) measures both
 * servers, alternating which goes first each run. jtcp serves with handlers on its event loop
 * ({@link BenchLoopServer}, as {@code jtcp serve} does); its lifecycles are also measured against a
 * second jtcp server with one virtual thread per connection (as the kernel server has), to show
 * what the hand-offs between threads cost. The figures: push (the client sends N MB, the server
 * discards), pull (the server sends N MB) and sequential connection lifecycles (connect, 100 bytes
 * each way, close). The table gives medians over the runs and the jtcp/kernel ratio per figure,
 * with the load average seen, because this is usually run on a shared machine; and what jtcp's
 * event-loop thread did per second of its own CPU time (MB pushed or pulled, lifecycles), which
 * other processes on the machine disturb far less than the wall-clock rates; and the heap bytes this
 * process allocated per MB and per lifecycle.
 *
 * <p>Between runs, while the client waits, the engine's in-process bulk transfer ({@code jtcp
 * bench}'s MSS 1460 over a veth-like simulated link, both ends on one thread) is measured too, and
 * shown beside the kernel's veth push of the same runs. {@code bench/futex.sh} counts this
 * process's futex calls per MB and per lifecycle with perf.
 *
 * <p>The namespaces are deleted at the end whatever happens (a finally block, and a shutdown hook
 * for Ctrl-C); the TUN device goes with this process. Needs root: without it the command says so and
 * exits 77.
 */
@Command(name = "tun", mixinStandardHelpOptions = true,
        description = {"Measure kernel<->jtcp over a TUN device beside kernel<->kernel over a veth pair, in one run (needs root).",
                "The kernel side is the JDK's sockets in a child JVM; jtcp runs in this process.",
                "Creates namespaces jtcp-bench-PID-c/-s (addresses in 198.18.10.0/23) and always deletes them."})
public final class BenchTunCommand implements Callable<Integer> {
    private static final int PORT = 9000;
    /** jtcp's thread-per-connection server, for the lifecycles it costs beside the loop's handlers. */
    private static final int THREADS_PORT = 9001;
    private static final String THREADS = "jtcp-threads";
    private static final String KERNEL_CLIENT = "198.18.10.1/24";
    private static final String KERNEL_SERVER = "198.18.10.2/24";
    private static final String TUN_KERNEL = "198.18.11.1/24";
    private static final String TUN_JTCP = "198.18.11.2/24";
    private static final String[] FIGURES = {"push", "pull", "lifecycles"};
    /** The results key for the work jtcp's loop thread did per second of its CPU time. */
    private static final String LOOP_CPU = "jtcp-loop-cpu";
    /** The results key for the heap bytes this process allocated per MB or per lifecycle. */
    private static final String ALLOCATED = "jtcp-allocated";
    /**
     * The results key for the in-process bulk run (MSS 1460, veth-like link) between client runs:
     * "push" holds its MB/s, "pull" its MB per second of its thread's CPU time.
     */
    private static final String IN_PROCESS = "in-process";
    /** Seconds of each in-process bulk run, after one second unmeasured. */
    private static final double IN_PROCESS_SECONDS = 1.5;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--runs", defaultValue = "3", description = "Measured runs; medians are reported (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--mb", defaultValue = "100", description = "Megabytes per push and per pull (default ${DEFAULT-VALUE}).")
    long mb;

    @Option(names = "--warmup-mb", defaultValue = "30",
            description = "Megabytes pushed and pulled once per server before measuring, for the JIT (default ${DEFAULT-VALUE}).")
    long warmupMb;

    @Option(names = "--lifecycle-ms", defaultValue = "2000",
            description = "Milliseconds of sequential lifecycles per run (default ${DEFAULT-VALUE}).")
    long lifecycleMs;

    @Option(names = "--mtu", defaultValue = "1500", description = "MTU of the veth pair and of the TUN device (default ${DEFAULT-VALUE}).")
    int mtu;

    /** The --offload values. */
    enum Switch { on, off }

    @Option(names = "--offload", defaultValue = "on", paramLabel = "on|off",
            description = {"Open the TUN with the virtio-net header: partial checksums and 64 KiB TCP super-packets",
                    "both ways (default ${DEFAULT-VALUE}); off: one plain packet per read and write."})
    Switch offload;

    @Option(names = "--figures", defaultValue = "push,pull,lifecycles", split = ",", paramLabel = "FIGURE",
            description = "Which figures to measure: push, pull, lifecycles (default ${DEFAULT-VALUE}); e.g. to profile one.")
    List<String> figures;

    @Option(names = "--in-process", defaultValue = "on", paramLabel = "on|off",
            description = {"Between runs, also measure the engine in-process (jtcp bench's bulk at MSS 1460 over a",
                    "veth-like simulated link, both ends on one thread) beside the kernel's veth push (default ${DEFAULT-VALUE})."})
    Switch inProcess;

    /** The --jtcp-server values. */
    enum Server { loop, threads, both }

    @Option(names = "--jtcp-server", defaultValue = "both", paramLabel = "loop|threads|both",
            description = {"Which jtcp server the figures use: handlers on the event loop, or a virtual thread per",
                    "connection; both (default): the loop's, and lifecycles also against the threaded one."})
    Server jtcpServer;

    @Option(names = "--loops", defaultValue = "1", paramLabel = "N",
            description = "jtcp's event loops, one TUN queue each (IFF_MULTI_QUEUE when more than one; default ${DEFAULT-VALUE}).")
    int loops;

    @Option(names = "--streams", defaultValue = "1", paramLabel = "S",
            description = "Connections at once per figure: push and pull split the megabytes over S connections,"
                    + " lifecycles run on S client threads (default ${DEFAULT-VALUE}).")
    int streams;

    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (String f : figures) {
            if (!List.of(FIGURES).contains(f)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--figures takes push, pull and lifecycles, got '" + f + "'");
            }
        }
        if (!isRoot()) {
            err.println("jtcp: bench tun needs root (network namespaces, a veth pair, a TUN device): run it with sudo");
            err.flush();
            return ExitCodes.NO_PERMISSION;
        }
        if (loops < 1 || loops > 256) {
            throw new Failures.UsageException("--loops " + loops + ": use 1 to 256");
        }
        if (streams < 1 || streams > 64) {
            throw new Failures.UsageException("--streams " + streams + ": use 1 to 64");
        }
        String prefix = "jtcp-bench-" + ProcessHandle.current().pid();
        String client = prefix + "-c";
        String server = prefix + "-s";
        Thread cleanup = new Thread(this::cleanUp, "jtcp-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        String loadBefore = loadAverage();
        try {
            setUp(client, server);
            Map<String, Map<String, List<Double>>> results;
            String offloads;
            String linkStats;
            try (TunLink link = TunLink.create("jtbt0", client, mtu, List.of(TUN_KERNEL), offload == Switch.on,
                         loops > 1);
                 NetStack stack = NetStack.builder().name("bench").link(link).loops(loops).config(TcpConfig.defaults())
                         .address(TUN_JTCP).start()) {
                offloads = link.offloads();
                serveJtcp(stack);
                startKernelServer(server);
                results = runClient(client, err);
                linkStats = String.format(Locale.ROOT,
                        "TUN link: %,d packets in (%,d super-packets, largest %,d B, %,d checksums trusted, %,d completed),"
                                + " %,d out (%,d super-packets, %,d segments joined into them), %,d refused by the kernel",
                        link.packetsIn(), link.superPacketsIn(), link.largestPacketIn(), link.checksumsTrusted(),
                        link.checksumsCompleted(),
                        link.packetsOut(), link.superPacketsOut(), link.segmentsCoalesced(), link.txDropped())
                        + (loops == 1 ? "" : String.format(Locale.ROOT,
                                " (first queue of %d); %,d packets handed between loops", loops, stack.handOffs()[0]));
            }
            String loadAfter = loadAverage();
            print(out, results, offloads, loadBefore, loadAfter);
            out.println(linkStats);
            out.flush();
            return ExitCodes.OK;
        } catch (IOException e) {
            err.println("jtcp: bench tun: " + e.getMessage());
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
    }

    private void setUp(String client, String server) throws IOException {
        for (String ns : List.of(client, server)) {
            run("ip", "netns", "add", ns);
            synchronized (namespaces) {
                namespaces.add(ns);
            }
            InterfaceConfig.ip(ns, "link", "set", "lo", "up");
        }
        run("ip", "link", "add", "jtbv0", "netns", client, "type", "veth", "peer", "name", "jtbv1", "netns", server);
        InterfaceConfig.ip(client, "addr", "add", KERNEL_CLIENT, "dev", "jtbv0");
        InterfaceConfig.ip(server, "addr", "add", KERNEL_SERVER, "dev", "jtbv1");
        InterfaceConfig.ip(client, "link", "set", "jtbv0", "mtu", Integer.toString(mtu), "up");
        InterfaceConfig.ip(server, "link", "set", "jtbv1", "mtu", Integer.toString(mtu), "up");
    }

    /**
     * The jtcp servers, the same protocol as the kernel's: on {@link #PORT} with handlers on the event
     * loop ({@link BenchLoopServer}), and on {@link #THREADS_PORT} with one virtual thread per connection
     * over blocking sockets, as the kernel server does.
     */
    private static void serveJtcp(NetStack stack) throws IOException {
        BenchLoopServer.Buffers buffers = new BenchLoopServer.Buffers();
        stack.listen(new InetSocketAddress(PORT), 1024, () -> new BenchLoopServer(buffers));
        TcpServerSocket listener = stack.listen(new InetSocketAddress(THREADS_PORT), 1024);
        Thread.ofVirtual().name("bench-accept").start(() -> {
            while (true) {
                TcpSocket c;
                try {
                    c = listener.accept();
                } catch (IOException e) {
                    return; // the stack closed
                }
                Thread.ofVirtual().start(() -> {
                    try (c) {
                        BenchPeer.serve(c.getInputStream(), c.getOutputStream());
                    } catch (IOException e) {
                        // The client went away.
                    }
                });
            }
        });
    }

    private void startKernelServer(String ns) throws IOException {
        Process p = start(ns, "server", Integer.toString(PORT));
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (!"ready".equals(line)) {
            throw new IOException("the kernel-side server did not start (exit " + (p.isAlive() ? "?" : p.exitValue()) + ")");
        }
    }

    /** Runs the kernel client against both servers; returns target → figure → values. */
    private Map<String, Map<String, List<Double>>> runClient(String ns, PrintWriter err) throws IOException,
            InterruptedException {
        List<String> args = new ArrayList<>(List.of("client", "kernel=" + ip(KERNEL_SERVER) + ":" + PORT,
                "jtcp=" + ip(TUN_JTCP) + ":" + (jtcpServer == Server.threads ? THREADS_PORT : PORT)));
        if (figures.contains("lifecycles") && jtcpServer == Server.both) {
            args.add(THREADS + "=" + ip(TUN_JTCP) + ":" + THREADS_PORT + "/lifecycles");
        }
        args.addAll(List.of("--mb", Long.toString(mb), "--runs", Integer.toString(runs), "--lifecycle-ms", Long.toString(lifecycleMs),
                "--warmup-mb", Long.toString(warmupMb), "--figures", String.join(",", figures), "--pause",
                "--streams", Integer.toString(streams)));
        Process p = start(ns, args.toArray(String[]::new));
        Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
        for (String target : List.of("kernel", "jtcp", THREADS, LOOP_CPU, ALLOCATED, LOOP_CPU + THREADS,
                ALLOCATED + THREADS, IN_PROCESS)) {
            Map<String, List<Double>> m = new LinkedHashMap<>();
            for (String f : FIGURES) {
                m.put(f, new ArrayList<>());
            }
            results.put(target, m);
        }
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        // The loop thread's CPU time between two results is what the later figure cost jtcp (it idles
        // while the kernel server is measured): a figure that a busy machine disturbs far less
        // than wall-clock rates.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] loop = loopThreadIds();
        long cpuBefore = cpuTime(threads, loop);
        // Heap bytes allocated by every thread of this process (the loop, the server's threads), as
        // the loop's CPU: what a figure cost is the difference since the previous result.
        long allocatedBefore = allocatedBytes();
        PrintWriter toClient = new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8);
        String line;
        while ((line = r.readLine()) != null) {
            String[] f = line.split(" ");
            if (f.length == 5 && f[0].equals("RESULT")) {
                double value = Double.parseDouble(f[4]);
                results.get(f[1]).get(f[3]).add(value);
                long cpu = cpuTime(threads, loop);
                long allocated = allocatedBytes();
                if (!f[1].equals("kernel")) {
                    String suffix = f[1].equals(THREADS) ? THREADS : "";
                    double work = f[3].equals("lifecycles") ? value * lifecycleMs / 1000.0 : mb;
                    if (cpu > cpuBefore && cpuBefore >= 0) {
                        results.get(LOOP_CPU + suffix).get(f[3]).add(work / ((cpu - cpuBefore) / 1e9));
                    }
                    if (allocated >= 0 && allocatedBefore >= 0) {
                        results.get(ALLOCATED + suffix).get(f[3]).add((allocated - allocatedBefore) / work);
                    }
                }
                cpuBefore = cpu;
                allocatedBefore = allocated;
                err.printf("  run %s %-12s %-10s %s%n", f[2], f[1], f[3], f[4]);
                err.flush();
            } else if (f.length == 2 && f[0].equals("PAUSE")) {
                if (inProcess == Switch.on) {
                    double[] bulk = BenchCommand.bulk(1500, true, 1.0, IN_PROCESS_SECONDS);
                    double mbPerSecond = bulk[0];
                    results.get(IN_PROCESS).get("push").add(mbPerSecond);
                    results.get(IN_PROCESS).get("pull").add(bulk[2]);
                    err.printf(Locale.ROOT, "  run %s %-12s %-10s %.1f%n", f[1], "engine", "in-process", mbPerSecond);
                    err.flush();
                }
                cpuBefore = cpuTime(threads, loop);
                allocatedBefore = allocatedBytes();
                toClient.println("go");
            }
        }
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("the kernel-side client failed (exit " + (p.isAlive() ? "?" : p.exitValue()) + ")");
        }
        return results;
    }

    /** Heap bytes allocated by this process's threads so far, or -1 where the JVM cannot say. */
    private static long allocatedBytes() {
        // HotSpot's com.sun.management attribute, read by name (the CLI's module needs only java.management).
        try {
            return (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(
                    new javax.management.ObjectName(ManagementFactory.THREAD_MXBEAN_NAME), "TotalThreadAllocatedBytes");
        } catch (javax.management.JMException | RuntimeException e) {
            return -1;
        }
    }

    /** The ids of jtcp's event-loop threads ("jtcp-loop-bench", "jtcp-loop-bench-1", ...). */
    private static long[] loopThreadIds() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("jtcp-loop-bench") || t.getName().startsWith("jtcp-loop-bench-"))
                .mapToLong(Thread::threadId).toArray();
    }

    /** The CPU time of those threads together, or -1 if there are none or one cannot be read. */
    private static long cpuTime(ThreadMXBean threads, long[] ids) {
        long total = 0;
        for (long id : ids) {
            long t = threads.getThreadCpuTime(id);
            if (t < 0) {
                return -1;
            }
            total += t;
        }
        return ids.length == 0 ? -1 : total;
    }

    /** Starts {@code BenchPeer ARGS} in {@code ns} with this JVM and class path; output piped, errors shown. */
    private Process start(String ns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), BenchPeer.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        synchronized (children) {
            children.add(p);
        }
        return p;
    }

    private void print(PrintWriter out, Map<String, Map<String, List<Double>>> results, String offloads,
                       String loadBefore, String loadAfter) {
        out.printf("jtcp bench tun: the same kernel client (JDK sockets, child JVM) against a kernel server over veth%n");
        out.printf("and against jtcp over TUN; MTU %d, %d run(s), medians; TUN offloads: %s%s%n", mtu, runs, offloads,
                (loops == 1 ? "" : "; " + loops + " event loops on " + loops + " TUN queues")
                        + (streams == 1 ? "" : "; " + streams + " connections at once"));
        out.printf("jtcp's server: %s%n", jtcpServer == Server.threads ? "a virtual thread per connection (blocking sockets)"
                : "handlers on the event loop" + (jtcpServer == Server.both ? " (lifecycles also with a thread per connection)" : ""));
        out.printf("%-44s %16s %16s %12s%n", "figure", "kernel (veth)", "jtcp (TUN)", "jtcp/kernel");
        String[] labels = {"push (client sends " + mb + " MB, server discards)",
                "pull (server sends " + mb + " MB)", "lifecycles (connect, 100 B each way, close)"};
        for (int i = 0; i < FIGURES.length; i++) {
            if (!figures.contains(FIGURES[i])) {
                continue;
            }
            double k = median(results.get("kernel").get(FIGURES[i]));
            double j = median(results.get("jtcp").get(FIGURES[i]));
            String unit = i < 2 ? " MB/s" : " /s";
            row(out, labels[i], k, j, unit);
        }
        if (figures.contains("lifecycles") && jtcpServer == Server.both) {
            row(out, "  the same, jtcp thread-per-connection server", median(results.get("kernel").get("lifecycles")),
                    median(results.get(THREADS).get("lifecycles")), " /s");
        }
        if (figures.contains("push") && inProcess == Switch.on) {
            row(out, "in-process bulk, MSS 1460, vs the veth push", median(results.get("kernel").get("push")),
                    median(results.get(IN_PROCESS).get("push")), " MB/s");
            out.printf(Locale.ROOT, "in-process bulk per second of its thread's CPU time (both ends, one thread): %,.0f MB%n",
                    median(results.get(IN_PROCESS).get("pull")));
        }
        out.printf(Locale.ROOT, "jtcp's event-loop thread%s per second of %s CPU time: push %,.0f MB, pull %,.0f MB,"
                        + " %,.0f lifecycles%n", loops == 1 ? "" : "s", loops == 1 ? "its" : "their",
                median(results.get(LOOP_CPU).get("push")),
                median(results.get(LOOP_CPU).get("pull")), median(results.get(LOOP_CPU).get("lifecycles")));
        out.printf(Locale.ROOT, "heap allocated by this process: %,.0f B per MB pushed, %,.0f B per MB pulled,"
                        + " %,.0f B per lifecycle%n", median(results.get(ALLOCATED).get("push")),
                median(results.get(ALLOCATED).get("pull")), median(results.get(ALLOCATED).get("lifecycles")));
        if (figures.contains("lifecycles") && jtcpServer == Server.both) {
            out.printf(Locale.ROOT, "with the thread-per-connection server: %,.0f B per lifecycle, %,.0f lifecycles per"
                            + " second of the loop's CPU time%n", median(results.get(ALLOCATED + THREADS).get("lifecycles")),
                    median(results.get(LOOP_CPU + THREADS).get("lifecycles")));
        }
        out.printf("load average (1, 5, 15 min): before %s, after %s; %d cores%n", loadBefore, loadAfter,
                Runtime.getRuntime().availableProcessors());
        out.flush();
    }

    private static void row(PrintWriter out, String label, double kernel, double jtcp, String unit) {
        out.printf(Locale.ROOT, "%-44s %16s %16s %12s%n", label, String.format(Locale.ROOT, "%,.1f", kernel) + unit,
                String.format(Locale.ROOT, "%,.1f", jtcp) + unit, String.format(Locale.ROOT, "ratio %.3f", jtcp / kernel));
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /** Stops the children and deletes the namespaces (and so the veth pair); safe to call twice. */
    private void cleanUp() {
        synchronized (children) {
            for (Process p : children) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            children.clear();
        }
        synchronized (namespaces) {
            for (String ns : namespaces) {
                try {
                    run("ip", "netns", "del", ns);
                } catch (IOException e) {
                    System.err.println("jtcp: could not delete network namespace " + ns + ": " + e.getMessage());
                }
            }
            namespaces.clear();
        }
    }

    static String ip(String cidr) {
        return cidr.substring(0, cidr.indexOf('/'));
    }

    static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + ": interrupted", e);
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
