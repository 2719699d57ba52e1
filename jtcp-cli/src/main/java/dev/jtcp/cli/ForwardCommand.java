package dev.jtcp.cli;

import dev.jtcp.api.NetStack;
import dev.jtcp.event.ConnectionKey;
import dev.jtcp.forward.Forwarder;
import dev.jtcp.forward.Upstream;
import dev.jtcp.tcp.ConnectionStatus;
import dev.jtcp.tcp.TcpConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jtcp forward}: jtcp as a VPN's network stack (tun2socks). It opens the TUN, terminates
 * every TCP and UDP flow that the system routes into it, whatever the destination, and relays each
 * through the OS's sockets ({@code --upstream direct}) or a SOCKS5 proxy ({@code --socks5}). Route
 * a prefix into the TUN, e.g. {@code ip route add 198.19.0.0/16 dev jtcp0}.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"Relay every TCP and UDP flow routed into the TUN to its destination (needs root).",
                "Route traffic into the TUN (ip route add PREFIX dev jtcp0); each flow leaves through",
                "this process's own sockets, or a SOCKS5 proxy's (--socks5: TCP by CONNECT, UDP by UDP ASSOCIATE)."})
public final class ForwardCommand implements Callable<Integer> {
    /** Where flows go. */
    enum Mode { direct, socks5 }

    @Option(names = "--upstream", defaultValue = "direct",
            description = "direct (the OS's sockets, default) or socks5 (with --socks5).")
    Mode upstream;

    @Option(names = "--socks5", paramLabel = "HOST:PORT", description = "SOCKS5 proxy (RFC 1928 CONNECT and UDP ASSOCIATE).")
    String socks5;

    @Option(names = "--socks5-user", paramLabel = "USER:PASSWORD",
            description = "SOCKS5 username and password (RFC 1929).")
    String socks5User;

    @Option(names = "--max-flows", defaultValue = "4096",
            description = "TCP flows (and UDP sessions) at once; beyond, new ones are refused (default ${DEFAULT-VALUE}).")
    int maxFlows;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.DurationConverter.class,
            description = "Outbound connect time limit; past it the client gets ICMP unreachable (default ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--udp-idle", paramLabel = "DURATION", defaultValue = "60s",
            converter = Converters.DurationConverter.class,
            description = "A UDP session ends after this long without traffic (default ${DEFAULT-VALUE}).")
    Duration udpIdle;

    @Option(names = "--table", paramLabel = "INTERVAL", arity = "0..1", fallbackValue = "5s",
            converter = Converters.DurationConverter.class,
            description = {"Print the live flow table to stderr every INTERVAL (5 s when omitted), as ss -ti would:",
                    "client, destination, state, bytes each way, RTT, cwnd, retransmissions; and UDP sessions."})
    Duration table;

    @Option(names = "--quiet", description = "Do not log each flow.")
    boolean quiet;

    @Mixin
    TunOptions tun;

    @Override
    public Integer call() throws Exception {
        Upstream up = upstream();
        if (table != null && (table.isZero() || table.isNegative())) {
            throw new Failures.UsageException("--table " + table + ": the interval must be more than 0");
        }
        if (maxFlows < 1) {
            throw new Failures.UsageException("--max-flows " + maxFlows + ": use at least 1");
        }
        tun.validate();
        tun.requireOneLoop("jtcp forward");
        NetStack stack;
        try {
            stack = tun.start("jtcp");
        } catch (IOException e) {
            return TunOptions.report(e);
        }
        Forwarder f = Forwarder.start(stack, Forwarder.options().upstream(up).maxFlows(maxFlows)
                .connectTimeout(connectTimeout).udpIdle(udpIdle)
                .log(quiet ? line -> {} : line -> System.err.println("jtcp: " + line)));
        System.err.println("jtcp: forwarding every flow routed into " + tun.tun + " via " + up);
        if (table != null) {
            printTable(stack, f, table);
        }
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            f.close();
        }
        return ExitCodes.INTERRUPTED;
    }

    /** Prints the live flow table to standard error every {@code interval}, on a daemon thread. */
    private static void printTable(NetStack stack, Forwarder f, Duration interval) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(interval.toMillis());
                    System.err.print(table(stack, f));
                }
            } catch (InterruptedException | IllegalStateException e) {
                // Interrupted, or the stack closed: the table stops.
            }
        }, "jtcp-forward-table");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The relayed TCP flows as {@code ss -ti} shows sockets: client, original destination, state,
     * bytes each way, smoothed RTT, congestion window, retransmissions; and the UDP session count.
     */
    static String table(NetStack stack, Forwarder f) {
        List<ConnectionStatus> flows = stack.inspect(h -> h.connections().stream().map(TcpConnection::status)
                .filter(s -> !h.addresses().contains(s.key().localAddress())).toList());
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "jtcp: %d TCP flows, %d UDP sessions; %,d bytes up, %,d down%n",
                flows.size(), f.udpSessions(), f.bytesUp(), f.bytesDown()));
        if (!flows.isEmpty()) {
            b.append(String.format(Locale.ROOT, "  %-28s %-28s %-12s %12s %12s %8s %7s %7s%n", "client", "destination",
                    "state", "from client", "to client", "rtt ms", "cwnd", "retrans"));
        }
        for (ConnectionStatus s : flows) {
            b.append(String.format(Locale.ROOT, "  %-28s %-28s %-12s %,12d %,12d %8.2f %7d %7d%n",
                    ConnectionKey.endpoint(s.key().remoteAddress(), s.key().remotePort()),
                    ConnectionKey.endpoint(s.key().localAddress(), s.key().localPort()), s.state(), s.bytesReceived(),
                    s.bytesSent(), s.srttNs() / 1e6, s.cwnd(), s.retransmissions()));
        }
        return b.toString();
    }

    private Upstream upstream() throws UnknownHostException {
        if (upstream == Mode.direct && socks5 == null) {
            if (socks5User != null) {
                throw new Failures.UsageException("--socks5-user needs --socks5");
            }
            return Upstream.direct();
        }
        if (socks5 == null) {
            throw new Failures.UsageException("--upstream socks5 needs --socks5 HOST:PORT");
        }
        int colon = socks5.lastIndexOf(':');
        int port;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(socks5.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new Failures.UsageException("--socks5 " + socks5 + ": use HOST:PORT, e.g. 127.0.0.1:1080");
        }
        String host = socks5.substring(0, colon).replaceAll("^\\[|]$", "");
        InetSocketAddress proxy = new InetSocketAddress(InetAddress.getByName(host), port);
        String user = null;
        String password = null;
        if (socks5User != null) {
            int c = socks5User.indexOf(':');
            if (c < 1) {
                throw new Failures.UsageException("--socks5-user: use USER:PASSWORD");
            }
            user = socks5User.substring(0, c);
            password = socks5User.substring(c + 1);
        }
        try {
            return Upstream.socks5(proxy, user, password);
        } catch (IllegalArgumentException e) {
            throw new Failures.UsageException("--socks5-user: " + e.getMessage());
        }
    }
}
