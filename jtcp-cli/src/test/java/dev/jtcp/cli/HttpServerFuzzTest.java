package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Fuzzes {@code jtcp serve http} ({@link HttpServer#exchange}) with whatever a client sends on one
 * connection: request lines, header fields, bodies (Content-Length and chunked), several requests
 * kept alive. Invariants:
 * <ul>
 *   <li>only an IOException may end the exchange (the connection then closes), nothing else;
 *   <li>every response head is well formed, and one on a connection kept alive has a Content-Length
 *       (or is 204 or 1xx), so the client can find its end (the {@code GET /bytes/-5} defect);
 *   <li>nothing is written outside the served directory.
 * </ul>
 * The directory is a fresh temporary one per run, holding a file and a subdirectory.
 * Corpus: {@code src/test/resources/dev/jtcp/cli/HttpServerFuzzTestInputs/requests}.
 */
class HttpServerFuzzTest {
    private static final Path BASE;
    private static final Progress QUIET = new Progress(new PrintStream(java.io.OutputStream.nullOutputStream()), false,
            System::nanoTime);

    static {
        try {
            BASE = Files.createTempDirectory("jtcp-http-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void requests(byte[] request) throws IOException {
        Path root = BASE.resolve("root");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("a.txt"), "hello\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new HttpServer(root, true, QUIET).exchange(new ByteArrayInputStream(request), out, () -> {}, "198.18.0.1:40000");
        } catch (IOException ended) {
            // The connection ends: a malformed body or a closed connection mid-request.
        } finally {
            try (Stream<Path> s = Files.list(BASE)) {
                List<Path> outside = s.filter(p -> !p.equals(root)).toList();
                assertThat(outside).as("files written outside the served directory").isEmpty();
            }
            deleteTree(root);
        }
        checkResponses(out.toByteArray());
    }

    /** Walks the responses: each head well formed, each kept-alive one framed by Content-Length. */
    static void checkResponses(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = 0;
        while (at < text.length()) {
            int end = text.indexOf("\r\n\r\n", at);
            assertThat(end).as("end of the response head at %d in %s", at, text).isGreaterThanOrEqualTo(0);
            String head = text.substring(at, end);
            assertThat(head).as("status line").matches("(?s)HTTP/1\\.1 [1-5]\\d\\d [^\r\n]+(\r\n[^\r\n]+)*");
            int status = Integer.parseInt(head.substring(9, 12));
            String lower = head.toLowerCase(Locale.ROOT);
            at = end + 4;
            if (status == 100) {
                continue;
            }
            int cl = lower.indexOf("\r\ncontent-length: ");
            boolean close = lower.contains("\r\nconnection: close");
            if (cl < 0) {
                assertThat(close || status == 204).as("a kept-alive response without Content-Length: %s", head).isTrue();
                if (close) {
                    return;
                }
                continue;
            }
            int lineEnd = lower.indexOf("\r\n", cl + 2);
            long length = Long.parseLong(lower.substring(cl + 18, lineEnd < 0 ? lower.length() : lineEnd).strip());
            assertThat(length).as("Content-Length").isNotNegative();
            if (close) {
                return;
            }
            // A HEAD response has the length but no body: the next head starts at once, else after the body.
            if (!text.startsWith("HTTP/1.1 ", at) && at + length <= text.length()) {
                at += (int) length;
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
