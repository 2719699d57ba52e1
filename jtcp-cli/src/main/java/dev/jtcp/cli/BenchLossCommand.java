package dev.jtcp.cli;

import dev.jtcp.sim.LossBench;
import dev.jtcp.tcp.TcpConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jtcp bench loss}: loss recovery on the simulated network, on virtual time. Each case is run
 * with the chosen controller (RACK-TLP and PRR for SACK peers, as jtcp's defaults) and with the
 * baseline of Reno and duplicate-ACK recovery, on the same seeds; the medians are printed with the
 * Mathis et al. bound where the case has random loss.
 */
@Command(name = "loss", mixinStandardHelpOptions = true,
        description = {"Measure loss recovery on the simulated network (virtual time, deterministic per seed).",
                "Goodput is application bytes over virtual time; 'Mathis' is goodput over MSS/RTT x 1.22/sqrt(p);",
                "spurious counts data delivered twice; each figure is the median over the seeds.",
                "'p seen' is the share of jtcp's data segments the link lost in the median run (a seed's draws may lose",
                "more or fewer than the nominal rate), and the last column is its goodput over the Mathis bound at that rate."})
public final class BenchLossCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--cc", defaultValue = "cubic", description = "Controller under test: reno, cubic or bbr (default ${DEFAULT-VALUE}).")
    String cc;

    @Option(names = "--mb", defaultValue = "5", description = "Megabytes per transfer (default ${DEFAULT-VALUE}).")
    int mb;

    @Option(names = "--seeds", defaultValue = "5", description = "Seeds per case; medians are printed (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--case", description = "Only the cases whose name contains this text.")
    String only;

    @Option(names = "--bbr-draft", description = "BBR with draft-ietf-ccwg-bbr's loss bounds (BBRv3) instead of the "
            + "loss-tolerant default (TcpConfig.bbrLossTolerant off).")
    boolean bbrDraft;

    @Option(names = "--rfc8985-window", description = "Under test: RFC 8985's reordering window, as Linux's default "
            + "(TcpConfig.rackFirstLossWait and rackNoDupThresh off; by default the first loss decision waits half a min "
            + "RTT, and later ones outside recovery a quarter, also when 3 segments are SACKed).")
    boolean rfc8985Window;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        TcpConfig.CongestionAlgorithm algorithm;
        try {
            algorithm = TcpConfig.CongestionAlgorithm.parse(cc);
        } catch (IllegalArgumentException e) {
            throw new Failures.UsageException(e.getMessage());
        }
        if (mb < 1 || seeds < 1) {
            throw new Failures.UsageException("--mb and --seeds must be at least 1");
        }
        TcpConfig base = TcpConfig.defaults().toBuilder().sendBufferBytes(4 << 20).build();
        TcpConfig underTest = base.toBuilder().congestionControl(algorithm).rack(true).bbrLossTolerant(!bbrDraft)
                .rackFirstLossWait(!rfc8985Window).rackNoDupThresh(!rfc8985Window).build();
        TcpConfig baseline = base.toBuilder().congestionControl(TcpConfig.CongestionAlgorithm.RENO).rack(false).build();
        out.printf("jtcp loss recovery benchmark (simulator, %d MB per run, median of %d seeds): %s+rack vs reno+dupack%n",
                mb, seeds, algorithm.linuxName());
        out.printf("%-36s %12s %7s %6s %5s %5s | %12s %7s %6s %5s %5s | %6s | %6s %7s%n", "case", "goodput", "Mathis",
                "rtx", "RTOs", "spur", "baseline", "Mathis", "rtx", "RTOs", "spur", "ratio", "p seen", "Mathis");
        for (LossBench.Case c : LossBench.standardCases(mb * 1_000_000L)) {
            if (only != null && !c.name().contains(only)) {
                continue;
            }
            LossBench.Result a = median(c, underTest);
            LossBench.Result b = median(c, baseline);
            String seen = Double.isNaN(a.mathisSeenRatio()) ? String.format("%6s %7s", "-", "-")
                    : String.format("%5.2f%% %6.2fx", 100 * a.dataLossSeen(), a.mathisSeenRatio());
            out.printf("%-36s %s | %s | %5.2fx | %s%n", c.name(), row(a), row(b),
                    a.goodputBytesPerSec() / Math.max(1, b.goodputBytesPerSec()), seen);
            out.flush();
        }
        return 0;
    }

    private static String row(LossBench.Result r) {
        String mathis = Double.isNaN(r.mathisRatio()) ? "      -" : String.format("%6.2fx", r.mathisRatio());
        return String.format("%8.0f KB/s %s %6d %5d %5d%s", r.goodputBytesPerSec() / 1e3, mathis, r.retransmissions(),
                r.timeouts(), r.spurious(), r.completed() ? "" : "!");
    }

    /** The run with the median goodput over the seeds (its other figures come with it). */
    private LossBench.Result median(LossBench.Case c, TcpConfig cfg) {
        List<LossBench.Result> runs = new ArrayList<>();
        for (int seed = 1; seed <= seeds; seed++) {
            runs.add(LossBench.run(c, cfg, seed, 600L * 1_000_000_000L));
        }
        runs.sort(Comparator.comparingDouble(LossBench.Result::goodputBytesPerSec));
        return runs.get(runs.size() / 2);
    }
}
