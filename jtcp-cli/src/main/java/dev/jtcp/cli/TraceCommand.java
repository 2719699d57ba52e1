package dev.jtcp.cli;

import dev.jtcp.pcap.CaptureReader;
import dev.jtcp.pcap.SkipReason;
import dev.jtcp.trace.CaptureAnalyzer;
import dev.jtcp.trace.ConnectionFilter;
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
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jtcp trace FILE}: reads a pcap or pcapng capture and reports on every TCP connection in it;
 * with {@code --conn N}, draws that connection's ladder diagram. Connections are numbered from 0 as
 * Wireshark numbers {@code tcp.stream}, so {@code --conn 3} is {@code tcp.stream eq 3}.
 */
@Command(name = "trace", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Analyse the TCP connections in a pcap or pcapng capture.",
                "For each connection: endpoints, start, duration, bytes each way, how it opened and closed, the"
                        + " states each side must have gone through, and anomalies. --conn N draws one connection.",
                "Connections are numbered from 0 in order of their first packet, as Wireshark's tcp.stream"
                        + " numbers them (a port pair reused by a new SYN counts as a new connection).",
                "Bytes are payload bytes: the sequence numbers each side's data covered, each counted once"
                        + " however often it was sent, so retransmissions are left out (Wireshark's Follow TCP"
                        + " Stream shows the same count).",
                "Times are in seconds from the capture's first packet, to the microsecond."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the capture was analysed", "1:the file could not be read",
                "2:bad arguments, or FILE is not a pcap or pcapng capture"})
public final class TraceCommand implements Callable<Integer> {
    private static final long PROGRESS_AFTER_NS = 2_000_000_000L;

    @Parameters(index = "0", paramLabel = "FILE", description = "A pcap or pcapng file (raw IP, Ethernet, Linux cooked).")
    Path file;

    @Option(names = "--conn", paramLabel = "N",
            description = "Draw connection N (numbered from 0, as Wireshark's tcp.stream) as a ladder diagram.")
    Integer connection;

    @Option(names = "--filter", paramLabel = "EXPR",
            description = "Report only connections with an endpoint matching: 'host ADDR', 'port N', or both"
                    + " joined by 'and' (e.g. 'host 198.18.0.1 and port 80').")
    String filter;

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
        if (connection != null && connection < 0) {
            return usage(err, "--conn counts from 0 (Wireshark's tcp.stream)");
        }
        if (connection == null && (diagram.svg != null || diagram.html != null)) {
            return usage(err, "--svg and --html draw one connection: add --conn N (see the report for N)");
        }
        ConnectionFilter only = ConnectionFilter.ALL;
        if (filter != null) {
            try {
                only = ConnectionFilter.parse(filter);
            } catch (IllegalArgumentException e) {
                return usage(err, "--filter: " + e.getMessage());
            }
        }
        diagram.checkOutputs();
        if (!Files.exists(file)) {
            return usage(err, "no such file: " + file);
        }
        if (!Files.isRegularFile(file)) {
            return usage(err, file + " is not a file");
        }
        long size = Files.size(file);
        long startNs = System.nanoTime();
        CaptureAnalyzer.Analysis analysis;
        try (CountingChannel channel = new CountingChannel(FileChannel.open(file, StandardOpenOption.READ));
             CaptureReader reader = CaptureReader.open(channel)) {
            Progress bar = new Progress(err, size, channel, startNs);
            analysis = CaptureAnalyzer.analyze(reader, connection == null ? CaptureAnalyzer.NONE : connection,
                    bar::update);
            bar.clear();
            Optional<SkipReason> end = reader.endReason();
            if (analysis.packets() == 0 && end.isPresent()) {
                String why = size == 0 ? " (it is empty)"
                        : end.get() == SkipReason.BAD_MAGIC ? "" : " (" + end.get().description() + ")";
                return usage(err, file + " is not a pcap or pcapng capture" + why);
            }
        }
        long elapsedNs = System.nanoTime() - startNs;
        if (connection == null) {
            report(out, analysis, only);
        } else {
            if (connection >= analysis.connections().size()) {
                return usage(err, "there is no connection " + connection + "; the capture has "
                        + count(analysis.connections().size()) + ", numbered from 0");
            }
            draw(out, analysis);
        }
        out.println(analysis.summary());
        if (stats) {
            out.printf(Locale.ROOT, "analysed in %.3f s: %.2f million packets a second%n", elapsedNs / 1e9,
                    analysis.packets() / (elapsedNs / 1e9) / 1e6);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static String count(int connections) {
        return connections == 1 ? "1 connection" : connections + " connections";
    }

    private static int usage(PrintWriter err, String message) {
        err.println("jtcp trace: " + message);
        err.flush();
        return ExitCodes.USAGE;
    }

    /** A table of the connections, then each one in detail. */
    private void report(PrintWriter out, CaptureAnalyzer.Analysis analysis, ConnectionFilter only) {
        List<ConnectionReport> shown = analysis.connections().stream().filter(only::matches).toList();
        out.println(file + ":");
        out.println();
        if (filter != null) {
            out.println(shown.size() + " of " + count(analysis.connections().size()) + " match '" + only + "'");
            out.println();
        }
        if (shown.isEmpty()) {
            return;
        }
        out.println(ConnectionReport.TABLE_HEADING);
        for (ConnectionReport r : shown) {
            out.println(r.row(analysis.startNs()));
        }
        out.println();
        for (ConnectionReport r : shown) {
            out.println(r.format(analysis.startNs()));
        }
    }

    private void draw(PrintWriter out, CaptureAnalyzer.Analysis analysis) throws IOException {
        ConnectionReport r = analysis.connections().get(connection);
        out.println(r.format(analysis.startNs()));
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
