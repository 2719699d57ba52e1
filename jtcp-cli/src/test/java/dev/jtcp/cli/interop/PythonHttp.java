package dev.jtcp.cli.interop;

import dev.jtcp.testutil.NetnsFixture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** {@code http_server.py} (python3's http.server plus PUT) serving a directory inside a test namespace. */
final class PythonHttp implements AutoCloseable {
    private final Process process;

    private PythonHttp(Process process) {
        this.process = process;
    }

    static PythonHttp start(NetnsFixture ns, Path workDir, int port, Path served) throws IOException, InterruptedException {
        Path script = workDir.resolve("http_server.py");
        if (!Files.exists(script)) {
            try (InputStream in = PythonHttp.class.getResourceAsStream("/interop/http_server.py")) {
                Files.copy(in, script);
            }
        }
        Path out = Files.createTempFile(workDir, "python-", ".out");
        Process p = ns.process("python3", script.toString(), Integer.toString(port), served.toString())
                .redirectOutput(out.toFile()).redirectError(workDir.resolve("python-" + port + ".err").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(out).contains("serving")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("python http server did not start: "
                        + Files.readString(workDir.resolve("python-" + port + ".err")));
            }
            Thread.sleep(20);
        }
        return new PythonHttp(p);
    }

    @Override
    public void close() {
        try {
            process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
