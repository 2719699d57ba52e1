package dev.jtcp.cli;

import dev.jtcp.api.NetStack;
import dev.jtcp.forward.Forwarder;
import dev.jtcp.stack.Host;
import dev.jtcp.wire.DropReason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jtcp bench flows}: memory per relayed flow of {@code jtcp forward}, and memory under a SYN
 * flood. Run it as root inside the server's network namespace with its TUN in the client's ({@code
 * --netns}), where {@code --server} is an address of this namespace (bench/flows.sh sets that up):
 * it starts an echo server on that address, the forwarder, and in the client namespace a Python
 * client that opens {@code --flows} connections through the TUN, sends and reads back 100 bytes on
 * each, and holds them; then closes them all. The JVM holds only the forwarder's side (its stack,
 * its relays, its sockets), so the heap (after GC) and direct-buffer figures are the forwarder's:
 * before, with every flow open, and after every flow closed. Then {@code --syn-flood} raw SYNs to a
 * closed port, with the heap sampled during them.
 */
@Command(name = "flows", mixinStandardHelpOptions = true,
        description = {"Memory per relayed flow of jtcp forward, all released after close; memory under a SYN flood.",
                "Run as root inside the server's namespace with the TUN in the client's (--netns); bench/flows.sh does it.",
                "Needs python3 (the kernel-side client and echo server)."})
public final class BenchFlowsCommand implements Callable<Integer> {
    private static final int ECHO_PORT = 7000;
    private static final int CLOSED_PORT = 7001;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--flows", defaultValue = "10000", description = "Concurrent relayed connections (default ${DEFAULT-VALUE}).")
    int flows;

    @Option(names = "--syn-flood", defaultValue = "100000", description = "SYNs of the flood; 0 for none (default ${DEFAULT-VALUE}).")
    int synFlood;

    @Option(names = "--max-flows", defaultValue = "4096",
            description = "The forwarder's flow limit (default ${DEFAULT-VALUE}), at least --flows + 64.")
    int maxFlows;

    @Option(names = "--server", defaultValue = "198.19.0.10",
            description = "An address of this namespace for the echo server; the client's 198.19.0.0/16 is routed into the TUN (default ${DEFAULT-VALUE}).")
    String server;

    @Mixin
    TunOptions tun;

    private final List<Process> children = new ArrayList<>();
    private int limit;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (tun.netns == null) {
            throw new Failures.UsageException("bench flows needs --netns CLIENT_NAMESPACE (see bench/flows.sh)");
        }
        if (flows < 1 || synFlood < 0 || maxFlows < 1) {
            throw new Failures.UsageException("--flows and --max-flows must be at least 1, --syn-flood at least 0");
        }
        tun.requireOneLoop("jtcp bench flows");
        Path script = Files.createTempFile("jtcp-flows-", ".py");
        try (InputStream in = BenchFlowsCommand.class.getResourceAsStream("/bench/flows_peer.py")) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String load = loadAverage();
        try {
            Process echo = start(List.of("python3", script.toString(), "server", server, Integer.toString(ECHO_PORT)));
            expect(echo, "ready", Duration.ofSeconds(20));
            NetStack stack;
            try {
                stack = tun.start("jtcp");
            } catch (IOException e) {
                return TunOptions.report(e);
            }
            limit = Math.max(flows + 64, maxFlows);
            try (Forwarder f = Forwarder.start(stack, Forwarder.options().maxFlows(limit)
                    .connectTimeout(Duration.ofSeconds(10)))) {
                run(List.of("ip", "-n", tun.netns, "route", "add", "198.19.0.0/16", "dev", tun.tun));
                out.printf(Locale.ROOT, "jtcp bench flows: %,d relayed connections through jtcp forward (load %s)%n",
                        flows, load);
                openAndClose(f, script, Math.min(100, flows));
                Memory base = Memory.now();
                long t0 = System.nanoTime();
                Process client = openAndHold(script, flows);
                double openSeconds = (System.nanoTime() - t0) / 1e9;
                int tcp = f.tcpFlows();
                Memory open = Memory.now();
                closeAll(client);
                awaitFlows(f, 0, Duration.ofSeconds(120));
                Memory after = Memory.now();
                out.printf(Locale.ROOT, "  opened in %.1f s; %,d flows in the forwarder's table, %,d virtual threads%n",
                        openSeconds, tcp, 2 * tcp);
                out.printf(Locale.ROOT, "  heap after GC:  %,d KiB before, %,d KiB open (%,d B per flow), %,d KiB after close%n",
                        base.heap >> 10, open.heap >> 10, (open.heap - base.heap) / flows, after.heap >> 10);
                out.printf(Locale.ROOT, "  direct buffers: %,d KiB before, %,d KiB open (%,d B per flow), %,d KiB after close%n",
                        base.direct >> 10, open.direct >> 10, (open.direct - base.direct) / flows, after.direct >> 10);
                out.printf(Locale.ROOT, "  released after close: heap %,d KiB above before, direct %,d KiB; flows left %d%n",
                        (after.heap - base.heap) >> 10, (after.direct - base.direct) >> 10, f.tcpFlows());
                out.flush();
                if (synFlood > 0) {
                    flood(stack, f, script, out, after);
                }
            } finally {
                stack.close();
            }
            out.printf(Locale.ROOT, "  (load %s at the end)%n", loadAverage());
            out.flush();
            return 0;
        } finally {
            children.forEach(Process::destroyForcibly);
            Files.deleteIfExists(script);
        }
    }

    /** The flood: SYNs to a closed port from random client ports, the heap sampled after GC while they come. */
    private void flood(NetStack stack, Forwarder f, Path script, PrintWriter out, Memory before) throws Exception {
        long refusedBefore = f.flowsRefused();
        long inBefore = stack.inspect(Host::packetsReceived);
        long limitBefore = stack.inspect(h -> h.drops().get(DropReason.FORWARD_LIMIT));
        Process p = start(List.of("ip", "netns", "exec", tun.netns, "python3", script.toString(), "flood",
                "198.18.0.1", server, Integer.toString(CLOSED_PORT), Integer.toString(synFlood)));
        long peak = 0;
        int peakFlows = 0;
        long t0 = System.nanoTime();
        while (p.isAlive()) {
            Memory m = Memory.now();
            peak = Math.max(peak, m.heap);
            peakFlows = Math.max(peakFlows, f.tcpFlows());
            p.waitFor(200, TimeUnit.MILLISECONDS);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) {
            throw new IOException("the flood failed: " + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        awaitFlows(f, 0, Duration.ofSeconds(60));
        Memory after = Memory.now();
        out.printf(Locale.ROOT, "  SYN flood: %,d SYNs sent in %.1f s to a closed port, %,d reached jtcp (the rest overflowed"
                        + " the TUN's queue); %,d refused by the server through the forwarder, %,d refused at the table's"
                        + " limit of %,d; at most %,d flows at once%n", synFlood, seconds,
                stack.inspect(Host::packetsReceived) - inBefore, f.flowsRefused() - refusedBefore,
                stack.inspect(h -> h.drops().get(DropReason.FORWARD_LIMIT)) - limitBefore, limit, peakFlows);
        out.printf(Locale.ROOT, "  heap after GC during the flood: at most %,d KiB (%+,d KiB on before), %,d KiB after%n",
                peak >> 10, (peak - before.heap) >> 10, after.heap >> 10);
        out.flush();
    }

    private void openAndClose(Forwarder f, Path script, int n) throws Exception {
        Process c = openAndHold(script, n);
        closeAll(c);
        awaitFlows(f, 0, Duration.ofSeconds(60));
    }

    private Process openAndHold(Path script, int n) throws Exception {
        Process c = start(List.of("ip", "netns", "exec", tun.netns, "python3", script.toString(), "client", server,
                Integer.toString(ECHO_PORT), Integer.toString(n)));
        expect(c, "open " + n, Duration.ofSeconds(600));
        return c;
    }

    private void closeAll(Process client) throws Exception {
        client.getOutputStream().write('\n');
        client.getOutputStream().flush();
        expect(client, "closed", Duration.ofSeconds(120));
        client.waitFor(10, TimeUnit.SECONDS);
    }

    private static void awaitFlows(Forwarder f, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while ((f.tcpFlows() > n || f.activeRelays() > n) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private Process start(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(p);
        return p;
    }

    /** Reads {@code p}'s output lines until one equals {@code line}. */
    private static void expect(Process p, String line, Duration timeout) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + timeout.toNanos();
        String l;
        while ((l = r.readLine()) != null) {
            if (l.equals(line)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        throw new IOException("the Python peer did not print '" + line + "' (exit "
                + (p.isAlive() ? "still running" : p.exitValue()) + ")");
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + output.strip());
        }
    }

    /** Heap used after a full GC, and direct buffers in use. */
    private record Memory(long heap, long direct) {
        static Memory now() throws InterruptedException {
            long heap = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(50);
                heap = Math.min(heap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            }
            long direct = 0;
            for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                if (b.getName().equals("direct")) {
                    direct = b.getMemoryUsed();
                }
            }
            return new Memory(heap, direct);
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
