package dev.jtcp.cli;

import dev.jtcp.trace.HtmlLadder;
import dev.jtcp.trace.SvgLadder;
import dev.jtcp.trace.TerminalLadder;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import picocli.CommandLine.Option;

/**
 * How ladder diagrams are drawn and where they are written; shared by {@code demo} and {@code trace}
 * as a picocli mixin.
 */
final class DiagramOptions {
    /** When to colour the terminal diagram. */
    enum ColorMode { AUTO, ALWAYS, NEVER }

    @Option(names = "--svg", paramLabel = "FILE", description = "Also write the diagram as an SVG file.")
    Path svg;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write a self-contained HTML page with the diagram and a step-through control.")
    Path html;

    @Option(names = "--relative", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Relative sequence numbers, counted from each side's ISN, like Wireshark"
                    + " (default; --no-relative for absolute).")
    boolean relative = true;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "Colour the diagram: auto (on a terminal, unless NO_COLOR is set), always or never.")
    ColorMode color = ColorMode.AUTO;

    @Option(names = "--width", paramLabel = "COLUMNS", defaultValue = "0",
            description = "Width to fit the diagram to (default: $COLUMNS, else the terminal's width, else 100).")
    int width;

    TerminalLadder.Options terminal(boolean explain) {
        return new TerminalLadder.Options(colour(), columns(), explain);
    }

    private boolean colour() {
        return switch (color) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> System.console() != null && System.console().isTerminal() && System.getenv("NO_COLOR") == null
                    && !"dumb".equals(System.getenv("TERM"));
        };
    }

    int columns() {
        return columns(width, System.getenv("COLUMNS"), DiagramOptions::terminalColumns);
    }

    /**
     * The width to draw at: {@code --width} if given, else {@code $COLUMNS}, else the terminal's own
     * width, else 100; never under 60.
     */
    static int columns(int asked, String env, IntSupplier terminal) {
        if (asked > 0) {
            return Math.max(60, asked);
        }
        if (env != null) {
            try {
                return Math.max(60, Integer.parseInt(env.strip()));
            } catch (NumberFormatException e) {
                // Not a number: ask the terminal instead.
            }
        }
        int columns = terminal.getAsInt();
        return columns > 0 ? Math.max(60, columns) : 100;
    }

    /**
     * The terminal's width as {@code stty size} reports it for {@code /dev/tty} (shells rarely export
     * {@code COLUMNS}), or 0 when output is not a terminal or the width is unknown.
     */
    static int terminalColumns() {
        if (System.console() == null || !System.console().isTerminal()) {
            return 0;
        }
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String size = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return 0;
            }
            String[] rowsColumns = size.split("\\s+");
            return rowsColumns.length == 2 ? Integer.parseInt(rowsColumns[1]) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Refuses, before anything is drawn, an SVG or HTML file whose directory does not exist. */
    void checkOutputs() {
        Failures.requireDirectoryOf("--svg", svg);
        Failures.requireDirectoryOf("--html", html);
    }

    /** Writes the SVG and HTML files asked for; returns a line per file written. */
    List<String> writeFiles(String title, List<HtmlLadder.Section> sections) throws IOException {
        List<String> written = new java.util.ArrayList<>();
        if (svg != null) {
            Files.writeString(svg, SvgLadder.document(sections.stream().map(HtmlLadder.Section::ladder).toList()),
                    StandardCharsets.UTF_8);
            written.add("wrote " + svg);
        }
        if (html != null) {
            Files.writeString(html, HtmlLadder.page(title, sections), StandardCharsets.UTF_8);
            written.add("wrote " + html);
        }
        return written;
    }
}
