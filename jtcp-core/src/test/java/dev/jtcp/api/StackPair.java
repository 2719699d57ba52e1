package dev.jtcp.api;

import dev.jtcp.link.Link;
import dev.jtcp.link.MemoryLink;
import dev.jtcp.tcp.TcpConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Two running stacks joined by a {@link MemoryLink}: "client" at 198.18.0.1 / fd00::1 and "server"
 * at 198.18.0.2 / fd00::2. Each has its own event loop thread, as in production.
 */
final class StackPair implements AutoCloseable {
    final NetStack client;
    final NetStack server;
    /** The two ends of the cable, client's first; their drop counters name a stall's cause. */
    final MemoryLink[] ends;

    StackPair(TcpConfig config) throws IOException {
        this(config, UnaryOperator.identity());
    }

    /** {@code wrapServerLink} can decorate the server's end (impairments, capture). */
    StackPair(TcpConfig config, UnaryOperator<Link> wrapServerLink) throws IOException {
        ends = MemoryLink.pair("client", "server", 1500);
        SplittableRandom r = new SplittableRandom(42);
        client = NetStack.builder().name("client").config(config).address("198.18.0.1/24").address("fd00::1/64")
                .link(ends[0]).random(r.split()).start();
        server = NetStack.builder().name("server").config(config).address("198.18.0.2/24").address("fd00::2/64")
                .link(wrapServerLink.apply(ends[1])).random(r.split()).start();
    }

    StackPair() throws IOException {
        this(TcpConfig.defaults());
    }

    static InetSocketAddress server(int port) {
        return new InetSocketAddress(address("198.18.0.2"), port);
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
