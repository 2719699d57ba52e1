package dev.jtcp.api;

import dev.jtcp.stack.Host;
import dev.jtcp.stack.UdpReceiver;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.wire.IpAddress;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A UDP socket of a {@link NetStack}, shaped like {@link java.net.DatagramSocket}: {@link #send}
 * queues a datagram for the loop, {@link #receive} blocks (suits virtual threads) up to {@link
 * #setSoTimeout}. Arriving datagrams wait in a queue of {@link #QUEUE_LIMIT}; beyond it they are
 * dropped, as a kernel drops them when the receive buffer is full.
 *
 * <p>Thread-safety: safe from any thread.
 */
public final class UdpSocket implements Closeable {
    /** Datagrams waiting to be received, at most. */
    public static final int QUEUE_LIMIT = 256;

    private final EventLoop loop;
    private final Host host;
    private final IpAddress localAddress;
    /** Set once, on the loop, when bound. */
    private volatile int port;
    private final UdpReceiver receiver = this::onDatagram;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    // ---- guarded by lock ----
    private final ArrayDeque<Datagram> queue = new ArrayDeque<>();
    private boolean closed;
    private long dropped;
    private volatile int soTimeoutMs;

    private record Datagram(InetSocketAddress from, byte[] data) {}

    private UdpSocket(EventLoop loop, IpAddress localAddress) {
        this.loop = loop;
        this.host = loop.host();
        this.localAddress = localAddress;
    }

    /**
     * Binds {@code local} on {@code stack}.
     *
     * @param stack the stack
     * @param local the address (the wildcard: every address) and port (0: an ephemeral one)
     * @return the bound socket
     * @throws IOException {@link java.net.BindException} when the port is in use
     */
    public static UdpSocket bind(NetStack stack, InetSocketAddress local) throws IOException {
        EventLoop loop = stack.loop();
        IpAddress address = local.getAddress() == null ? IpAddress.ANY_V4 : IpAddress.of(local.getAddress());
        UdpSocket s = new UdpSocket(loop, address);
        try {
            s.port = loop.call(() -> loop.host().bindUdp(address, local.getPort(), s.receiver));
        } catch (TcpException e) {
            throw Errors.of(e, false);
        }
        return s;
    }

    /** On the loop thread. */
    private void onDatagram(long nowNs, IpAddress src, int srcPort, IpAddress dst, int dstPort, ByteBuffer buf,
                            int offset, int length) {
        byte[] data = new byte[length];
        buf.get(offset, data);
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (queue.size() >= QUEUE_LIMIT) {
                dropped++;
                return;
            }
            queue.add(new Datagram(new InetSocketAddress(src.toInetAddress(), srcPort), data));
            readable.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends one datagram.
     *
     * @param data the payload: the buffer's remaining bytes, copied now
     * @param to   the destination address and port
     * @throws IOException "Socket is closed" after {@link #close()}, or when the stack cannot send it
     */
    public void send(ByteBuffer data, InetSocketAddress to) throws IOException {
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        IpAddress remote = IpAddress.of(to.getAddress());
        lock.lock();
        try {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
        } finally {
            lock.unlock();
        }
        try {
            loop.call(() -> {
                host.sendUdp(loop.nowNs(), localAddress.isUnspecified() ? null : localAddress, port, remote,
                        to.getPort(), ByteBuffer.wrap(copy));
                return null;
            });
        } catch (TcpException e) {
            throw Errors.of(e, false);
        }
    }

    /**
     * Waits up to the SO_TIMEOUT (zero: for ever) for a datagram, copies what fits into {@code dst}
     * (the rest is discarded, as {@link java.net.DatagramSocket} does) and returns its sender.
     *
     * @param dst where the payload goes, from its position
     * @return the sender's address and port
     * @throws IOException {@link SocketTimeoutException} "Receive timed out", or "Socket closed"
     */
    public InetSocketAddress receive(ByteBuffer dst) throws IOException {
        lock.lock();
        try {
            long timeoutNs = Duration.ofMillis(soTimeoutMs).toNanos();
            long deadline = System.nanoTime() + timeoutNs;
            while (queue.isEmpty()) {
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                if (timeoutNs == 0) {
                    readable.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException("Receive timed out");
                    }
                    readable.awaitNanos(left);
                }
            }
            Datagram d = queue.poll();
            dst.put(d.data(), 0, Math.min(d.data().length, dst.remaining()));
            return d.from();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("receive interrupted");
        } finally {
            lock.unlock();
        }
    }

    /**
     * SO_TIMEOUT: how long {@link #receive} waits.
     *
     * @param ms milliseconds, 0 for ever
     */
    public void setSoTimeout(int ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("timeout must not be negative: " + ms);
        }
        this.soTimeoutMs = ms;
    }

    /**
     * SO_TIMEOUT.
     *
     * @return how long {@link #receive} waits in milliseconds, 0 for ever
     */
    public int getSoTimeout() {
        return soTimeoutMs;
    }

    /**
     * The bound port.
     *
     * @return the port
     */
    public int getLocalPort() {
        return port;
    }

    /**
     * The bound address and port.
     *
     * @return the address (wildcard: every address) and port
     */
    public InetSocketAddress getLocalSocketAddress() {
        return new InetSocketAddress(localAddress.toInetAddress(), port);
    }

    /**
     * Datagrams dropped because the queue was full.
     *
     * @return the count since the socket was bound
     */
    public long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Releases the port; blocked receives fail with "Socket closed". */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            loop.execute(() -> host.unbindUdp(port, receiver));
        } catch (IllegalStateException stackClosed) {
            // The stack is gone, and the port with it.
        }
    }

    @Override
    public String toString() {
        return "UDP " + getLocalSocketAddress();
    }
}
