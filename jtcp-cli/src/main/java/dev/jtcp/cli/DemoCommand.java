package dev.jtcp.cli;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.pcap.CaptureWriter;
import dev.jtcp.scenario.Frame;
import dev.jtcp.scenario.Scenario;
import dev.jtcp.scenario.ScenarioOptions;
import dev.jtcp.scenario.ScenarioRun;
import dev.jtcp.scenario.Scenarios;
import dev.jtcp.trace.HtmlLadder;
import dev.jtcp.trace.JsonLines;
import dev.jtcp.trace.TerminalLadder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jtcp demo [SCENARIO]}: runs a scenario on the simulated network (by default a whole
 * connection: handshake, data each way, four-way close) and draws its ladder diagram with an
 * explanation of each step; optionally writes SVG, HTML, a capture file, or the events as JSON Lines.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Play a TCP scenario on the simulated network and draw it as a ladder diagram.",
                "Without SCENARIO: handshake, a little data each way, and the four-way close.",
                "Run 'jtcp demo --list' for the scenarios."})
public final class DemoCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO", description = "Which scenario (see --list).")
    String scenario;

    @Option(names = "--list", description = "Describe each scenario in one line.")
    boolean list;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for every random choice (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--loss", paramLabel = "P", defaultValue = "0", converter = Converters.ProbabilityConverter.class,
            description = "Random loss on the client's link, each way: 0.05 or 5%% (default 0).")
    double loss;

    @Option(names = "--rtt", paramLabel = "MS", defaultValue = "20",
            description = "Round-trip time in milliseconds (default ${DEFAULT-VALUE}).")
    double rttMs;

    @Option(names = "--mss", paramLabel = "BYTES", defaultValue = "0",
            description = "Maximum segment size, 88 to 1460 (default: 1460 from a 1500-byte MTU).")
    int mss;

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "Write every packet to a capture file (pcapng if FILE ends in .pcapng, else pcap).")
    Path pcap;

    @Option(names = "--json", description = "Print the events as JSON Lines instead of the diagram.")
    boolean json;

    @Option(names = "--no-explain", description = "Draw the diagram without explanations.")
    boolean noExplain;

    @Mixin
    DiagramOptions diagram;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            int w = Scenarios.all().stream().mapToInt(s -> s.name().length()).max().orElse(10);
            for (Scenario s : Scenarios.all()) {
                out.printf("  %-" + w + "s  %s%n", s.name(), s.summary());
            }
            out.flush();
            return 0;
        }
        Scenario chosen = scenario == null ? Scenarios.standard() : Scenarios.find(scenario).orElseThrow(() ->
                new CommandLine.ParameterException(spec.commandLine(), "no scenario called '" + scenario
                        + "'; 'jtcp demo --list' lists them"));
        diagram.checkOutputs();
        Failures.requireDirectoryOf("--pcap", pcap);
        ScenarioRun run = chosen.run(options());
        if (json) {
            for (ScenarioRun.Part p : run.parts()) {
                if (run.parts().size() > 1) {
                    out.println(JsonLines.format(new TraceEvent.NoteEvent(0, "jtcp", "part: " + p.heading())));
                }
                for (TraceEvent e : p.events()) {
                    out.println(JsonLines.format(e));
                }
            }
        } else {
            draw(out, run);
        }
        List<HtmlLadder.Section> sections = run.parts().stream()
                .map(p -> new HtmlLadder.Section(p.heading(), p.intro(), p.ladder(), p.facts())).toList();
        List<String> written = new java.util.ArrayList<>(diagram.writeFiles("jtcp demo " + run.name() + ": "
                + run.title(), sections));
        if (pcap != null) {
            written.add("wrote " + pcap + " (" + writeCapture(run) + " packets)");
        }
        for (String line : written) {
            (json ? spec.commandLine().getErr() : out).println(line);
        }
        out.flush();
        spec.commandLine().getErr().flush();
        return 0;
    }

    private ScenarioOptions options() {
        try {
            return new ScenarioOptions(seed, loss, Math.round(rttMs * 1e6), mss, diagram.relative);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private void draw(PrintWriter out, ScenarioRun run) {
        TerminalLadder.Options style = diagram.terminal(!noExplain);
        int width = Math.min(style.width(), 100);
        out.println("jtcp demo " + run.name() + ": " + run.title());
        for (int i = 0; i < run.parts().size(); i++) {
            ScenarioRun.Part p = run.parts().get(i);
            out.println();
            if (run.parts().size() > 1) {
                out.println("Part " + (i + 1) + " of " + run.parts().size() + ": " + p.heading());
                out.println();
            }
            if (!noExplain) {
                for (String line : wrap(p.intro(), width)) {
                    out.println(line);
                }
                out.println();
            }
            out.print(TerminalLadder.render(p.ladder(), style));
            if (!p.facts().isEmpty()) {
                out.println();
                for (String f : p.facts()) {
                    out.println("  - " + f);
                }
            }
        }
        out.println();
    }

    /** Writes the packets of every part that ran (hypothetical models have none), parts 10 s apart. */
    private int writeCapture(ScenarioRun run) throws IOException {
        int count = 0;
        long offset = 0;
        try (CaptureWriter writer = CaptureWriter.open(pcap)) {
            for (ScenarioRun.Part p : run.parts()) {
                long end = offset;
                for (Frame f : p.frames()) {
                    writer.write(offset + f.timeNs(), ByteBuffer.wrap(f.bytes()));
                    end = offset + f.timeNs();
                    count++;
                }
                offset = end + 10_000_000_000L;
            }
        }
        return count;
    }

    static List<String> wrap(String text, int width) {
        List<String> lines = new java.util.ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
