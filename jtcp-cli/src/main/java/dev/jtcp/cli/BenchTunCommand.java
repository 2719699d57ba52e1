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
 * servers, alternating which goes first each run: push (the client sends N MB, the server
 * discards), pull (the server sends N MB) and sequential connection lifecycles (connect, 100 bytes
 * each way, close). The table gives medians over the runs and the jtcp/kernel ratio per figure,
 * with the load average seen, because this is usually run on a shared machine; and what jtcp's
 * event-loop thread did per second of its own CPU time (MB pushed or pulled, lifecycles), which
 * other processes on the machine disturb far less than the wall-clock rates.
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
    private static final String KERNEL_CLIENT = "198.18.10.1/24";
    private static final String KERNEL_SERVER = "198.18.10.2/24";
    private static final String TUN_KERNEL = "198.18.11.1/24";
    private static final String TUN_JTCP = "198.18.11.2/24";
    private static final String[] FIGURES = {"push", "pull", "lifecycles"};
    /** The results key for the work jtcp's loop thread did per second of its CPU time. */
    private static final String LOOP_CPU = "jtcp-loop-cpu";

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

    /** The jtcp server: the same protocol as the kernel's, one virtual thread per connection. */
    private static void serveJtcp(NetStack stack) throws IOException {
        TcpServerSocket listener = stack.listen(new InetSocketAddress(PORT), 1024);
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
        Process p = start(ns, "client", "kernel=" + ip(KERNEL_SERVER) + ":" + PORT, "jtcp=" + ip(TUN_JTCP) + ":" + PORT,
                "--mb", Long.toString(mb), "--runs", Integer.toString(runs), "--lifecycle-ms", Long.toString(lifecycleMs),
                "--warmup-mb", Long.toString(warmupMb), "--streams", Integer.toString(streams));
        Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
        for (String target : List.of("kernel", "jtcp", LOOP_CPU)) {
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
        String line;
        while ((line = r.readLine()) != null) {
            String[] f = line.split(" ");
            if (f.length == 5 && f[0].equals("RESULT")) {
                double value = Double.parseDouble(f[4]);
                results.get(f[1]).get(f[3]).add(value);
                long cpu = cpuTime(threads, loop);
                if (f[1].equals("jtcp") && cpu > cpuBefore && cpuBefore >= 0) {
                    double work = f[3].equals("lifecycles") ? value * lifecycleMs / 1000.0 : mb;
                    results.get(LOOP_CPU).get(f[3]).add(work / ((cpu - cpuBefore) / 1e9));
                }
                cpuBefore = cpu;
                err.printf("  run %s %-6s %-10s %s%n", f[2], f[1], f[3], f[4]);
                err.flush();
            }
        }
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("the kernel-side client failed (exit " + (p.isAlive() ? "?" : p.exitValue()) + ")");
        }
        return results;
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
        out.printf("%-44s %16s %16s %12s%n", "figure", "kernel (veth)", "jtcp (TUN)", "jtcp/kernel");
        String[] labels = {"push (client sends " + mb + " MB, server discards)",
                "pull (server sends " + mb + " MB)", "lifecycles (connect, 100 B each way, close)"};
        for (int i = 0; i < FIGURES.length; i++) {
            double k = median(results.get("kernel").get(FIGURES[i]));
            double j = median(results.get("jtcp").get(FIGURES[i]));
            String unit = i < 2 ? " MB/s" : " /s";
            out.printf(Locale.ROOT, "%-44s %16s %16s %12s%n", labels[i], String.format(Locale.ROOT, "%,.1f", k) + unit,
                    String.format(Locale.ROOT, "%,.1f", j) + unit, String.format(Locale.ROOT, "ratio %.3f", j / k));
        }
        out.printf(Locale.ROOT, "jtcp's event-loop thread%s per second of %s CPU time: push %,.0f MB, pull %,.0f MB,"
                        + " %,.0f lifecycles%n", loops == 1 ? "" : "s", loops == 1 ? "its" : "their",
                median(results.get(LOOP_CPU).get("push")),
                median(results.get(LOOP_CPU).get("pull")), median(results.get(LOOP_CPU).get("lifecycles")));
        out.printf("load average (1, 5, 15 min): before %s, after %s; %d cores%n", loadBefore, loadAfter,
                Runtime.getRuntime().availableProcessors());
        out.flush();
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
