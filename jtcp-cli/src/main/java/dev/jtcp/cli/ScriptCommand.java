package dev.jtcp.cli;

import dev.jtcp.script.OptionsOrder;
import dev.jtcp.script.Profile;
import dev.jtcp.script.ScriptReport;
import dev.jtcp.script.ScriptResult;
import dev.jtcp.script.ScriptRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jtcp script FILE...}: runs packetdrill-language scripts against jtcp on virtual time (or,
 * with {@code --against-linux}, against the Linux kernel in a private network namespace) and prints
 * one line per script, the failures in full, and the totals. Exits 1 if any script failed.
 */
@Command(name = "script", mixinStandardHelpOptions = true,
        description = {"Run packetdrill-language scripts against jtcp (virtual time) or the Linux kernel.",
                "Directories are searched for *.pkt files."})
public final class ScriptCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Scripts or directories of scripts.")
    List<Path> files;

    @Option(names = "--profile", defaultValue = "default",
            description = "Defaults the scripts assume: default, rfc, linux or freebsd (default ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--options-order", defaultValue = "exact",
            description = "Compare outbound TCP options in wire order (exact) or as a set (any); default ${DEFAULT-VALUE}.")
    String optionsOrder;

    @Option(names = "-D", paramLabel = "NAME[=VALUE]", description = "Define a symbol for the scripts (and #ifdef).")
    List<String> defines = new ArrayList<>();

    @Option(names = "--strict", description = "Fail on packets the stack sent that no line expects.")
    boolean strict;

    @Option(names = "--tolerance-usecs", defaultValue = "4000",
            description = "Timing tolerance for scripts that set none (default ${DEFAULT-VALUE}).")
    long toleranceUs;

    @Option(names = "--tolerance-percent", defaultValue = "12.5",
            description = "Relative timing tolerance for scripts that set none (default ${DEFAULT-VALUE}).")
    double tolerancePercent;

    @Option(names = "--against-linux",
            description = "Run against the Linux kernel through a TUN device in a private network namespace (root).")
    boolean againstLinux;

    @Option(names = "--compare-linux",
            description = {"Run every script against jtcp and against the Linux kernel (root) in one run; print both "
                    + "totals and the scripts whose outcomes differ."})
    boolean compareLinux;

    @Option(names = "--sysctl", paramLabel = "NAME=VALUE",
            description = {"A setting applied before every script as the suite's baseline (repeatable), for suites "
                    + "written on a machine with other defaults, e.g. --sysctl 'net.ipv4.tcp_rmem=4096 87380 3732736'."})
    List<String> sysctls = new ArrayList<>();

    @Option(names = {"-v", "--verbose"},
            description = "Also print, per script, the commands run as no-ops and the settings jtcp does not honour.")
    boolean verbose;

    @Option(names = "--max-seconds", defaultValue = "30",
            description = "Against Linux (real time), skip scripts longer than this (default ${DEFAULT-VALUE}).")
    long maxSeconds;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write the results as JUnit XML.")
    Path junit;

    @Option(names = {"-q", "--quiet"}, description = "Print only failures and the totals.")
    boolean quiet;

    /** The exit status of a run that cannot start for want of root (the Automake convention for "skipped"). */
    static final int NEEDS_ROOT = 77;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if ((againstLinux || compareLinux) && !isRoot()) {
            spec.commandLine().getErr().println("jtcp script: --against-linux and --compare-linux need root (they create "
                    + "a network namespace and a TUN device); run as root, or without them to test jtcp alone");
            return NEEDS_ROOT;
        }
        if (compareLinux) {
            return compare(out);
        }
        ScriptRunner.Options options = options(againstLinux ? ScriptRunner.Stack.LINUX : ScriptRunner.Stack.JTCP);
        ScriptRunner runner = new ScriptRunner(options);
        List<ScriptResult> results = new ArrayList<>();
        for (Path p : ScriptRunner.expand(files)) {
            ScriptResult r = runner.run(p);
            results.add(r);
            print(out, r);
        }
        out.println(ScriptReport.totals(results) + (againstLinux ? " (against Linux)" : ""));
        if (junit != null) {
            ScriptReport.writeJUnitXml(junit, againstLinux ? "jtcp-script-linux" : "jtcp-script", results);
        }
        return results.stream().anyMatch(r -> r.outcome().isFailure()) ? 1 : 0;
    }

    /**
     * Each script against jtcp, then against Linux: both lines, both totals, and the scripts whose
     * outcomes differ (the interesting ones: a jtcp defect, a runner gap, or a Linux-specific test).
     */
    private int compare(PrintWriter out) throws IOException {
        ScriptRunner jtcp = new ScriptRunner(options(ScriptRunner.Stack.JTCP));
        ScriptRunner linux = new ScriptRunner(options(ScriptRunner.Stack.LINUX));
        List<ScriptResult> onJtcp = new ArrayList<>();
        List<ScriptResult> onLinux = new ArrayList<>();
        List<String> differ = new ArrayList<>();
        for (Path p : ScriptRunner.expand(files)) {
            ScriptResult j = jtcp.run(p);
            ScriptResult l = linux.run(p);
            onJtcp.add(j);
            onLinux.add(l);
            print(out, j);
            if (!quiet || l.outcome().isFailure()) {
                out.println("  linux: " + ScriptReport.line(l));
            }
            if (j.outcome() != l.outcome()) {
                differ.add(String.format("%-7s %-7s %s", j.outcome(), l.outcome(), p));
            }
            out.flush();
        }
        out.println("jtcp:  " + ScriptReport.totals(onJtcp));
        out.println("Linux: " + ScriptReport.totals(onLinux));
        out.println(differ.size() + " scripts differ (jtcp, Linux, script):");
        differ.forEach(d -> out.println("  " + d));
        if (junit != null) {
            ScriptReport.writeJUnitXml(junit, "jtcp-script", onJtcp);
        }
        return onJtcp.stream().anyMatch(r -> r.outcome().isFailure()) ? 1 : 0;
    }

    private void print(PrintWriter out, ScriptResult r) {
        if (!quiet || r.outcome().isFailure()) {
            out.println(ScriptReport.line(r));
            if (verbose) {
                r.notes().forEach(n -> out.println("  note: " + n));
            }
            out.flush();
        }
    }

    private ScriptRunner.Options options(ScriptRunner.Stack stack) {
        Map<String, String> symbols = new LinkedHashMap<>();
        for (String d : defines) {
            int eq = d.indexOf('=');
            symbols.put(eq < 0 ? d : d.substring(0, eq), eq < 0 ? "" : d.substring(eq + 1));
        }
        return ScriptRunner.Options.defaults()
                .withStack(stack)
                .withProfile(Profile.parse(profile))
                .withOptionsOrder(OptionsOrder.valueOf(optionsOrder.toUpperCase(java.util.Locale.ROOT)))
                .withDefines(symbols)
                .withStrictPackets(strict)
                .withTolerance(toleranceUs, tolerancePercent)
                .withMaxRealSeconds(maxSeconds)
                .withSettings(sysctls);
    }

    /** Whether this process runs as root (the effective uid in /proc/self/status is 0). */
    static boolean isRoot() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return f.length > 1 && f[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
