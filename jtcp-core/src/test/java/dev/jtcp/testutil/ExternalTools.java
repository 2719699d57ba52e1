package dev.jtcp.testutil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs external programs (tshark, tcpdump, curl, ...) from tests, with a time limit, capturing
 * their output. Three outcomes are kept apart:
 *
 * <ol>
 *   <li>the program is not installed: {@link MissingToolException} (tests that need it call
 *       {@link #require} first (or carry {@link NeedsTools}), which skips them, or fails them when {@code CI=true});
 *   <li>the program ran and failed (non-zero exit or time limit): a {@link Result} whose
 *       {@link Result#requireSuccess()} throws {@link ToolFailedException} with its output;
 *   <li>the program succeeded: a {@link Result} with exit code 0.
 * </ol>
 *
 * <p>Output goes to temporary files rather than pipes, so no reader threads are needed and a
 * chatty program cannot block on a full pipe.
 *
 * <p>Thread-safety: stateless; safe to call from any thread.
 */
public final class ExternalTools {
    /**
     * Every outside program a test runs, and the Debian package that provides it. The README's
     * {@code apt-get install} line and {@code .ci/run} install the same packages.
     */
    public static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry("ip", "iproute2"), Map.entry("ss", "iproute2"), Map.entry("sysctl", "procps"),
            Map.entry("ping", "iputils-ping"), Map.entry("curl", "curl"), Map.entry("tcpdump", "tcpdump"),
            Map.entry("tshark", "tshark"), Map.entry("editcap", "wireshark-common"),
            Map.entry("chromium", "chromium"), Map.entry("nc", "netcat-openbsd"),
            Map.entry("python3", "python3"), Map.entry("setpriv", "util-linux"),
            Map.entry("dnsmasq", "dnsmasq-base"), Map.entry("danted", "dante-server"));

    /** A generous limit for one tool invocation on a loaded CI machine. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** What a finished (or timed-out) program left behind. */
    public record Result(List<String> command, int exitCode, boolean timedOut, String stdout,
            String stderr) {
        public boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        /** Returns this result, or throws {@link ToolFailedException} if the program failed. */
        public Result requireSuccess() {
            if (!succeeded()) {
                throw new ToolFailedException(this);
            }
            return this;
        }

        /** Standard output split into lines, without a trailing empty line. */
        public List<String> stdoutLines() {
            return stdout.lines().toList();
        }
    }

    /** The program is not on the PATH (or the given path is not executable). */
    public static final class MissingToolException extends RuntimeException {
        public MissingToolException(String tool) {
            super(tool + " not found on PATH");
        }
    }

    /** The program ran but exited non-zero or overran its time limit. */
    public static final class ToolFailedException extends RuntimeException {
        private final transient Result result;

        public ToolFailedException(Result result) {
            super(describe(result));
            this.result = result;
        }

        public Result result() {
            return result;
        }

        private static String describe(Result result) {
            String how = result.timedOut() ? "timed out" : "exited with " + result.exitCode();
            return String.join(" ", result.command()) + " " + how + "\nstderr:\n" + result.stderr()
                    + "\nstdout:\n" + result.stdout();
        }
    }

    private ExternalTools() {
    }

    /** The executable {@code tool} resolves to: itself if it contains a slash, else a PATH entry. */
    public static Optional<Path> find(String tool) {
        return find(tool, System.getenv().getOrDefault("PATH", ""));
    }

    /** The executable {@code tool} resolves to on the search path {@code pathVariable}. */
    public static Optional<Path> find(String tool, String pathVariable) {
        if (tool.contains("/")) {
            Path path = Path.of(tool);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        for (String directory : pathVariable.split(File.pathSeparator)) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public static boolean isInstalled(String tool) {
        return find(tool).isPresent();
    }

    /**
     * Skips the calling test unless every one of {@code tools} is installed, with the message
     * "{@code <tools> not installed; apt-get install <packages>}"; on CI ({@code CI=true}) fails it
     * instead, so a missing tool cannot silently turn a check off there. Tests that need a tool
     * call this (or carry {@link NeedsTools}, which calls it) before anything else.
     */
    public static void require(String... tools) {
        missing(System.getenv().getOrDefault("PATH", ""), tools).ifPresent(message -> skipOrFail(message, isCi()));
    }

    /**
     * What is missing of {@code tools} on the search path {@code pathVariable}, as the one-line
     * message a skipped test shows, or empty when all are there.
     */
    public static Optional<String> missing(String pathVariable, String... tools) {
        Set<String> absent = new LinkedHashSet<>();
        Set<String> packages = new LinkedHashSet<>();
        for (String tool : tools) {
            if (find(tool, pathVariable).isEmpty()) {
                absent.add(tool);
                packages.add(PACKAGES.getOrDefault(tool, tool));
            }
        }
        if (absent.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(String.join(", ", absent) + " not installed; apt-get install " + String.join(" ", packages));
    }

    /** Skips the test with {@code message}, or fails it when {@code ci} (where nothing may be skipped). */
    public static void skipOrFail(String message, boolean ci) {
        if (ci) {
            Assertions.fail(message + " (required because CI=true)");
        }
        Assumptions.abort(message);
    }

    /** Whether this run is on CI ({@code CI=true}), where tool-dependent tests must run. */
    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Runs {@code command} with {@link #DEFAULT_TIMEOUT}. */
    public static Result run(String... command) throws InterruptedException {
        return run(DEFAULT_TIMEOUT, List.of(command));
    }

    /**
     * Runs {@code command} with standard input closed, waits up to {@code timeout} (then kills
     * it), and returns its exit code and output.
     *
     * @throws MissingToolException if {@code command.get(0)} is not installed
     */
    public static Result run(Duration timeout, List<String> command) throws InterruptedException {
        if (!isInstalled(command.getFirst())) {
            throw new MissingToolException(command.getFirst());
        }
        Path stdout = null;
        Path stderr = null;
        try {
            stdout = Files.createTempFile("jtcp-tool-", ".out");
            stderr = Files.createTempFile("jtcp-tool-", ".err");
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor();
            }
            return new Result(List.copyOf(command), process.exitValue(), !finished,
                    Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("running " + command, e);
        } finally {
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    private static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // A leftover temporary file is harmless; the result is what matters.
        }
    }
}
