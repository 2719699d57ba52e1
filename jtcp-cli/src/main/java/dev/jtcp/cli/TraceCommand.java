package dev.jtcp.cli;

import dev.jtcp.pcap.CaptureReader;
import dev.jtcp.trace.CaptureAnalyzer;
import dev.jtcp.trace.ConnectionReport;
import dev.jtcp.trace.HtmlLadder;
import dev.jtcp.trace.Ladder;
import dev.jtcp.trace.LadderBuilder;
import dev.jtcp.trace.Narrator;
import dev.jtcp.trace.TerminalLadder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jtcp trace FILE}: reads a pcap or pcapng capture and reports on every TCP connection in it;
 * with {@code --conn N}, draws that connection's ladder diagram.
 */
@Command(name = "trace", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Analyse the TCP connections in a pcap or pcapng capture.",
                "For each connection: endpoints, duration, bytes each way, how it opened and closed, the states"
                        + " each side must have gone through, and anomalies. --conn N draws one connection."})
public final class TraceCommand implements Callable<Integer> {
    private static final long PROGRESS_AFTER_NS = 2_000_000_000L;

    @Parameters(index = "0", paramLabel = "FILE", description = "A pcap or pcapng file (raw IP, Ethernet, Linux cooked).")
    Path file;

    @Option(names = "--conn", paramLabel = "N", defaultValue = "0",
            description = "Draw connection N (as numbered in the report) as a ladder diagram.")
    int connection;

    @Option(names = "--no-explain", description = "Draw the diagram without explanations.")
    boolean noExplain;

    @Option(names = "--stats", description = "Also print how long the analysis took and its speed.")
    boolean stats;

    @Mixin
    DiagramOptions diagram;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (connection < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--conn must be 1 or more");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            err.println("jtcp trace: no such file: " + file);
            return 1;
        }
        long startNs = System.nanoTime();
        CaptureAnalyzer.Analysis analysis;
        try (CountingChannel channel = new CountingChannel(FileChannel.open(file, StandardOpenOption.READ));
             CaptureReader reader = CaptureReader.open(channel)) {
            Progress bar = new Progress(err, size, channel, startNs);
            analysis = CaptureAnalyzer.analyze(reader, connection, bar::update);
            bar.clear();
        }
        long elapsedNs = System.nanoTime() - startNs;
        if (connection == 0) {
            out.println(file + ":");
            out.println();
            for (ConnectionReport r : analysis.connections()) {
                out.println(r.format());
            }
        } else {
            if (connection > analysis.connections().size()) {
                err.println("jtcp trace: there is no connection " + connection + "; the capture has "
                        + analysis.connections().size());
                return 1;
            }
            draw(out, analysis);
        }
        out.println(analysis.summary());
        if (stats) {
            out.printf(Locale.ROOT, "analysed in %.3f s: %.2f million packets a second%n", elapsedNs / 1e9,
                    analysis.packets() / (elapsedNs / 1e9) / 1e6);
        }
        out.flush();
        return 0;
    }

    private void draw(PrintWriter out, CaptureAnalyzer.Analysis analysis) throws IOException {
        ConnectionReport r = analysis.connections().get(connection - 1);
        out.println(r.format());
        var explanations = new Narrator().explain(analysis.collected());
        String title = "Connection #" + r.id() + " of " + file.getFileName();
        Ladder ladder = new LadderBuilder().title(title).relative(diagram.relative).explanations(explanations::get)
                .column(r.aName(), r.a()).column(r.bName(), r.b()).build(analysis.collected());
        out.print(TerminalLadder.render(ladder, diagram.terminal(!noExplain)));
        out.println();
        String intro = "Captured at one point on the path: arrows are drawn at the moment the capture saw each"
                + " segment, and states are inferred from the segments, assuming the capture saw what was delivered.";
        List<String> facts = List.of("opened: " + r.opening(), "closed: " + r.closing());
        for (String line : diagram.writeFiles("jtcp trace " + file.getFileName() + " --conn " + connection,
                List.of(new HtmlLadder.Section(title, intro, ladder, facts)))) {
            out.println(line);
        }
    }

    /** Counts the bytes read, for the progress bar. */
    private static final class CountingChannel implements ReadableByteChannel {
        private final FileChannel channel;
        private volatile long read;

        CountingChannel(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = channel.read(dst);
            if (n > 0) {
                read += n;
            }
            return n;
        }

        long read() {
            return read;
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A progress bar on standard error, shown only on a terminal and only once the work takes a while. */
    private static final class Progress {
        private final PrintWriter err;
        private final long size;
        private final CountingChannel channel;
        private final long startNs;
        private final boolean terminal = System.console() != null && System.console().isTerminal();
        private boolean shown;

        Progress(PrintWriter err, long size, CountingChannel channel, long startNs) {
            this.err = err;
            this.size = Math.max(1, size);
            this.channel = channel;
            this.startNs = startNs;
        }

        void update(long packets) {
            if (!terminal || System.nanoTime() - startNs < PROGRESS_AFTER_NS) {
                return;
            }
            int percent = (int) Math.min(100, channel.read() * 100 / size);
            String bar = "#".repeat(percent / 4) + ".".repeat(25 - percent / 4);
            err.printf(Locale.ROOT, "\r[%s] %3d%%  %,d packets", bar, percent, packets);
            err.flush();
            shown = true;
        }

        void clear() {
            if (shown) {
                err.print("\r" + " ".repeat(60) + "\r");
                err.flush();
            }
        }
    }
}
