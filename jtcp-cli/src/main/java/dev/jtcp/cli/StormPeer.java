package dev.jtcp.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kernel's side of {@code jtcp bench storm} and {@code jtcp bench hold}: a crowd of clients
 * with the JDK's non-blocking sockets (so the kernel's TCP), run as a child JVM inside the
 * benchmark's network namespace. One thread and one {@link Selector} per source address; every
 * connection is started at once (a non-blocking {@code connect} each, as fast as the kernel takes
 * them), sends a 32-byte line, reads it back from the echo server, then:
 *
 * <ul>
 *   <li>{@code burst}: half-closes at once and waits for the server's FIN (which the echo server
 *       sends only after our FIN reached it, so an end-of-stream proves both FINs were taken);
 *   <li>{@code hold}: prints {@code HELD n} once every connection echoed (or the time limit
 *       passed), waits for a line on standard input, then half-closes each and waits as above.
 * </ul>
 *
 * <p>{@code StormPeer burst|hold HOST:PORT SOURCE[,SOURCE...] CONNECTIONS TIMEOUT_S} prints, every
 * second, {@code PROGRESS started established echoed closed failed} on standard error and at the
 * end one line {@code RESULT started established echoed closed reset refused timedout other
 * firstMs lastEstablishedMs lastEchoedMs doneMs} (times from the first connect). A connection that
 * fails is closed at once (its error counted), so a timed-out connection never lingers.
 *
 * <p>Thread-safety: a command-line program.
 */
public final class StormPeer {
    static final int MESSAGE = 32;
    /** The first local port; connection k of a source uses FIRST_PORT + k. */
    static final int FIRST_PORT = 1024;
    private static final int CONNECTING = 0;
    private static final int SENDING = 1;
    private static final int ECHOING = 2;
    private static final int HOLDING = 3;
    private static final int CLOSING = 4;
    private static final int DONE = 5;

    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger established = new AtomicInteger();
    private final AtomicInteger echoed = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final AtomicInteger reset = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger timedOut = new AtomicInteger();
    private final AtomicInteger other = new AtomicInteger();
    private final AtomicLong lastEstablishedNs = new AtomicLong();
    private final AtomicLong lastEchoedNs = new AtomicLong();
    private final CountDownLatch releaseHeld = new CountDownLatch(1);
    private volatile String firstError;
    private long t0;

    private StormPeer() {
    }

    /** One connection's state, kept as the selection key's attachment. */
    private static final class Conn {
        final SocketChannel ch;
        final ByteBuffer out;
        final ByteBuffer in = ByteBuffer.allocate(MESSAGE);
        int state = CONNECTING;

        Conn(SocketChannel ch, int id) {
            this.ch = ch;
            byte[] line = String.format(Locale.ROOT, "%-31s\n", "storm " + id).getBytes(StandardCharsets.US_ASCII);
            this.out = ByteBuffer.wrap(line);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5 || !(args[0].equals("burst") || args[0].equals("hold"))) {
            System.err.println("usage: StormPeer burst|hold HOST:PORT SOURCE[,SOURCE...] CONNECTIONS TIMEOUT_S");
            System.exit(2);
        }
        int colon = args[1].lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(args[1].substring(0, colon)),
                Integer.parseInt(args[1].substring(colon + 1)));
        String[] sources = args[2].split(",");
        int connections = Integer.parseInt(args[3]);
        long timeoutNs = Long.parseLong(args[4]) * 1_000_000_000L;
        new StormPeer().run(args[0].equals("hold"), target, sources, connections, timeoutNs);
    }

    private void run(boolean hold, InetSocketAddress target, String[] sources, int connections, long timeoutNs)
            throws Exception {
        t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < sources.length; i++) {
            int share = connections / sources.length + (i < connections % sources.length ? 1 : 0);
            InetAddress source = InetAddress.getByName(sources[i]);
            int base = i;
            threads.add(Thread.ofPlatform().name("storm-" + sources[i]).start(() -> {
                try {
                    crowd(hold, target, source, share, base, sources.length, timeoutNs);
                } catch (IOException e) {
                    firstError = e.toString();
                    other.addAndGet(share);
                }
            }));
        }
        Thread progress = Thread.ofPlatform().daemon(true).start(() -> {
            while (true) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                System.err.printf(Locale.ROOT, "PROGRESS %d %d %d %d %d%n", started.get(), established.get(),
                        echoed.get(), closed.get(), reset.get() + refused.get() + timedOut.get() + other.get());
            }
        });
        if (hold) {
            // Every thread reports HELD when its share echoed; the parent then holds until it says so.
            while (echoed.get() + failed() < connections && System.nanoTime() - t0 < timeoutNs) {
                Thread.sleep(20);
            }
            System.out.println("HELD " + echoed.get());
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine();
            releaseHeld.countDown();
        }
        for (Thread t : threads) {
            t.join();
        }
        progress.interrupt();
        long now = System.nanoTime();
        System.out.printf(Locale.ROOT, "RESULT %d %d %d %d %d %d %d %d %d %d %d%n", started.get(), established.get(),
                echoed.get(), closed.get(), reset.get(), refused.get(), timedOut.get(), other.get(),
                lastEstablishedNs.get() == 0 ? -1 : (lastEstablishedNs.get() - t0) / 1_000_000,
                lastEchoedNs.get() == 0 ? -1 : (lastEchoedNs.get() - t0) / 1_000_000, (now - t0) / 1_000_000);
        if (firstError != null) {
            System.out.println("ERROR " + firstError);
        }
        System.out.flush();
    }

    private int failed() {
        return reset.get() + refused.get() + timedOut.get() + other.get();
    }

    /** Runs {@code count} connections from {@code source}; ids are {@code base + k * stride}. */
    private void crowd(boolean hold, InetSocketAddress target, InetAddress source, int count, int base, int stride,
                       long timeoutNs) throws IOException {
        try (Selector selector = Selector.open()) {
            for (int k = 0; k < count; k++) {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                // An explicit port: bind(0) searches the port range for each socket, which grows slow
                // (quadratic in all) with tens of thousands bound; each source is used by one process.
                ch.bind(new InetSocketAddress(source, FIRST_PORT + k));
                Conn c = new Conn(ch, base + k * stride);
                started.incrementAndGet();
                try {
                    if (ch.connect(target)) {
                        onConnected(c);
                        ch.register(selector, SelectionKey.OP_WRITE, c);
                    } else {
                        ch.register(selector, SelectionKey.OP_CONNECT, c);
                    }
                } catch (IOException e) {
                    fail(c, e);
                }
                if ((k & 255) == 255) {
                    // Serve what is ready meanwhile, so early connections do not wait for the last connect.
                    selector.selectNow();
                    handle(selector, hold);
                }
            }
            int open = count;
            boolean releasedHeld = !hold;
            while (true) {
                open = selector.keys().size();
                if (open == 0 || System.nanoTime() - t0 > timeoutNs) {
                    break;
                }
                if (!releasedHeld && releaseHeld.getCount() == 0) {
                    releasedHeld = true;
                    for (SelectionKey key : selector.keys()) {
                        Conn c = (Conn) key.attachment();
                        if (c.state == HOLDING) {
                            startClosing(c, key);
                        }
                    }
                }
                selector.select(100);
                handle(selector, hold);
            }
            for (SelectionKey key : selector.keys()) {
                Conn c = (Conn) key.attachment();
                if (hold && c.state == HOLDING) {
                    continue;
                }
                timedOut.incrementAndGet();
                if (firstError == null) {
                    firstError = "timed out in state " + c.state + " on " + c.ch;
                }
                c.ch.close();
            }
        }
    }

    private void handle(Selector selector, boolean hold) {
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            Conn c = (Conn) key.attachment();
            try {
                step(c, key, hold);
            } catch (IOException e) {
                fail(c, e);
            }
        }
    }

    private void step(Conn c, SelectionKey key, boolean hold) throws IOException {
        switch (c.state) {
            case CONNECTING -> {
                if (c.ch.finishConnect()) {
                    onConnected(c);
                    key.interestOps(SelectionKey.OP_WRITE);
                }
            }
            case SENDING -> {
                c.ch.write(c.out);
                if (!c.out.hasRemaining()) {
                    c.state = ECHOING;
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
            case ECHOING -> {
                if (c.ch.read(c.in) < 0) {
                    throw new SocketException("end of stream before the echo");
                }
                if (!c.in.hasRemaining()) {
                    if (!c.in.flip().equals(c.out.flip())) {
                        throw new IOException("echo differs");
                    }
                    echoed.incrementAndGet();
                    lastEchoedNs.accumulateAndGet(System.nanoTime(), Math::max);
                    if (hold) {
                        c.state = HOLDING;
                        key.interestOps(0);
                    } else {
                        startClosing(c, key);
                    }
                }
            }
            case CLOSING -> {
                c.in.clear();
                int n = c.ch.read(c.in);
                if (n < 0) {
                    c.state = DONE;
                    closed.incrementAndGet();
                    key.cancel();
                    c.ch.close();
                } else if (n > 0) {
                    throw new IOException("data after the echo");
                }
            }
            default -> key.cancel();
        }
    }

    private void onConnected(Conn c) {
        c.state = SENDING;
        established.incrementAndGet();
        lastEstablishedNs.accumulateAndGet(System.nanoTime(), Math::max);
    }

    private void startClosing(Conn c, SelectionKey key) throws IOException {
        c.ch.shutdownOutput();
        c.state = CLOSING;
        key.interestOps(SelectionKey.OP_READ);
    }

    private void fail(Conn c, IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("reset")) {
            reset.incrementAndGet();
        } else if (m.contains("refused")) {
            refused.incrementAndGet();
        } else if (m.contains("timed out")) {
            timedOut.incrementAndGet();
        } else {
            other.incrementAndGet();
        }
        if (firstError == null) {
            firstError = e + " in state " + c.state;
        }
        try {
            c.ch.close();
        } catch (IOException ignored) {
            // Closing a failed channel: nothing more to learn.
        }
    }
}
