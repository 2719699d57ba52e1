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
            description = "Defaults the scripts assume: default, rfc or linux (default ${DEFAULT-VALUE}).")
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

    @Option(names = "--max-seconds", defaultValue = "30",
            description = "Against Linux (real time), skip scripts longer than this (default ${DEFAULT-VALUE}).")
    long maxSeconds;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write the results as JUnit XML.")
    Path junit;

    @Option(names = {"-q", "--quiet"}, description = "Print only failures and the totals.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, String> symbols = new LinkedHashMap<>();
        for (String d : defines) {
            int eq = d.indexOf('=');
            symbols.put(eq < 0 ? d : d.substring(0, eq), eq < 0 ? "" : d.substring(eq + 1));
        }
        ScriptRunner.Options options = ScriptRunner.Options.defaults()
                .withStack(againstLinux ? ScriptRunner.Stack.LINUX : ScriptRunner.Stack.JTCP)
                .withProfile(Profile.parse(profile))
                .withOptionsOrder(OptionsOrder.valueOf(optionsOrder.toUpperCase(java.util.Locale.ROOT)))
                .withDefines(symbols)
                .withStrictPackets(strict)
                .withTolerance(toleranceUs, tolerancePercent)
                .withMaxRealSeconds(maxSeconds);
        ScriptRunner runner = new ScriptRunner(options);
        List<ScriptResult> results = new ArrayList<>();
        for (Path p : ScriptRunner.expand(files)) {
            ScriptResult r = runner.run(p);
            results.add(r);
            if (!quiet || r.outcome().isFailure()) {
                out.println(ScriptReport.line(r));
                out.flush();
            }
        }
        out.println(ScriptReport.totals(results) + (againstLinux ? " (against Linux)" : ""));
        if (junit != null) {
            ScriptReport.writeJUnitXml(junit, againstLinux ? "jtcp-script-linux" : "jtcp-script", results);
        }
        return results.stream().anyMatch(r -> r.outcome().isFailure()) ? 1 : 0;
    }
}
