package dev.jtcp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * Nothing an application passes may stop the stack: every setter and call checks its arguments on
 * the caller's thread (a clear exception naming the argument), and a command that throws on the loop
 * ends only itself. Then the API's lifecycle at the edges: close with a read waiting, close after the
 * stack, getters on an interrupted thread, calls on a closed stack.
 */
@Timeout(60)
class NetStackArgumentsTest {

    /** Runs {@code bad} against a connected socket, then checks the stack still connects and moves bytes. */
    private static void survives(ThrowingConsumer<TcpSocket> bad) throws Throwable {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            TcpSocket s = l.accept(Duration.ofSeconds(5));
            bad.accept(c);
            // The loop still runs: the old connection works and a new one opens.
            c.getOutputStream().write(42);
            assertThat(s.getInputStream().read()).isEqualTo(42);
            TcpSocket c2 = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            assertThat(c2.state().isSynchronized()).isTrue();
        }
    }

    @Test
    void aNegativeUserTimeoutIsRefusedOnTheCallersThread() throws Throwable {
        survives(c -> assertThatThrownBy(() -> c.setUserTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user timeout"));
    }

    @Test
    void aNullUserTimeoutIsRefusedOnTheCallersThread() throws Throwable {
        survives(c -> assertThatThrownBy(() -> c.setUserTimeout(null))
                .isInstanceOf(NullPointerException.class).hasMessage("timeout"));
    }

    @Test
    void anEnormousUserTimeoutIsRefused() throws Throwable {
        survives(c -> assertThatThrownBy(() -> c.setUserTimeout(Duration.ofDays(365_000_000L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user timeout"));
    }

    @Test
    void badBufferSizesAreRefused() throws Throwable {
        survives(c -> {
            assertThatThrownBy(() -> c.setSendBufferSize(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("send buffer");
            assertThatThrownBy(() -> c.setSendBufferSize(Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> c.setReceiveBufferSize(-5)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("receive buffer");
            assertThatThrownBy(() -> c.setReceiveBufferSize(Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
        });
    }

    @Test
    void badSocketOptionsAreRefused() throws Throwable {
        survives(c -> {
            assertThatThrownBy(() -> c.setSoTimeout(-1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> c.setSoLinger(true, -1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("linger");
            assertThatCode(() -> c.setSoLinger(false, -1)).doesNotThrowAnyException();
            assertThatThrownBy(() -> c.setTrafficClass(256)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> c.setTrafficClass(-1)).isInstanceOf(IllegalArgumentException.class);
        });
    }

    @Test
    void nullAndReadOnlyBuffersAreRefused() throws Throwable {
        survives(c -> {
            assertThatThrownBy(() -> c.read(null)).isInstanceOf(NullPointerException.class).hasMessage("dst");
            assertThatThrownBy(() -> c.read(ByteBuffer.allocate(4).asReadOnlyBuffer()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
            assertThatThrownBy(() -> c.write(null)).isInstanceOf(NullPointerException.class).hasMessage("src");
            assertThatThrownBy(() -> c.getInputStream().read(new byte[4], 3, 4)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> c.getOutputStream().write(null, 0, 1)).isInstanceOf(NullPointerException.class);
        });
    }

    @Test
    void badConnectListenAndAcceptArgumentsAreRefused() throws Throwable {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            assertThatThrownBy(() -> p.client.connect(null)).isInstanceOf(NullPointerException.class).hasMessage("remote");
            assertThatThrownBy(() -> p.client.connect(StackPair.server(7), (Duration) null))
                    .isInstanceOf(NullPointerException.class).hasMessage("timeout");
            assertThatThrownBy(() -> p.client.connect(StackPair.server(7), Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> p.client.connectAsync(StackPair.server(7), (InetSocketAddress) null))
                    .isInstanceOf(NullPointerException.class).hasMessage("local");
            assertThatThrownBy(() -> p.client.connect(InetSocketAddress.createUnresolved("example.invalid", 7)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> p.server.listen(null, 1)).isInstanceOf(NullPointerException.class).hasMessage("local");
            assertThatThrownBy(() -> l.accept(null)).isInstanceOf(NullPointerException.class).hasMessage("timeout");
            assertThatThrownBy(() -> l.accept(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> p.client.inspect(null)).isInstanceOf(NullPointerException.class);
            // A backlog below 1 means the default, as for java.net.ServerSocket.
            TcpServerSocket l0 = p.server.listen(new InetSocketAddress(8), 0);
            TcpSocket c = p.client.connect(StackPair.server(8), Duration.ofSeconds(5));
            assertThat(l0.accept(Duration.ofSeconds(5))).isNotNull();
            assertThat(c.state().isSynchronized()).isTrue();
        }
    }

    @Test
    void aCommandThatThrowsOnTheLoopEndsOnlyItself() throws Throwable {
        survives(c -> {
            c.loop.execute(() -> {
                throw new IllegalArgumentException("a bug in a command");
            });
            assertThatThrownBy(() -> c.loop.call(() -> {
                throw new IllegalStateException("reported to the caller");
            })).hasMessage("reported to the caller");
            assertThat(c.loop.isRunning()).isTrue();
        });
    }

    @Test
    void closeFailsAWaitingReadAtOnce() throws Exception {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            l.accept(Duration.ofSeconds(5));
            CompletableFuture<Integer> read = c.read(ByteBuffer.allocate(10));
            assertThat(read).isNotDone();
            c.close();
            assertThatThrownBy(() -> read.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(SocketException.class).hasMessage("Socket closed");
        }
    }

    @Test
    void closingASocketAfterItsStackIsANoOp() throws Exception {
        StackPair p = new StackPair();
        TcpServerSocket l = p.server.listen(7);
        TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
        TcpSocket s = l.accept(Duration.ofSeconds(5));
        c.setTcpNoDelay(true);
        p.close();
        assertThatCode(c::close).doesNotThrowAnyException();
        assertThatCode(s::abort).doesNotThrowAnyException();
        assertThatCode(l::close).doesNotThrowAnyException();
        assertThatCode(() -> c.setTcpNoDelay(false)).doesNotThrowAnyException();
        assertThat(c.getTcpNoDelay()).isTrue();
    }

    @Test
    void gettersAnswerOnAnInterruptedThread() throws Exception {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            l.accept(Duration.ofSeconds(5));
            Thread.currentThread().interrupt();
            try {
                assertThat(c.getTcpNoDelay()).isFalse();
                assertThat(c.getSendBufferSize()).isPositive();
                assertThat(c.state().isSynchronized()).isTrue();
                assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void connectAndListenOnAClosedStackSaySocketClosed() throws Exception {
        StackPair p = new StackPair();
        p.close();
        assertThatThrownBy(() -> p.client.connect(StackPair.server(7), Duration.ofSeconds(1)))
                .isInstanceOf(SocketException.class).hasMessage("Socket closed");
        assertThatThrownBy(() -> p.server.listen(7)).isInstanceOf(SocketException.class).hasMessage("Socket closed");
        assertThat(p.client.connectAsync(StackPair.server(7))).isCompletedExceptionally();
    }

    @Test
    void halfCloseReadToTheEndThenCloseLeavesACompactTimeWaitRecord() throws Exception {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            TcpSocket s = l.accept(Duration.ofSeconds(5));
            c.getOutputStream().write("GET".getBytes());
            c.shutdownOutput();
            assertThat(s.getInputStream().readAllBytes()).hasSize(3);
            s.getOutputStream().write("answer".getBytes());
            s.close();
            assertThat(c.getInputStream().readAllBytes()).hasSize(6);
            dev.jtcp.event.ConnectionKey key = c.key();
            dev.jtcp.testutil.Eventually.waitUntil("client in TIME-WAIT", Duration.ofSeconds(5),
                    () -> p.client.inspect(h -> h.timeWait(key) != null));
            c.close();
            dev.jtcp.testutil.Eventually.waitUntil("the record let the connection go", Duration.ofSeconds(5),
                    () -> p.client.inspect(h -> !h.timeWait(key).keepsConnection()));
        }
    }

    @Test
    void closeWithBytesStillQueuedSendsThemAllBeforeTheFin() throws Exception {
        byte[] data = new byte[TcpSocket.QUEUE_LIMIT + 100_000];
        new java.util.Random(5).nextBytes(data);
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            TcpSocket s = l.accept(Duration.ofSeconds(5));
            s.setSendBufferSize(1024); // the engine takes little at a time: close() finds bytes queued
            CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.getInputStream().readAllBytes();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            s.getOutputStream().write(data);
            s.close();
            assertThat(got.get(30, TimeUnit.SECONDS)).isEqualTo(data);
        }
    }
}
