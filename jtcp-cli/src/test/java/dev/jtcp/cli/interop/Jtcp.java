package dev.jtcp.cli.interop;

import dev.jtcp.testutil.NetnsFixture;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code jtcp} command run as its own process inside a test's network namespace ({@code ip
 * netns exec NS java ... dev.jtcp.cli.Main ARGS}), as a user runs it: it creates its TUN device
 * there, and the kernel tools of the test meet it through that device.
 *
 * <p>Standard output and error go to files, read by {@link #stdout()} and {@link #stderr()}.
 * {@link #close()} stops the process with SIGTERM (its shutdown hook resets open connections; the
 * kernel removes the TUN device with the process) and, if need be, SIGKILL.
 */
final class Jtcp implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path err;
    private final List<String> command;

    private Jtcp(Process process, Path out, Path err, List<String> command) {
        this.process = process;
        this.out = out;
        this.err = err;
        this.command = command;
    }

    /** Starts {@code jtcp ARGS} in {@code ns}, standard input from {@code stdin} (null: none). */
    static Jtcp start(NetnsFixture ns, Path workDir, Path stdin, String... args) throws IOException {
        List<String> cmd = ns.wrap(javaCommand(args).toArray(String[]::new));
        Path out = Files.createTempFile(workDir, "jtcp-", ".out");
        Path err = Files.createTempFile(workDir, "jtcp-", ".err");
        Process p = new ProcessBuilder(cmd)
                .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                        : ProcessBuilder.Redirect.from(stdin.toFile()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new Jtcp(p, out, err, cmd);
    }

    /** The java command line that runs the CLI from this test run's class path. */
    static List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx768m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.jtcp.cli.Main");
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Waits until standard error contains {@code text} (e.g. "serving"); fails if the process exits first. */
    Jtcp awaitStderr(String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (stderr().contains(text)) {
                return this;
            }
            if (!process.isAlive()) {
                throw new AssertionError("jtcp exited with " + process.exitValue() + " before printing '" + text
                        + "'\n" + String.join(" ", command) + "\nstderr:\n" + stderr());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("jtcp did not print '" + text + "' within " + timeout + "\nstderr:\n" + stderr());
    }

    /** Waits for the process to end; returns its exit code. */
    int waitFor(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("jtcp did not finish within " + timeout + "\n" + String.join(" ", command)
                    + "\nstderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /** Sends {@code signal} (e.g. "INT" for Ctrl-C, "TERM") and waits for the process to end; returns its exit code. */
    int signal(String signal, Duration timeout) throws InterruptedException, IOException {
        // The shell's own kill: /bin/kill (procps) may not be installed.
        new ProcessBuilder("sh", "-c", "kill -" + signal + " " + process.pid()).inheritIO().start().waitFor();
        return waitFor(timeout);
    }

    /** The file standard output goes to (binary data). */
    Path stdoutFile() {
        return out;
    }

    String stdout() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            // SIGTERM to "ip netns exec", which execs java: the JVM runs its shutdown hooks.
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
