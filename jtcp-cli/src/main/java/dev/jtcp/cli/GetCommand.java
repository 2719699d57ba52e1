package dev.jtcp.cli;

import dev.jtcp.api.NetStack;
import dev.jtcp.api.TcpSocket;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jtcp get URL}: a minimal HTTP/1.1 client over jtcp. GET (or PUT with {@code -T FILE}),
 * {@code Connection: close}, the body by Content-Length, chunked, or until the server closes;
 * written to {@code -o FILE} or standard output, with a summary (status, bytes, time, rate) on
 * standard error. Exits 0 for a 2xx status, 1 otherwise.
 */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Fetch an http:// URL through a TUN device (needs root); -T uploads a file with PUT.")
public final class GetCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL", description = "e.g. http://198.18.0.1:8000/file")
    URI url;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the body to FILE (default: stdout).")
    Path output;

    @Option(names = {"-T", "--upload"}, paramLabel = "FILE", description = "PUT FILE to the URL instead of GET.")
    Path upload;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "Connect timeout (e.g. 500ms, 30s, 2min; default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    TunOptions tun;

    @Override
    public Integer call() throws Exception {
        if (!"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw new Failures.UsageException(url + ": only http://HOST[:PORT]/PATH URLs are supported");
        }
        if (url.getPort() == 0 || url.getPort() > 65535) {
            throw new Failures.UsageException(url + ": port " + url.getPort() + " is not 1 to 65535");
        }
        if (upload != null && !Files.isReadable(upload)) {
            throw new Failures.UsageException("-T " + upload + ": " + (Files.exists(upload) ? "not readable" : "no such file"));
        }
        Failures.requireDirectoryOf("-o", output);
        String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1) : url.getHost();
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new Failures.UsageException(url + ": unknown host " + host);
        }
        tun.validate();
        NetStack stack;
        try {
            stack = tun.start("jtcp");
        } catch (IOException e) {
            return TunOptions.report(e);
        }
        int port = url.getPort() < 0 ? 80 : url.getPort();
        int code;
        try (TcpSocket c = stack.connect(new InetSocketAddress(address, port), 0, timeout)) {
            code = exchange(c);
        } catch (IOException e) {
            if (Shutdown.inProgress()) {
                return ExitCodes.INTERRUPTED;
            }
            System.err.println("jtcp: " + url + ": " + Failures.describe(e));
            code = ExitCodes.FAILURE;
        }
        stack.close(Duration.ofSeconds(2));
        return code;
    }

    private int exchange(TcpSocket c) throws IOException {
        String target = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            target += "?" + url.getRawQuery();
        }
        OutputStream out = new BufferedOutputStream(c.getOutputStream(), 64 * 1024);
        StringBuilder req = new StringBuilder(upload != null ? "PUT " : "GET ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(url.getRawAuthority()).append("\r\n")
                .append("User-Agent: jtcp\r\nAccept: */*\r\nConnection: close\r\n");
        if (upload != null) {
            req.append("Content-Length: ").append(Files.size(upload)).append("\r\n");
        }
        try (Progress progress = Progress.onStandardError()) {
            out.write(HttpRequest.ascii(req.append("\r\n").toString()));
            if (upload != null) {
                progress.expect(Files.size(upload), true);
                progress.start();
                try (InputStream f = progress.sentFrom(Files.newInputStream(upload))) {
                    f.transferTo(out);
                }
            }
            out.flush();
            InputStream in = new BufferedInputStream(c.getInputStream(), 64 * 1024);
            HttpRequest head = HttpRequest.read(in);
            while (head != null && head.startLine().matches("HTTP/1\\.\\d 1\\d\\d.*")) {
                head = HttpRequest.read(in); // interim responses (100 Continue)
            }
            if (head == null) {
                throw new ProtocolException("server closed the connection without a response");
            }
            String[] status = head.startLine().split(" ", 3);
            if (status.length < 2 || !status[0].startsWith("HTTP/") || !status[1].matches("\\d{3}")) {
                throw new ProtocolException("bad status line: " + head.startLine());
            }
            int statusCode = Integer.parseInt(status[1]);
            long length = head.contentLength();
            if (upload == null) {
                progress.expect(length, false);
                progress.start();
            }
            try (OutputStream body = progress.receivedInto(output != null
                    ? new BufferedOutputStream(Files.newOutputStream(output), 64 * 1024) : new NonClosing(System.out))) {
                if (head.isChunked()) {
                    HttpRequest.copyChunked(in, body);
                } else if (length >= 0) {
                    HttpRequest.copyExactly(in, body, length, new byte[64 * 1024]);
                } else {
                    in.transferTo(body);
                }
            }
            progress.finish(head.startLine() + ", ");
            return statusCode / 100 == 2 ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }

    /** Standard output that a try-with-resources flushes but does not close. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
