package dev.jtcp.cli;

import dev.jtcp.link.impair.Impairments;
import dev.jtcp.sim.Soak;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jtcp bench soak}: many connection lifecycles on the simulated network under loss,
 * reordering, duplication and corruption ({@link Soak}), with progress on standard error and a
 * summary. It fails (exit 1) on a broken delivery or transition, on anything the hosts still hold
 * once drained, or on heap that grew with the lifecycles: the heap is measured after a GC once a
 * warm-up has run and been drained, and again after the run has been drained.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Run many connection lifecycles on the simulated network under loss, reordering,",
                "duplication and corruption (virtual time, deterministic per seed), checking exactly-once",
                "delivery, legal state transitions and that nothing leaks (tables empty, heap flat)."})
public final class BenchSoakCommand implements Callable<Integer> {
    private static final long REPORT_EVERY_NS = 1_000_000_000L;
    /** Heap the run may gain without counting it as a leak (GC noise), plus {@link #LEAK_BYTES_PER_LIFECYCLE} each. */
    static final long HEAP_SLACK_BYTES = 2L << 20;
    static final double LEAK_BYTES_PER_LIFECYCLE = 4;

    @Spec
    CommandSpec spec;

    @Option(names = "--lifecycles", defaultValue = "1000000",
            description = "Connection lifecycles to run (default ${DEFAULT-VALUE}).")
    long lifecycles;

    @Option(names = "--concurrency", defaultValue = "200", description = "Lifecycles in progress at once (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--impair", paramLabel = "SPEC", defaultValue = Soak.Settings.DEFAULT_IMPAIRMENTS,
            description = "What the link does each way, in --impair syntax (default ${DEFAULT-VALUE}).")
    String impair;

    @Option(names = "--msl", defaultValue = "2s",
            description = "Maximum segment lifetime; TIME-WAIT lasts twice it (default ${DEFAULT-VALUE}).")
    Duration msl;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the network, the hosts and the sizes (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        Impairments impairments;
        try {
            impairments = Impairments.parse(impair);
        } catch (IllegalArgumentException e) {
            throw new Failures.UsageException("--impair " + impair + ": " + e.getMessage());
        }
        if (lifecycles < 1 || concurrency < 1 || msl.isZero()) {
            throw new Failures.UsageException("--lifecycles and --concurrency must be at least 1, --msl more than 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        boolean live = Progress.stderrIsTerminal();
        Soak soak = new Soak(new Soak.Settings(concurrency, impairments, seed, msl.toNanos()));
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        out.printf("jtcp soak: %,d lifecycles, %d at once, impairments each way: %s, MSL %s, seed %d%n", lifecycles,
                concurrency, impairments, msl.toMillis() + " ms", seed);
        out.flush();

        long t0 = System.nanoTime();
        // Warm up (JIT, tables at their working size), drain, then take the heap baseline.
        long warmUp = Math.min(lifecycles / 10, 20_000);
        soak.run(warmUp, warmUp);
        boolean drained = soak.drain();
        long heapBefore = usedAfterGc(mem);
        long nextReport = System.nanoTime() + REPORT_EVERY_NS;
        long batch = Math.max(1, Math.min(2_000, lifecycles / 20));
        while (soak.completed() < lifecycles && soak.violations() == 0) {
            long before = soak.completed();
            soak.run(batch, lifecycles);
            if (soak.completed() == before) {
                break;
            }
            if (System.nanoTime() >= nextReport) {
                nextReport = System.nanoTime() + REPORT_EVERY_NS;
                String line = progress(soak, lifecycles, System.nanoTime() - t0);
                if (live) {
                    err.print("\r\033[K" + line);
                } else if ((System.nanoTime() - t0) / REPORT_EVERY_NS % 10 == 0) {
                    err.println(line);
                }
                err.flush();
            }
        }
        drained &= soak.drain();
        long wallNs = System.nanoTime() - t0;
        if (live) {
            err.print("\r\033[K");
            err.flush();
        }
        String leftovers = soak.tableLeftovers();
        long heapAfter = usedAfterGc(mem);
        long measured = soak.completed() - warmUp;
        long growth = heapAfter - heapBefore;
        boolean heapFlat = growth <= HEAP_SLACK_BYTES + LEAK_BYTES_PER_LIFECYCLE * measured;

        out.printf("lifecycles          %,d completed of %,d started, %,d clean, errors %s (%,d of them after every byte"
                        + " was delivered), %,d stray accepts%n", soak.completed(), soak.started(), soak.clean(),
                soak.errors().isEmpty() ? "none" : soak.errors(), soak.errorsAfterDelivery(), soak.strays());
        if (soak.errorsAfterDelivery() > 0) {
            out.println("                    (an error after delivery is a FIN retransmitted after the peer's TIME-WAIT"
                    + " ended: the peer answers RST; a longer --msl makes it rarer)");
        }
        out.printf("delivery            %,d bytes checked exactly once and in order, %d violations%n",
                soak.bytesVerified(), soak.violations());
        out.printf("transitions         %,d state changes checked against RFC 9293's diagram%n", soak.transitionsChecked());
        out.printf("network             %,d packets sent, %,d retransmissions; dropped on input: %s%n", soak.packetsSent(),
                soak.retransmissions(), soak.inputDrops());
        out.printf("tables at the end   %s%n", leftovers.isEmpty() ? "empty (no connection, TIME-WAIT record, queue entry or timer)"
                : leftovers);
        out.printf(Locale.ROOT, "heap after GC       %,d -> %,d bytes over %,d lifecycles after warm-up: %+.2f bytes per lifecycle%n",
                heapBefore, heapAfter, measured, measured == 0 ? 0.0 : (double) growth / measured);
        out.printf(Locale.ROOT, "time                %.1f s wall, %.1f s virtual, %,.0f lifecycles per second (wall)%n",
                wallNs / 1e9, soak.virtualNs() / 1e9, soak.completed() / (wallNs / 1e9));
        for (String e : soak.errorTexts()) {
            out.println("error     " + e);
        }
        for (String v : soak.violationTexts()) {
            out.println("VIOLATION " + v);
        }
        boolean ok = soak.violations() == 0 && leftovers.isEmpty() && drained && heapFlat
                && soak.completed() >= lifecycles;
        if (!heapFlat) {
            out.printf("FAILED: the heap grew by %,d bytes, more than %,d + %.0f per lifecycle%n", growth,
                    HEAP_SLACK_BYTES, LEAK_BYTES_PER_LIFECYCLE);
        }
        if (!drained) {
            out.println("FAILED: lifecycles in progress did not finish while draining");
        }
        out.println(ok ? "soak passed" : "soak FAILED");
        out.flush();
        return ok ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    static String progress(Soak soak, long total, long elapsedNs) {
        double s = elapsedNs / 1e9;
        return String.format(Locale.ROOT, "soak: %,d of %,d lifecycles (%.1f%%), %,.0f/s, %d open, %d TIME-WAIT, %d violations",
                soak.completed(), total, 100.0 * soak.completed() / total, soak.completed() / Math.max(s, 1e-9),
                soak.openConnections(), soak.timeWaitRecords(), soak.violations());
    }

    private static long usedAfterGc(MemoryMXBean mem) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
