package dev.jtcp.cli.interop;

import dev.jtcp.testutil.NetnsFixture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code tcp_peer.py} (a kernel socket program) run inside the test's namespace. */
final class KernelPeer implements AutoCloseable {
    private final Process process;
    private final Path out;

    private KernelPeer(Process process, Path out) {
        this.process = process;
        this.out = out;
    }

    static KernelPeer start(NetnsFixture ns, Path dir, String... args) throws IOException {
        Path script = dir.resolve("tcp_peer.py");
        if (!Files.exists(script)) {
            try (InputStream in = KernelPeer.class.getResourceAsStream("/interop/tcp_peer.py")) {
                Files.copy(in, script);
            }
        }
        List<String> cmd = new ArrayList<>(List.of("python3", script.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "peer-", ".out");
        Process p = ns.process(cmd.toArray(String[]::new)).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
        return new KernelPeer(p, out);
    }

    KernelPeer awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!output().contains("ready")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("kernel peer not ready: " + output());
            }
            Thread.sleep(10);
        }
        return this;
    }

    /** Waits for the program to end and returns its last line of output. */
    String result(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("kernel peer did not finish: " + output());
        }
        List<String> lines = output().lines().toList();
        return lines.isEmpty() ? "" : lines.getLast();
    }

    String output() throws IOException {
        return Files.readString(out);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                process.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
