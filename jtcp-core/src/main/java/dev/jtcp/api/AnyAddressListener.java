package dev.jtcp.api;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.stack.AnyAddressAcceptor;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.wire.IpAddress;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Makes a {@link NetStack} the network stack of a VPN or transparent proxy: it terminates TCP and
 * UDP for every destination, not only its own addresses (see {@link AnyAddressAcceptor}). Each new
 * TCP flow is offered to the {@link Handler} as a {@link Flow}, whose SYN waits until the handler
 * decides: {@link Flow#accept()} completes the handshake (the future gives the {@link TcpSocket},
 * whose local address is the original destination), {@link Flow#refuse()} answers with a RST,
 * {@link Flow#unreachable()} with ICMP host unreachable. UDP datagrams for other addresses go to
 * {@link Handler#onDatagram}; {@link #sendDatagram} answers from the original destination.
 *
 * <p>At most {@code maxFlows} TCP flows exist at once (held, handshaking or open); past it new SYNs
 * are refused with a RST. UDP datagrams belong to sessions by 5-tuple, at most {@code
 * maxUdpSessions} (past it a new session's datagrams are dropped), each ending after {@code
 * udpIdle} without a datagram either way ({@link Handler#onDatagramSessionEnded}).
 *
 * <p>Thread-safety: safe from any thread. The handler runs on the loop thread and must not block.
 */
public final class AnyAddressListener implements Closeable {
    /** What the application does with flows; on the loop thread, never blocking. */
    public interface Handler {
        /**
         * A new TCP flow; decide now or later, from any thread.
         *
         * @param flow the flow, whose SYN waits for {@link Flow#accept()}, {@link Flow#refuse()} or another decision
         */
        void onFlow(Flow flow);

        /**
         * A UDP datagram to an address not the stack's.
         *
         * @param client      the sender's address and port
         * @param destination the address and port it was sent to
         * @param data        the payload (the handler's to keep)
         */
        default void onDatagram(InetSocketAddress client, InetSocketAddress destination, byte[] data) {
        }

        /**
         * The UDP session of {@code client} and {@code destination} ended: no datagram either way
         * for the idle timeout (timed on the stack's timer wheel). A later datagram opens a new one.
         *
         * @param client      the client's address and port
         * @param destination the original destination's address and port
         */
        default void onDatagramSessionEnded(InetSocketAddress client, InetSocketAddress destination) {
        }
    }

    /** A TCP flow whose SYN waits for a decision. Thread-safe; the first decision counts. */
    public final class Flow {
        private final ConnectionKey key;
        private final InetSocketAddress client;
        private final InetSocketAddress destination;
        private final CompletableFuture<TcpSocket> socket = new CompletableFuture<>();

        private Flow(ConnectionKey key) {
            this.key = key;
            this.client = new InetSocketAddress(key.remoteAddress().toInetAddress(), key.remotePort());
            this.destination = new InetSocketAddress(key.localAddress().toInetAddress(), key.localPort());
        }

        /**
         * The address and port the client connects from.
         *
         * @return the client's end
         */
        public InetSocketAddress client() {
            return client;
        }

        /**
         * The address and port the client wants to reach (the original destination).
         *
         * @return the destination's end
         */
        public InetSocketAddress destination() {
            return destination;
        }

        /**
         * Completes the handshake; the future gives the socket once it is established, or fails
         * if the flow was already decided, its handshake failed, or the stack closed.
         *
         * @return the future of the established socket
         */
        public CompletableFuture<TcpSocket> accept() {
            decide(AnyAddressAcceptor.Verdict.ACCEPT);
            return socket;
        }

        /** Answers the SYN with a RST ("connection refused" at the client). */
        public void refuse() {
            decide(AnyAddressAcceptor.Verdict.REFUSE);
        }

        /** Answers the SYN with ICMP destination unreachable (host / address unreachable). */
        public void unreachable() {
            decide(AnyAddressAcceptor.Verdict.UNREACHABLE);
        }

        private void decide(AnyAddressAcceptor.Verdict verdict) {
            try {
                loop.execute(() -> {
                    if (!host.decideFlow(loop.nowNs(), key, verdict)) {
                        flows.remove(key);
                        socket.completeExceptionally(new IOException("flow " + key + " is no longer waiting"));
                    } else if (verdict != AnyAddressAcceptor.Verdict.ACCEPT) {
                        flows.remove(key);
                        socket.cancel(false);
                    }
                });
            } catch (IllegalStateException closed) {
                socket.completeExceptionally(new IOException("the stack is closed"));
            }
        }

        @Override
        public String toString() {
            return key.toString();
        }
    }

    private final EventLoop loop;
    private final Host host;
    private final Handler handler;
    /** Flows offered and not yet handed over or ended; loop thread only. */
    private final Map<ConnectionKey, Flow> flows = new HashMap<>();

    private AnyAddressListener(EventLoop loop, Handler handler) {
        this.loop = loop;
        this.host = loop.host();
        this.handler = Objects.requireNonNull(handler);
    }

    /**
     * Installs the listener on {@code stack}: from now on it terminates flows to any address.
     *
     * @param stack    the stack, whose link carries traffic for any address (a TUN device routed to it)
     * @param maxFlows the most flows held at once, handshaking or open
     * @param handler  what to do with each flow and datagram
     * @return the listener
     */
    public static AnyAddressListener open(NetStack stack, int maxFlows, Handler handler) {
        return open(stack, maxFlows, maxFlows, java.time.Duration.ofNanos(Host.DEFAULT_UDP_IDLE_NS), handler);
    }

    /**
     * Installs the listener on {@code stack} with at most {@code maxFlows} TCP flows and {@code
     * maxUdpSessions} UDP sessions, each UDP session ending after {@code udpIdle} without traffic.
     *
     * @param stack          the stack, whose link carries traffic for any address
     * @param maxFlows       the most TCP flows held at once, handshaking or open
     * @param maxUdpSessions the most UDP sessions at once
     * @param udpIdle        how long a UDP session lives without a datagram either way
     * @param handler        what to do with each flow and datagram
     * @return the listener
     */
    public static AnyAddressListener open(NetStack stack, int maxFlows, int maxUdpSessions,
                                          java.time.Duration udpIdle, Handler handler) {
        if (maxFlows < 1 || maxUdpSessions < 1) {
            throw new IllegalArgumentException("maxFlows and maxUdpSessions must be at least 1, got " + maxFlows
                    + " and " + maxUdpSessions);
        }
        if (udpIdle.isNegative() || udpIdle.isZero()) {
            throw new IllegalArgumentException("udpIdle must be positive, got " + udpIdle);
        }
        if (stack.loopCount() > 1) {
            // Flows to other addresses would be steered to loops whose hosts know no acceptor.
            throw new IllegalStateException("the any-address hook needs a stack of one loop, not " + stack.loopCount());
        }
        AnyAddressListener l = new AnyAddressListener(stack.loop(), handler);
        l.loop.call(() -> l.host.acceptAnyAddress(l.new Acceptor(), maxFlows, maxUdpSessions, udpIdle.toNanos()));
        return l;
    }

    /** The host's side, on the loop thread. */
    private final class Acceptor implements AnyAddressAcceptor {
        @Override
        public Verdict onSyn(long nowNs, ConnectionKey key) {
            Flow f = new Flow(key);
            flows.put(key, f);
            handler.onFlow(f);
            return null;
        }

        @Override
        public void onAccepted(TcpConnection connection) {
            Flow f = flows.remove(connection.key());
            TcpSocket s = new TcpSocket(loop, connection);
            s.adopt();
            if (f == null) {
                s.abort();
            } else {
                f.socket.complete(s);
            }
        }

        @Override
        public void onAbandoned(ConnectionKey key) {
            Flow f = flows.remove(key);
            if (f != null) {
                f.socket.completeExceptionally(new IOException("flow " + key + " ended before it was established"));
            }
        }

        @Override
        public boolean onDatagram(long nowNs, IpAddress dst, int dstPort, IpAddress src, int srcPort, ByteBuffer buf,
                                  int offset, int length) {
            byte[] data = new byte[length];
            buf.get(offset, data);
            handler.onDatagram(new InetSocketAddress(src.toInetAddress(), srcPort),
                    new InetSocketAddress(dst.toInetAddress(), dstPort), data);
            return true;
        }

        @Override
        public void onUdpSessionEnded(long nowNs, ConnectionKey session) {
            handler.onDatagramSessionEnded(
                    new InetSocketAddress(session.remoteAddress().toInetAddress(), session.remotePort()),
                    new InetSocketAddress(session.localAddress().toInetAddress(), session.localPort()));
        }
    }

    /**
     * Sends {@code data} to {@code client} as if from {@code from} (an original destination); the
     * datagram is dropped if it exceeds the path MTU (jtcp does not fragment).
     *
     * @param from   the source address and port to use, an original destination
     * @param client the client's address and port
     * @param data   the payload
     */
    public void sendDatagram(InetSocketAddress from, InetSocketAddress client, byte[] data) {
        IpAddress src = IpAddress.of(from.getAddress());
        IpAddress dst = IpAddress.of(client.getAddress());
        loop.execute(() -> {
            try {
                host.sendUdp(loop.nowNs(), src, from.getPort(), dst, client.getPort(), ByteBuffer.wrap(data));
            } catch (TcpException tooLongOrNoRoute) {
                // UDP is unreliable: a datagram that cannot go is lost, as a kernel's would be.
            }
        });
    }

    /**
     * Ends the UDP session of {@code client} and {@code destination} now (the handler gave up on
     * it; no {@link Handler#onDatagramSessionEnded} follows); a later datagram opens a new one.
     *
     * @param client      the client's address and port
     * @param destination the original destination's address and port
     */
    public void endDatagramSession(InetSocketAddress client, InetSocketAddress destination) {
        ConnectionKey key = new ConnectionKey(IpAddress.of(destination.getAddress()), destination.getPort(),
                IpAddress.of(client.getAddress()), client.getPort());
        try {
            loop.execute(() -> host.endUdpSession(key));
        } catch (IllegalStateException closed) {
            // The stack is gone, and its sessions with it.
        }
    }

    /**
     * UDP sessions open now.
     *
     * @return the count
     */
    public int datagramSessionCount() {
        return loop.call(host::udpSessionCount);
    }

    /**
     * Flows held, handshaking or open now.
     *
     * @return the count
     */
    public int flowCount() {
        return loop.call(host::forwardedFlowCount);
    }

    /** Nothing to release: the hook stays for the stack's life (closing the stack ends it). */
    @Override
    public void close() {
    }
}
