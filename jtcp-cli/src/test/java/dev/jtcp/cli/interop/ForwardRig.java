package dev.jtcp.cli.interop;

import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NetnsFixture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two namespaces for the forwarder's tests: the client namespace routes 198.19.0.0/16 into the TUN
 * (jtcp0, created there by {@code jtcp forward --netns}); jtcp runs in the server namespace, whose
 * loopback device holds the servers' addresses ({@link #SERVER} for Python's http.server and the
 * peers of {@code forward_peers.py}, {@link #DNS} for dnsmasq, {@link #PROXY} for a SOCKS5 proxy),
 * so the forwarder's own sockets reach them. The server namespace has no other route: 198.19.99.1
 * is unreachable from it.
 */
final class ForwardRig implements AutoCloseable {
    static final String SERVER = "198.19.0.10";
    static final String DNS = "198.19.0.53";
    static final String PROXY = "198.19.0.1";
    /** An IPv6 server address, routed into the TUN as fd00:19::/64. */
    static final String SERVER6 = "fd00:19::10";

    final Path dir;
    final NetnsFixture client;
    final NetnsFixture server;
    final Path served;
    final Path peersOut;
    private final List<Process> processes = new ArrayList<>();
    private PythonHttp http;
    Jtcp forward;

    private ForwardRig(Path dir, NetnsFixture client, NetnsFixture server) throws IOException {
        this.dir = dir;
        this.client = client;
        this.server = server;
        this.served = Files.createDirectories(dir.resolve("served"));
        this.peersOut = dir.resolve("peers.out");
    }

    /** The namespaces, the addresses, the HTTP server (a 4 MiB file, f4m) and the peers; no forwarder yet. */
    static ForwardRig create(String prefix, Path dir) throws Exception {
        NetnsFixture c = NetnsFixture.create(prefix + "c");
        NetnsFixture s = NetnsFixture.create(prefix + "s");
        ForwardRig rig = new ForwardRig(dir, c, s);
        try {
            for (String a : List.of(SERVER, DNS, PROXY)) {
                s.exec("ip", "addr", "add", a + "/32", "dev", "lo").requireSuccess();
            }
            s.exec("ip", "addr", "add", SERVER6 + "/128", "dev", "lo", "nodad").requireSuccess();
            TestFiles.random(rig.served.resolve("f4m"), 4L << 20);
            rig.http = PythonHttp.start(s, dir, 8000, rig.served);
            rig.processes.add(s.process("python3", rig.script("forward_peers.py").toString(), SERVER)
                    .redirectOutput(rig.peersOut.toFile()).redirectError(dir.resolve("peers.err").toFile()).start());
            rig.await(rig.peersOut, "ready", "forward_peers.py");
        } catch (Exception | AssertionError e) {
            rig.close();
            throw e;
        }
        return rig;
    }

    /** Starts {@code jtcp forward ARGS} and routes the client's 198.19.0.0/16 into its TUN. */
    ForwardRig forward(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("forward", "--netns", client.name(), "--connect-timeout", "3s"));
        cmd.addAll(List.of(args));
        forward = Jtcp.start(server, dir, null, cmd.toArray(String[]::new))
                .awaitStderr("forwarding", Duration.ofSeconds(30));
        client.exec("ip", "route", "add", "198.19.0.0/16", "dev", "jtcp0").requireSuccess();
        client.exec("ip", "route", "add", "fd00:19::/64", "dev", "jtcp0").requireSuccess();
        return this;
    }

    /** dnsmasq on {@link #DNS}:53, answering www.example.test with 198.19.7.7 and nothing else. */
    void startDnsmasq() throws Exception {
        Path log = dir.resolve("dnsmasq.log");
        processes.add(server.process("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
                        "--no-hosts", "--bind-interfaces", "--listen-address=" + DNS, "--port=53", "--pid-file=",
                        "--user=root", "--log-queries", "--log-facility=-", "--address=/www.example.test/198.19.7.7",
                        "--address=/example.test/")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start());
        await(log, "started", "dnsmasq");
    }

    /** Keeps {@code p} to stop on {@link #close}. */
    void keep(Process p) {
        processes.add(p);
    }

    Path script(String name) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.exists(p)) {
            try (InputStream in = ForwardRig.class.getResourceAsStream("/interop/" + name)) {
                Files.copy(in, p);
            }
        }
        return p;
    }

    /** Runs a script of ours with python3 in the client namespace. */
    ExternalTools.Result clientPython(String script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", script(script).toString()));
        cmd.addAll(List.of(args));
        return client.exec(Duration.ofSeconds(60), cmd.toArray(String[]::new)).requireSuccess();
    }

    void await(Path file, String text, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(Files.exists(file) && Files.readString(file).contains(text))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not print '" + text + "':\n"
                        + (Files.exists(file) ? Files.readString(file) : "(nothing)"));
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws Exception {
        if (forward != null) {
            forward.close();
        }
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        if (http != null) {
            http.close();
        }
        client.close();
        server.close();
    }
}
