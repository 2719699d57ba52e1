package dev.jtcp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.event.TcpState;
import dev.jtcp.stack.Host;
import dev.jtcp.testutil.Eventually;
import dev.jtcp.tcp.TcpConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The blocking and non-blocking socket API, two stacks on an in-memory link, real threads and time. */
@Timeout(60)
class NetStackTest {
    @Test
    void aListenerPrintsItsEndpointWithoutTheJdksSlash() throws Exception {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(8080);
            assertThat(l.toString()).isEqualTo("listener 0.0.0.0:8080");
            l.close();
        }
    }

    @Test
    void echoesAndHalfClosesLikeASocket() throws Exception {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            Thread echo = Thread.ofVirtual().start(() -> {
                try (TcpSocket s = l.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            assertThat(c.getRemoteSocketAddress()).isEqualTo(StackPair.server(7));
            assertThat(c.getLocalSocketAddress().getAddress()).isEqualTo(StackPair.address("198.18.0.1"));
            c.getOutputStream().write("hello, world".getBytes(StandardCharsets.US_ASCII));
            c.shutdownOutput();
            // Half-closed: we still receive everything the peer sends, then its FIN.
            assertThat(new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello, world");
            echo.join();
            c.close();
            assertThat(c.onClose()).succeedsWithin(Duration.ofSeconds(5));
        }
    }

    @Test
    void aHalfClosedSideReceivesEverythingEvenIfItReadsAfterTimeWait() throws Exception {
        // The client half-closes first; the server sends what the client's receive queue and
        // engine buffer can hold together, and closes. Without reading, the client reaches
        // TIME-WAIT (the server's FIN) with most of the data still in its engine: all of it must
        // stay readable, and the end of stream come only after it.
        byte[] data = new byte[TcpSocket.QUEUE_LIMIT + 200_000];
        new Random(3).nextBytes(data);
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            c.shutdownOutput();
            TcpSocket s = l.accept(Duration.ofSeconds(5));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            s.getOutputStream().write(data);
            s.close();
            Eventually.waitUntil("the client in TIME-WAIT", Duration.ofSeconds(10),
                    () -> c.state() == TcpState.TIME_WAIT);
            byte[] got = c.getInputStream().readAllBytes();
            assertThat(got.length).isEqualTo(data.length);
            assertThat(got).isEqualTo(data);
        }
    }

    @Test
    void connectsFromAChosenLocalAddressAndPortWithATrafficClass() throws Exception {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            InetSocketAddress local = new InetSocketAddress(StackPair.address("198.18.0.1"), 40123);
            TcpSocket c = p.client.connect(StackPair.server(7), local, Duration.ofSeconds(5));
            assertThat(c.getLocalSocketAddress()).isEqualTo(local);
            TcpSocket s = l.accept();
            assertThat(s.getRemoteSocketAddress()).isEqualTo(local);
            assertThat(c.getTrafficClass()).isZero();
            c.setTrafficClass(0xB8);
            assertThat(c.getTrafficClass()).isEqualTo(0xB8);
            c.getOutputStream().write(1);
            assertThat(s.getInputStream().read()).isEqualTo(1);
            assertThat(s.getReceivedTrafficClass()).isEqualTo(0xB8);
            s.close();
            assertThatThrownBy(() -> c.setTrafficClass(256)).isInstanceOf(IllegalArgumentException.class);
            c.close();

            // Not an address of the client stack, or not of the server's family: refused at once.
            for (String bad : new String[] {"198.18.0.77", "fd00::1"}) {
                assertThatThrownBy(() -> p.client.connect(StackPair.server(7),
                        new InetSocketAddress(StackPair.address(bad), 0), Duration.ofSeconds(5)))
                        .as(bad).isInstanceOf(ConnectException.class).hasMessage("Cannot assign requested address");
            }
        }
    }

    @Test
    void connectingToAClosedPortIsRefused() throws Exception {
        try (StackPair p = new StackPair()) {
            assertThatThrownBy(() -> p.client.connect(StackPair.server(9), Duration.ofSeconds(5)))
                    .isInstanceOf(ConnectException.class).hasMessage("Connection refused");
        }
    }

    @Test
    void connectGivesUpAfterItsTimeout() throws Exception {
        try (StackPair p = new StackPair()) {
            // Nobody has 198.18.0.99: the SYNs go unanswered.
            InetSocketAddress nowhere = new InetSocketAddress(StackPair.address("198.18.0.99"), 80);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> p.client.connect(nowhere, Duration.ofMillis(300)))
                    .isInstanceOf(SocketTimeoutException.class).hasMessage("Connect timed out");
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
            // The abandoned attempt is gone (aborted), not left retrying.
            Eventually.waitUntil("the abandoned connection removed", Duration.ofSeconds(5),
                    () -> p.client.inspect(Host::connectionCount) == 0);
        }
    }

    @Test
    void abortResetsThePeer() throws Exception {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            TcpSocket s = l.accept(Duration.ofSeconds(5));
            c.abort();
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class)
                    .hasMessage("Connection reset");
            assertThatThrownBy(() -> s.getOutputStream().write(1)).isInstanceOf(SocketException.class)
                    .hasMessage("Connection reset");
            assertThatThrownBy(() -> c.getInputStream().read()).hasMessage("Socket closed");
        }
    }

    @Test
    void soLingerZeroMakesCloseAReset() throws Exception {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            TcpSocket s = l.accept(Duration.ofSeconds(5));
            c.setSoLinger(true, 0);
            c.close();
            assertThatThrownBy(() -> s.getInputStream().read()).hasMessage("Connection reset");
        }
    }

    @Test
    void readsTimeOutAndAcceptsToo() throws Exception {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            assertThatThrownBy(() -> l.accept(Duration.ofMillis(50))).isInstanceOf(SocketTimeoutException.class)
                    .hasMessage("Accept timed out");
            TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            c.setSoTimeout(50);
            assertThatThrownBy(() -> c.getInputStream().read()).isInstanceOf(SocketTimeoutException.class)
                    .hasMessage("Read timed out");
            assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        }
    }

    @Test
    void closingTheStackReleasesBlockedThreads() throws Exception {
        StackPair p = new StackPair();
        TcpServerSocket l = p.server.listen(7);
        TcpServerSocket idle = p.server.listen(8);
        TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
        TcpSocket s = l.accept(Duration.ofSeconds(5));
        CompletableFuture<Throwable> accept = new CompletableFuture<>();
        CompletableFuture<Throwable> read = new CompletableFuture<>();
        Thread acceptor = Thread.ofVirtual().start(() -> {
            try {
                idle.accept();
            } catch (IOException e) {
                accept.complete(e);
            }
        });
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                s.getInputStream().read();
            } catch (IOException e) {
                read.complete(e);
            }
        });
        Eventually.waitUntilBlocked(acceptor, Duration.ofSeconds(5));
        Eventually.waitUntilBlocked(reader, Duration.ofSeconds(5));
        p.server.close();
        assertThat(accept.get(5, TimeUnit.SECONDS)).hasMessage("Socket closed");
        assertThat(read.get(5, TimeUnit.SECONDS)).isInstanceOf(SocketException.class);
        // The peer learns it from the reset sent on close.
        assertThatThrownBy(() -> c.getInputStream().read()).hasMessage("Connection reset");
        p.client.close();
    }

    @Test
    void aSecondListenerOnThePortIsAnAddressInUse() throws Exception {
        try (StackPair p = new StackPair()) {
            p.server.listen(80);
            assertThatThrownBy(() -> p.server.listen(80)).isInstanceOf(BindException.class)
                    .hasMessage("Address already in use");
        }
    }

    @Test
    void movesTenMegabytesEachWayIntact() throws Exception {
        byte[] up = new byte[10 << 20];
        byte[] down = new byte[10 << 20];
        new Random(1).nextBytes(up);
        new Random(2).nextBytes(down);
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(5001);
            CompletableFuture<byte[]> serverGot = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (TcpSocket s = l.accept()) {
                    Thread writer = Thread.ofVirtual().start(() -> {
                        try {
                            s.getOutputStream().write(down);
                            s.shutdownOutput();
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    });
                    serverGot.complete(s.getInputStream().readAllBytes());
                    writer.join();
                } catch (Exception e) {
                    serverGot.completeExceptionally(e);
                }
            });
            TcpSocket c = p.client.connect(StackPair.server(5001), Duration.ofSeconds(5));
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    c.getOutputStream().write(up);
                    c.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] clientGot = c.getInputStream().readAllBytes();
            writer.join();
            assertThat(sha256(clientGot)).isEqualTo(sha256(down));
            assertThat(sha256(serverGot.get(30, TimeUnit.SECONDS))).isEqualTo(sha256(up));
            // Full segments with SACK blocks once went over the MTU here, and the cable dropped them.
            assertThat(p.ends[0].oversized()).as("client packets over the MTU").isZero();
            assertThat(p.ends[1].oversized()).as("server packets over the MTU").isZero();
            c.close();
        }
    }

    @Test
    void worksWithFuturesAlone() throws Exception {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            CompletableFuture<String> served = l.acceptAsync().thenCompose(s -> {
                ByteBuffer b = ByteBuffer.allocate(100);
                return s.read(b).thenCompose(n -> s.write(b.flip()).thenApply(v -> {
                    s.close();
                    return new String(b.array(), 0, n, StandardCharsets.US_ASCII);
                }));
            });
            String echoed = p.client.connectAsync(StackPair.server(7)).thenCompose(c -> c.write(
                    ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII))).thenCompose(v -> {
                ByteBuffer b = ByteBuffer.allocate(100);
                return c.read(b).thenApply(n -> new String(b.array(), 0, n, StandardCharsets.US_ASCII));
            })).get(10, TimeUnit.SECONDS);
            assertThat(echoed).isEqualTo("ping");
            assertThat(served.get(10, TimeUnit.SECONDS)).isEqualTo("ping");
        }
    }

    @Test
    void connectsOverIpv6() throws Exception {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            InetSocketAddress v6 = new InetSocketAddress(StackPair.address("fd00::2"), 7);
            TcpSocket c = p.client.connect(v6, Duration.ofSeconds(5));
            TcpSocket s = l.accept(Duration.ofSeconds(5));
            assertThat(s.getRemoteSocketAddress().getAddress()).isEqualTo(StackPair.address("fd00::1"));
            c.getOutputStream().write(42);
            assertThat(s.getInputStream().read()).isEqualTo(42);
        }
    }

    static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    static TcpConfig fast() {
        return TcpConfig.defaults().toBuilder().msl(Duration.ofMillis(100)).build();
    }

    static int drain(InputStream in) throws IOException {
        int total = 0;
        byte[] b = new byte[8192];
        int n;
        while ((n = in.read(b)) > 0) {
            total += n;
        }
        return total;
    }
}
