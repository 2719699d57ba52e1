package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HttpServer#exchange} on requests a client could send, without a stack. */
class HttpServerTest {
    @TempDir
    Path root;

    private String exchange(String requests) throws Exception {
        Files.writeString(root.resolve("a.txt"), "hello\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Progress quiet = new Progress(new PrintStream(OutputStream.nullOutputStream()), false, System::nanoTime);
        new HttpServer(root, true, quiet).exchange(
                new ByteArrayInputStream(requests.getBytes(StandardCharsets.ISO_8859_1)), out, () -> {}, "peer");
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aNulInThePathIsABadRequestNotAnException() throws Exception {
        // Found by HttpServerFuzzTest: Path.resolve threw InvalidPathException out of serve http.
        assertThat(exchange("GET /by:\0s/100 HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(exchange("GET /a%00.txt HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(exchange("PUT /x%00y HTTP/1.1\r\nContent-Length: 0\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request\r\n");
    }

    @Test
    void aFileAndThenTheNextRequestOnTheSameConnection() throws Exception {
        String out = exchange("GET /a.txt HTTP/1.1\r\n\r\nGET /bytes/-5 HTTP/1.1\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 6\r\n").contains("\r\n\r\nhello\n")
                .contains("HTTP/1.1 400 Bad Request\r\n");
    }
}
