package dev.jtcp.cli;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's side of {@code jtcp bench tun}: the JDK's own sockets (so the kernel's TCP), run as
 * a child JVM inside a network namespace with {@code ip netns exec NS java -cp ... BenchPeer}. It
 * uses the JDK alone, so the child starts fast and measures nothing of jtcp.
 *
 * <p>One small protocol, served identically by {@code BenchPeer server} (kernel) and by the jtcp
 * server inside {@code jtcp bench tun} ({@link #serve}): the client's first byte says what it wants.
 *
 * <ul>
 *   <li>{@code 'P'} push: the client sends bytes until it shuts its output down; the server counts
 *       them and answers one byte, so the client's clock stops only once everything arrived.
 *   <li>{@code 'G'} pull: the client sends an 8-byte count N; the server sends N bytes and closes.
 *   <li>{@code 'L'} lifecycle: the client sends 100 bytes in all; the server answers 100 bytes and
 *       closes first (TIME-WAIT stays on the server, as with a web server).
 * </ul>
 *
 * <p>{@code BenchPeer client TARGET... --mb N --runs R --lifecycle-ms MS --warmup-mb W [--figures
 * F,...] [--pause]}, with each TARGET {@code NAME=HOST:PORT} or {@code NAME=HOST:PORT/FIGURE,...}
 * (that target only for those figures), runs, per run and per target (the order alternates between
 * runs so neither target always goes first), push, pull and lifecycles (or the {@code --figures}
 * given), and prints one line per figure: {@code RESULT NAME RUN push|pull MB/s} or {@code RESULT
 * NAME RUN lifecycles PER_SECOND}. With {@code --pause} it prints {@code PAUSE RUN} after each run
 * and waits for a line on its standard input, so the parent can measure something else between
 * runs while this client is quiet.
 * With {@code --streams S} each figure runs on S connections at once: push and pull split the
 * megabytes and report the total over the time until the last ended, lifecycles add up S client
 * threads.
 *
 * <p>Thread-safety: a command-line program; {@link #serve} is safe on any number of threads.
 */
public final class BenchPeer {
    static final byte PUSH = 'P';
    static final byte PULL = 'G';
    static final byte LIFECYCLE = 'L';
    static final int MESSAGE = 100;
    private static final int CHUNK = 64 * 1024;

    private BenchPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("server")) {
            server(Integer.parseInt(args[1]));
        } else if (args.length >= 2 && args[0].equals("client")) {
            client(args);
        } else {
            System.err.println("usage: BenchPeer server PORT | client NAME=HOST:PORT... [--mb N] [--runs R]"
                    + " [--lifecycle-ms MS] [--warmup-mb W] [--streams S]");
            System.exit(2);
        }
    }

    /** Serves the protocol on {@code port} of every address, one virtual thread per connection. */
    private static void server(int port) throws IOException {
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(port), 1024);
            System.out.println("ready");
            System.out.flush();
            while (true) {
                Socket s = ss.accept();
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        serve(s.getInputStream(), s.getOutputStream());
                    } catch (IOException e) {
                        // A client that went away: nothing to report in a benchmark server.
                    }
                });
            }
        }
    }

    /** Serves one connection of the protocol; the caller closes the connection afterwards. */
    static void serve(InputStream in, OutputStream out) throws IOException {
        int kind = in.read();
        byte[] buf = new byte[CHUNK];
        switch (kind) {
            case PUSH -> {
                while (in.read(buf) >= 0) {
                    // Discard.
                }
                out.write('k');
                out.flush();
            }
            case PULL -> {
                long n = readLong(in);
                while (n > 0) {
                    int k = (int) Math.min(n, buf.length);
                    out.write(buf, 0, k);
                    n -= k;
                }
                out.flush();
            }
            case LIFECYCLE -> {
                readFully(in, buf, MESSAGE - 1);
                out.write(buf, 0, MESSAGE);
                out.flush();
            }
            default -> {
                // Unknown or empty request: close.
            }
        }
    }

    private record Target(String name, InetSocketAddress address, List<String> figures) {}

    private static void client(String[] args) throws Exception {
        List<Target> targets = new ArrayList<>();
        long mb = 100;
        int runs = 3;
        long lifecycleMs = 2000;
        long warmupMb = 30;
        List<String> figures = List.of("push", "pull", "lifecycles");
        boolean pause = false;
        int streams = 1;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--figures" -> figures = List.of(args[++i].split(","));
                case "--pause" -> pause = true;
                case "--streams" -> streams = Integer.parseInt(args[++i]);
                case "--mb" -> mb = Long.parseLong(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--lifecycle-ms" -> lifecycleMs = Long.parseLong(args[++i]);
                case "--warmup-mb" -> warmupMb = Long.parseLong(args[++i]);
                default -> {
                    String[] nameAndAddress = args[i].split("=", 2);
                    String[] addressAndFigures = nameAndAddress[1].split("/", 2);
                    int colon = addressAndFigures[0].lastIndexOf(':');
                    targets.add(new Target(nameAndAddress[0], new InetSocketAddress(
                            addressAndFigures[0].substring(0, colon), Integer.parseInt(addressAndFigures[0].substring(colon + 1))),
                            addressAndFigures.length > 1 ? List.of(addressAndFigures[1].split(",")) : null));
                }
            }
        }
        long bytes = mb * 1_000_000;
        // Warm-up: the JIT compiles both ends' hot paths during the first megabytes.
        for (Target t : targets) {
            List<String> wanted = t.figures != null ? t.figures : figures;
            if (warmupMb > 0) {
                if (wanted.contains("push")) {
                    push(t.address, warmupMb * 1_000_000);
                }
                if (wanted.contains("pull")) {
                    pull(t.address, warmupMb * 1_000_000);
                }
                if (wanted.contains("lifecycles")) {
                    lifecycles(t.address, Math.min(500, lifecycleMs));
                }
            }
        }
        BufferedReader parent = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (int run = 1; run <= runs; run++) {
            for (int k = 0; k < targets.size(); k++) {
                Target t = targets.get(run % 2 == 1 ? k : targets.size() - 1 - k);
                List<String> wanted = t.figures != null ? t.figures : figures;
                long part = bytes / streams;
                long ms = lifecycleMs;
                if (wanted.contains("push")) {
                    report(t, run, "push", streams == 1 ? push(t.address, bytes)
                            : part * streams / 1e6 / parallel(streams, () -> push(t.address, part)));
                }
                if (wanted.contains("pull")) {
                    report(t, run, "pull", streams == 1 ? pull(t.address, bytes)
                            : part * streams / 1e6 / parallel(streams, () -> pull(t.address, part)));
                }
                if (wanted.contains("lifecycles")) {
                    report(t, run, "lifecycles", streams == 1 ? lifecycles(t.address, lifecycleMs)
                            : parallelSum(streams, () -> lifecycles(t.address, ms)));
                }
            }
            if (pause) {
                System.out.println("PAUSE " + run);
                System.out.flush();
                if (parent.readLine() == null) {
                    return;
                }
            }
        }
    }

    /** A figure measured by {@code streams} connections at once. */
    private interface Figure {
        double run() throws IOException;
    }

    /** Runs {@code task} on {@code streams} threads at once; returns the seconds until the last ended. */
    private static double parallel(int streams, Figure task) throws Exception {
        long t0 = System.nanoTime();
        parallelSum(streams, task);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Runs {@code task} on {@code streams} threads at once; returns the sum of their figures. */
    private static double parallelSum(int streams, Figure task) throws Exception {
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.FutureTask<Double>> tasks = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            java.util.concurrent.FutureTask<Double> f = new java.util.concurrent.FutureTask<>(() -> {
                start.await();
                return task.run();
            });
            tasks.add(f);
            Thread.ofPlatform().daemon(true).start(f);
        }
        start.countDown();
        double sum = 0;
        for (java.util.concurrent.FutureTask<Double> f : tasks) {
            sum += f.get();
        }
        return sum;
    }

    private static void report(Target t, int run, String figure, double value) {
        System.out.printf(java.util.Locale.ROOT, "RESULT %s %d %s %.1f%n", t.name, run, figure, value);
        System.out.flush();
    }

    /** MB/s of sending {@code bytes} until the server confirmed it read them all. */
    private static double push(InetSocketAddress to, long bytes) throws IOException {
        byte[] buf = new byte[CHUNK];
        try (Socket s = new Socket()) {
            s.connect(to, 10_000);
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            long t0 = System.nanoTime();
            out.write(PUSH);
            long left = bytes;
            while (left > 0) {
                int k = (int) Math.min(left, buf.length);
                out.write(buf, 0, k);
                left -= k;
            }
            s.shutdownOutput();
            if (s.getInputStream().read() != 'k') {
                throw new IOException("push to " + to + ": no confirmation");
            }
            return bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** MB/s of receiving {@code bytes} from the server, from the request to the server's FIN. */
    private static double pull(InetSocketAddress from, long bytes) throws IOException {
        byte[] buf = new byte[CHUNK];
        try (Socket s = new Socket()) {
            s.connect(from, 10_000);
            s.setSoTimeout(60_000);
            long t0 = System.nanoTime();
            OutputStream out = s.getOutputStream();
            byte[] request = new byte[9];
            request[0] = PULL;
            for (int i = 0; i < 8; i++) {
                request[1 + i] = (byte) (bytes >>> (56 - 8 * i));
            }
            out.write(request);
            out.flush();
            InputStream in = s.getInputStream();
            long got = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                got += n;
            }
            if (got != bytes) {
                throw new IOException("pull from " + from + ": got " + got + " of " + bytes + " bytes");
            }
            return bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Connection lifecycles per second, one after another, for {@code ms} milliseconds. */
    private static double lifecycles(InetSocketAddress to, long ms) throws IOException {
        byte[] message = new byte[MESSAGE];
        message[0] = LIFECYCLE;
        byte[] answer = new byte[MESSAGE];
        long t0 = System.nanoTime();
        long end = t0 + ms * 1_000_000;
        int done = 0;
        long now;
        do {
            try (Socket s = new Socket()) {
                s.setTcpNoDelay(true);
                s.connect(to, 10_000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write(message);
                InputStream in = s.getInputStream();
                readFully(in, answer, MESSAGE);
                if (in.read() >= 0) {
                    throw new IOException("lifecycle with " + to + ": more than " + MESSAGE + " bytes");
                }
            }
            done++;
            now = System.nanoTime();
        } while (now - end < 0);
        return done / ((now - t0) / 1e9);
    }

    private static long readLong(InputStream in) throws IOException {
        byte[] b = new byte[8];
        readFully(in, b, 8);
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xFF);
        }
        return v;
    }

    private static void readFully(InputStream in, byte[] b, int n) throws IOException {
        int at = 0;
        while (at < n) {
            int k = in.read(b, at, n - at);
            if (k < 0) {
                throw new EOFException("connection closed after " + at + " of " + n + " bytes");
            }
            at += k;
        }
    }
}
