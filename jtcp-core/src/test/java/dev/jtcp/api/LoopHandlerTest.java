package dev.jtcp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.event.TcpState;
import dev.jtcp.testutil.Eventually;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Servers whose handlers run on the event loop ({@link LoopHandler}, {@link LoopConnection}): a
 * jtcp server stack with loop-side handlers, a client stack with blocking sockets, on an in-memory
 * link. Every wait is for an event, never a sleep.
 */
@Timeout(60)
class LoopHandlerTest {
    /** Echoes what it reads; closes after the peer's FIN; records its events and their thread. */
    private static final class Echo implements LoopHandler {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<IOException> closed = new CompletableFuture<>();
        final ByteBuffer buf = ByteBuffer.allocate(1024);
        volatile String thread;

        @Override
        public void onOpen(LoopConnection c) {
            events.add("open");
            thread = Thread.currentThread().getName();
        }

        @Override
        public void onReadable(LoopConnection c) {
            events.add("readable");
            pump(c);
        }

        @Override
        public void onWritable(LoopConnection c) {
            pump(c);
        }

        private void pump(LoopConnection c) {
            try {
                while (true) {
                    if (buf.position() > 0) {
                        buf.flip();
                        c.write(buf);
                        buf.compact();
                        if (buf.position() > 0) {
                            return; // onWritable continues
                        }
                    }
                    int n = c.read(buf);
                    if (n < 0) {
                        c.close();
                        return;
                    }
                    if (n == 0) {
                        return;
                    }
                }
            } catch (IOException e) {
                c.abort();
            }
        }

        @Override
        public void onClosed(LoopConnection c, IOException error) {
            events.add("closed");
            closed.complete(error);
        }
    }

    @Test
    void anEchoServerRunsOnTheLoopFromOpenToClose() throws Exception {
        Echo echo = new Echo();
        try (StackPair p = new StackPair()) {
            p.server.listen(StackPair.server(7), 16, () -> echo);
            try (TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5))) {
                c.getOutputStream().write("hello, loop".getBytes(StandardCharsets.US_ASCII));
                c.shutdownOutput();
                assertThat(new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("hello, loop");
            }
            assertThat(echo.closed).succeedsWithin(Duration.ofSeconds(5)).isNull();
            assertThat(echo.thread).isEqualTo("jtcp-loop-server");
            assertThat(echo.events.getFirst()).isEqualTo("open");
            assertThat(echo.events.getLast()).isEqualTo("closed");
            assertThat(echo.events).contains("readable");
        }
    }

    @Test
    void aServerThatClosesFirstKeepsTimeWaitAndServesConnectionAfterConnection() throws Exception {
        // The bench's lifecycle: 100 bytes each way, the server closes first.
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger closedNormally = new AtomicInteger();
        try (StackPair p = new StackPair()) {
            p.server.listen(StackPair.server(80), 128, () -> new LoopHandler() {
                final ByteBuffer request = ByteBuffer.allocate(100);

                @Override
                public void onOpen(LoopConnection c) {
                    opened.incrementAndGet();
                }

                @Override
                public void onReadable(LoopConnection c) {
                    try {
                        c.read(request);
                        if (!request.hasRemaining()) {
                            int wrote = c.write(request.flip());
                            assertThat(wrote).isEqualTo(100);
                            c.close();
                        }
                    } catch (IOException e) {
                        c.abort();
                    }
                }

                @Override
                public void onClosed(LoopConnection c, IOException error) {
                    if (error == null) {
                        closedNormally.incrementAndGet();
                    }
                }
            });
            byte[] message = new byte[100];
            for (int i = 0; i < 200; i++) {
                message[0] = (byte) i;
                try (TcpSocket c = p.client.connect(StackPair.server(80), Duration.ofSeconds(5))) {
                    c.getOutputStream().write(message);
                    InputStream in = c.getInputStream();
                    assertThat(in.readNBytes(100)).isEqualTo(message);
                    assertThat(in.read()).isEqualTo(-1);
                }
            }
            Eventually.waitUntil("every server side closed", Duration.ofSeconds(10), () -> closedNormally.get() == 200);
            assertThat(opened).hasValue(200);
            assertThat(p.server.stats().timeWaitRecords()).isPositive();
        }
    }

    @Test
    void aLargeResponseFollowsTheSendBufferThroughOnWritable() throws Exception {
        byte[] data = new byte[3_000_000];
        new Random(7).nextBytes(data);
        try (StackPair p = new StackPair()) {
            p.server.listen(StackPair.server(9), 16, () -> new LoopHandler() {
                final ByteBuffer rest = ByteBuffer.wrap(data);

                @Override
                public void onOpen(LoopConnection c) {
                    onWritable(c);
                }

                @Override
                public void onReadable(LoopConnection c) {
                }

                @Override
                public void onWritable(LoopConnection c) {
                    try {
                        c.write(rest);
                        if (!rest.hasRemaining()) {
                            c.shutdownOutput();
                        }
                    } catch (IOException e) {
                        c.abort();
                    }
                }
            });
            try (TcpSocket c = p.client.connect(StackPair.server(9), Duration.ofSeconds(5))) {
                byte[] got = c.getInputStream().readAllBytes();
                assertThat(got.length).isEqualTo(data.length);
                assertThat(MessageDigest.getInstance("SHA-256").digest(got))
                        .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
            }
        }
    }

    @Test
    void aHalfClosedHandlerGoesOnReadingUntilThePeersFin() throws Exception {
        AtomicInteger counted = new AtomicInteger();
        CompletableFuture<IOException> closed = new CompletableFuture<>();
        try (StackPair p = new StackPair()) {
            p.server.listen(StackPair.server(9), 16, () -> new LoopHandler() {
                @Override
                public void onOpen(LoopConnection c) {
                    try {
                        c.write(ByteBuffer.wrap("greeting".getBytes(StandardCharsets.US_ASCII)));
                        c.shutdownOutput();
                        assertThatThrownBy(() -> c.write(ByteBuffer.allocate(1))).isInstanceOf(SocketException.class);
                    } catch (IOException e) {
                        c.abort();
                    }
                }

                @Override
                public void onReadable(LoopConnection c) {
                    try {
                        int n;
                        while ((n = c.read(ByteBuffer.allocate(4096))) > 0) {
                            counted.addAndGet(n);
                        }
                        if (n < 0) {
                            c.close();
                        }
                    } catch (IOException e) {
                        c.abort();
                    }
                }

                @Override
                public void onClosed(LoopConnection c, IOException error) {
                    closed.complete(error);
                }
            });
            try (TcpSocket c = p.client.connect(StackPair.server(9), Duration.ofSeconds(5))) {
                assertThat(new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("greeting");
                c.getOutputStream().write(new byte[100_000]);
                c.shutdownOutput();
                assertThat(c.onClose()).succeedsWithin(Duration.ofSeconds(10));
            }
            assertThat(closed).succeedsWithin(Duration.ofSeconds(10)).isNull();
            assertThat(counted).hasValue(100_000);
        }
    }

    @Test
    void aPeersResetReachesOnClosed() throws Exception {
        Echo echo = new Echo();
        try (StackPair p = new StackPair()) {
            p.server.listen(StackPair.server(7), 16, () -> echo);
            TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            c.getOutputStream().write(1);
            assertThat(c.getInputStream().read()).isEqualTo(1);
            c.abort();
            assertThat(echo.closed).succeedsWithin(Duration.ofSeconds(5))
                    .isInstanceOf(SocketException.class)
                    .extracting(Throwable::getMessage).isEqualTo("Connection reset");
        }
    }

    @Test
    void aHandlerThatThrowsResetsOnlyItsConnection() throws Exception {
        AtomicInteger made = new AtomicInteger();
        try (StackPair p = new StackPair()) {
            p.server.listen(StackPair.server(7), 16, () -> made.getAndIncrement() == 0 ? new LoopHandler() {
                @Override
                public void onReadable(LoopConnection c) {
                    throw new IllegalStateException("a bug in the handler");
                }
            } : new Echo());
            TcpSocket bad = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            bad.getOutputStream().write(1);
            assertThatThrownBy(() -> bad.getInputStream().read()).isInstanceOf(SocketException.class)
                    .hasMessage("Connection reset");
            try (TcpSocket good = p.client.connect(StackPair.server(7), Duration.ofSeconds(5))) {
                good.getOutputStream().write(42);
                assertThat(good.getInputStream().read()).isEqualTo(42);
            }
        }
    }

    @Test
    void aHandlerListenerHasNothingToAcceptAndItsConnectionsStayOnTheLoop() throws Exception {
        AtomicReference<LoopConnection> conn = new AtomicReference<>();
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(StackPair.server(7), 16, () -> new LoopHandler() {
                @Override
                public void onOpen(LoopConnection c) {
                    conn.set(c);
                }

                @Override
                public void onReadable(LoopConnection c) {
                }
            });
            assertThatThrownBy(l::accept).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(l::acceptAsync).isInstanceOf(IllegalStateException.class);
            try (TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5))) {
                Eventually.waitUntil("the handler opened", Duration.ofSeconds(5), () -> conn.get() != null);
                assertThat(conn.get().getRemoteSocketAddress()).isEqualTo(c.getLocalSocketAddress());
                assertThatThrownBy(() -> conn.get().read(ByteBuffer.allocate(1)))
                        .isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> conn.get().state()).isInstanceOf(IllegalStateException.class);
            }
            l.close();
            assertThat(l.state()).isEqualTo(TcpState.CLOSED);
        }
    }
}
