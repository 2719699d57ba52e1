package dev.jtcp.cli;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What a long transfer has done so far: bytes each way, counted by the streams it wraps. On a
 * terminal a ticker thread redraws one progress line on standard error four times a second (bytes,
 * rate, and percentage and ETA when the size is known); at the end {@link #finish} replaces it
 * with a summary line, which is printed whether or not standard error is a terminal.
 *
 * <p>Thread-safety: the counters may be updated from any thread; {@link #start} and
 * {@link #finish} are called by the thread that owns the transfer.
 */
final class Progress implements AutoCloseable {
    /** How often the progress line is redrawn. */
    static final long REDRAW_NS = 250_000_000L;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final PrintStream err;
    private final boolean live;
    private final LongSupplier clock;
    private final long startNs;
    /** Connections open, for a server's line; -1 for a client. */
    private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger(-1);
    private volatile long expectedBytes = -1;
    private volatile boolean expectSending;
    private Thread ticker;
    private int drawnWidth;

    Progress(PrintStream err, boolean live, LongSupplier clock) {
        this.err = err;
        this.live = live;
        this.clock = clock;
        this.startNs = clock.getAsLong();
    }

    /** A progress on {@link System#err}, live when standard error is a terminal. */
    static Progress onStandardError() {
        return new Progress(System.err, stderrIsTerminal(), System::nanoTime);
    }

    /** Whether standard error is a terminal (and not a dumb one): isatty(2) as Linux shows it. */
    static boolean stderrIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null && System.console().isTerminal();
        }
    }

    /** The size of what is received (or, with {@code sending}, sent), for the percentage and ETA. */
    void expect(long bytes, boolean sending) {
        this.expectSending = sending;
        this.expectedBytes = bytes;
    }

    /** Makes this a server's progress, whose line counts open connections. */
    Progress server() {
        open.compareAndSet(-1, 0);
        return this;
    }

    void opened() {
        open.incrementAndGet();
    }

    void closed() {
        open.decrementAndGet();
    }

    /** Counts {@code n} bytes received (a server's handler on the event loop reads them itself). */
    void received(long n) {
        received.addAndGet(n);
    }

    /** Counts {@code n} bytes sent. */
    void sent(long n) {
        sent.addAndGet(n);
    }

    long receivedBytes() {
        return received.get();
    }

    long sentBytes() {
        return sent.get();
    }

    /** Starts redrawing the progress line if standard error is a terminal. */
    Progress start() {
        if (live && ticker == null) {
            ticker = Thread.ofPlatform().daemon(true).name("progress").start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.sleep(REDRAW_NS / 1_000_000);
                        draw();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        return this;
    }

    private synchronized void draw() {
        int n = open.get();
        String line = (n >= 0 ? n + (n == 1 ? " connection, " : " connections, ") : "")
                + line(received.get(), sent.get(), expectedBytes, expectSending, clock.getAsLong() - startNs);
        err.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
        err.flush();
        drawnWidth = line.length();
    }

    /** Prints {@code line} on its own line, above the progress line (which the ticker redraws). */
    synchronized void println(String line) {
        if (drawnWidth > 0) {
            err.print("\r" + " ".repeat(drawnWidth) + "\r");
            drawnWidth = 0;
        }
        err.println(line);
        err.flush();
    }

    /** Stops the progress line, clears it, and prints {@code jtcp: <prefix><summary>}. */
    void finish(String prefix) {
        close();
        err.println("jtcp: " + prefix + summary(received.get(), sent.get(), clock.getAsLong() - startNs));
    }

    /** Stops and clears the progress line without a summary. */
    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.interrupt();
            ticker = null;
        }
        if (drawnWidth > 0) {
            err.print("\r" + " ".repeat(drawnWidth) + "\r");
            err.flush();
            drawnWidth = 0;
        }
    }

    /** {@code out}, counting what is written to it as received (a body being saved). */
    OutputStream receivedInto(OutputStream out) {
        return counting(out, received);
    }

    /** {@code out}, counting what is written to it as sent (a server's replies). */
    OutputStream sentInto(OutputStream out) {
        return counting(out, sent);
    }

    /** {@code in}, counting what is read from it as sent (a file being uploaded). */
    InputStream sentFrom(InputStream in) {
        return counting(in, sent);
    }

    /** {@code in}, counting what is read from it as received (a server reading requests). */
    InputStream receivedFrom(InputStream in) {
        return counting(in, received);
    }

    private static OutputStream counting(OutputStream out, AtomicLong counter) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                counter.addAndGet(len);
            }

            @Override
            public void write(int b) throws IOException {
                out.write(b);
                counter.incrementAndGet();
            }
        };
    }

    private static InputStream counting(InputStream in, AtomicLong counter) {
        return new FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    counter.addAndGet(n);
                }
                return n;
            }

            @Override
            public int read() throws IOException {
                int c = in.read();
                if (c >= 0) {
                    counter.incrementAndGet();
                }
                return c;
            }
        };
    }

    /**
     * The progress line: e.g. {@code 512.0 MB of 1.0 GB (50%), 120.5 MB/s, ETA 4 s} for a known
     * size, {@code received 3.2 MB, sent 1.0 kB, 1.1 MB/s} otherwise.
     */
    static String line(long receivedBytes, long sentBytes, long expectedBytes, boolean expectSending, long elapsedNs) {
        double seconds = Math.max(elapsedNs, 1) / 1e9;
        if (expectedBytes >= 0) {
            long done = expectSending ? sentBytes : receivedBytes;
            double rate = done / seconds;
            String line = (expectSending ? "sent " : "received ") + bytes(done) + " of " + bytes(expectedBytes)
                    + String.format(Locale.ROOT, " (%d%%), %s", expectedBytes == 0 ? 100 : done * 100 / expectedBytes,
                    rate(rate));
            if (rate > 0 && done < expectedBytes) {
                line += ", ETA " + duration(Math.round((expectedBytes - done) / rate * 1e9));
            }
            return line;
        }
        return "received " + bytes(receivedBytes) + ", sent " + bytes(sentBytes) + ", "
                + rate((receivedBytes + sentBytes) / seconds);
    }

    /**
     * The summary: {@code 1073741824 bytes received in 3.215 s (334.0 MB/s)}, with a sent part
     * when anything was sent.
     */
    static String summary(long receivedBytes, long sentBytes, long elapsedNs) {
        double seconds = elapsedNs / 1e9;
        double divisor = Math.max(seconds, 1e-9);
        StringBuilder s = new StringBuilder();
        if (receivedBytes > 0 || sentBytes == 0) {
            s.append(receivedBytes).append(" bytes received");
        }
        if (sentBytes > 0) {
            s.append(s.isEmpty() ? "" : ", ").append(sentBytes).append(" bytes sent");
        }
        return s.append(String.format(Locale.ROOT, " in %.3f s (%s)", seconds, rate((receivedBytes + sentBytes) / divisor)))
                .toString();
    }

    /** {@code 1048576 bytes in 0.512 s (2.0 MB/s)}. */
    static String took(long bytes, long elapsedNs) {
        double seconds = elapsedNs / 1e9;
        return String.format(Locale.ROOT, "%d bytes in %.3f s (%s)", bytes, seconds, rate(bytes / Math.max(seconds, 1e-9)));
    }

    /**
     * Decimal units, the same as the rate's MB/s so that size and speed read together: {@code 512 B},
     * {@code 1.5 kB}, {@code 200.0 MB}, {@code 1.1 GB}.
     */
    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Decimal megabytes per second, as the rest of jtcp reports rates: {@code 334.0 MB/s}. */
    static String rate(double bytesPerSecond) {
        return String.format(Locale.ROOT, "%.1f MB/s", bytesPerSecond / 1e6);
    }

    /** A short duration for an ETA: {@code 4 s}, {@code 2 min 5 s}, {@code 1 h 3 min}. */
    static String duration(long ns) {
        long s = Math.max(0, (ns + 999_999_999L) / 1_000_000_000L);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        return s / 3600 + " h " + s % 3600 / 60 + " min";
    }
}
