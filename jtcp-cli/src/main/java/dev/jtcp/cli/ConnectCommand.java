package dev.jtcp.cli;

import dev.jtcp.api.NetStack;
import dev.jtcp.api.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jtcp connect HOST PORT}: netcat over jtcp. Standard input goes to the peer; at its end the
 * output side is shut down (FIN, a half-close) while everything the peer still sends is copied to
 * standard output until its FIN. Exits 0 when both directions finished, 1 on refusal or reset.
 * {@code --local-port} fixes the source port, for a simultaneous open with a peer doing the same.
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = "Connect to HOST PORT through a TUN device and relay stdin/stdout, like nc (needs root).")
public final class ConnectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOST", description = "Address to connect to, e.g. 198.18.0.1.")
    String host;

    @Parameters(index = "1", paramLabel = "PORT", converter = Converters.PortConverter.class, description = "1 to 65535.")
    int port;

    @Option(names = "--local-port", defaultValue = "0", converter = Converters.LocalPortConverter.class,
            description = "Source port (default: an ephemeral port).")
    int localPort;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "Connect timeout (e.g. 500ms, 30s, 2min; default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--abort", description = "Reset the connection (RST) instead of closing it once stdin ends.")
    boolean abort;

    @Mixin
    TunOptions tun;

    @Override
    public Integer call() throws Exception {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new Failures.UsageException("unknown host " + host);
        }
        tun.validate();
        NetStack stack;
        try {
            stack = tun.start("jtcp");
        } catch (IOException e) {
            return TunOptions.report(e);
        }
        InetSocketAddress remote = new InetSocketAddress(address, port);
        TcpSocket c;
        try {
            c = stack.connect(remote, localPort, timeout);
        } catch (IOException e) {
            if (Shutdown.inProgress()) {
                return ExitCodes.INTERRUPTED;
            }
            System.err.println("jtcp: connect to " + Addresses.format(remote) + ": " + e.getMessage());
            stack.close();
            return ExitCodes.FAILURE;
        }
        System.err.println("jtcp: connected " + Addresses.format(c.getLocalSocketAddress()) + " > "
                + Addresses.format(c.getRemoteSocketAddress()));
        Progress progress = Progress.onStandardError().start();
        AtomicReference<IOException> sendError = new AtomicReference<>();
        Thread sender = Thread.ofPlatform().daemon(true).name("stdin").start(() -> {
            try {
                InputStream in = progress.sentFrom(System.in);
                OutputStream out = c.getOutputStream();
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                }
                if (abort) {
                    c.abort();
                } else {
                    c.shutdownOutput();
                }
            } catch (IOException e) {
                sendError.set(e);
            }
        });
        int code = ExitCodes.OK;
        try {
            InputStream in = c.getInputStream();
            OutputStream out = progress.receivedInto(System.out);
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            sender.join();
        } catch (IOException e) {
            if (Shutdown.inProgress()) {
                progress.close();
                return ExitCodes.INTERRUPTED;
            }
            if (!abort || !c.isClosed()) {
                progress.close();
                System.err.println("jtcp: " + e.getMessage());
                code = ExitCodes.FAILURE;
            }
        }
        if (sendError.get() != null) {
            progress.close();
            System.err.println("jtcp: " + sendError.get().getMessage());
            code = ExitCodes.FAILURE;
        }
        progress.finish("");
        c.close();
        stack.close(Duration.ofSeconds(2));
        return code;
    }
}
