package dev.jtcp.script;

import dev.jtcp.wire.IpAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The Linux kernel as the stack under test, for differential runs ({@code jtcp script
 * --against-linux}): a private network namespace ({@code ip netns add}) holding a TUN device whose
 * far end is the script's peer, and a small Python helper ({@code linux_peer.py}) inside it that
 * reads and writes the TUN and performs the script's system calls on real sockets. The namespace is
 * always deleted afterwards (also by a shutdown hook if the JVM stops mid-run).
 *
 * <p>Safety: only addresses in 198.18.0.0/15 (RFC 2544 benchmarking) and fd00::/8 are used, inside
 * the namespace; nothing reaches any other network. Needs root, {@code ip} and {@code python3};
 * without them the script is skipped with the reason.
 *
 * <p>Unlike {@link JtcpTarget} this runs on real time (CLOCK_MONOTONIC, which Java's {@code
 * System.nanoTime()} and Python's {@code time.monotonic_ns()} share) and uses a reader thread for the
 * helper's reports. It is the one part of {@code dev.jtcp.script} that touches processes, threads
 * and the wall clock. Not thread-safe: driven by the interpreter's thread.
 */
final class LinuxTarget implements Target {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final long START_TIMEOUT_MS = 20_000;
    private static final long REPLY_TIMEOUT_MS = 10_000;

    private final String namespace;
    private final Endpoints ends;
    private final Process helper;
    private final Writer commands;
    private final BlockingQueue<String> reports = new LinkedBlockingQueue<>();
    private final ArrayDeque<LivePacket> sent = new ArrayDeque<>();
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private final Map<String, PendingCall> calls = new HashMap<>();
    private final Thread cleanup;
    private long startNs;
    private int nextCallId;
    private boolean closed;

    private LinuxTarget(String namespace, Endpoints ends, Process helper, Thread cleanup) {
        this.namespace = namespace;
        this.ends = ends;
        this.helper = helper;
        this.commands = new OutputStreamWriter(helper.getOutputStream(), StandardCharsets.US_ASCII);
        this.cleanup = cleanup;
    }

    /** Whether an address may be used against Linux: 198.18.0.0/15 or fd00::/8. */
    static boolean isAllowed(IpAddress a) {
        if (a.isV4()) {
            return (a.v4() & 0xFFFE_0000) == (198 << 24 | 18 << 16);
        }
        return (a.hi() >>> 56) == 0xFD;
    }

    /** Why the differential mode cannot run here, or null if it can. */
    static String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return "the differential mode needs Linux";
        }
        for (String tool : List.of("ip", "python3", "ss", "sysctl")) {
            if (!onPath(tool)) {
                return "the differential mode needs " + tool + " (install iproute2, procps and python3)";
            }
        }
        if (!Files.isReadable(Path.of("/dev/net/tun"))) {
            return "the differential mode needs /dev/net/tun";
        }
        try {
            Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (id.waitFor() != 0 || !uid.equals("0")) {
                return "the differential mode needs root (network namespaces and TUN devices)";
            }
        } catch (IOException e) {
            return "cannot tell whether we are root: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return null;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Creates the namespace and starts the helper in it.
     *
     * @throws ScriptUnsupportedException when this machine cannot run the differential mode, or the
     *     script's addresses are outside the allowed ranges
     */
    static Target start(Endpoints ends, int prefixLength, int mtu) {
        String why = unavailableReason();
        if (why != null) {
            throw new ScriptUnsupportedException(0, why);
        }
        if (!isAllowed(ends.local) || !isAllowed(ends.remote)) {
            throw new ScriptUnsupportedException(0, "against Linux only 198.18.0.0/15 and fd00::/8 are used; this "
                    + "script names " + ends.local + " and " + ends.remote);
        }
        String ns = "jtcp-script-" + ProcessHandle.current().pid() + "-" + NAMESPACES.incrementAndGet();
        Thread cleanup = new Thread(() -> deleteNamespace(ns), "delete " + ns);
        Runtime.getRuntime().addShutdownHook(cleanup);
        Process helper = null;
        try {
            run("ip", "netns", "add", ns);
            Path script = Files.createTempFile("jtcp-linux-peer", ".py");
            try (InputStream in = LinuxTarget.class.getResourceAsStream("linux_peer.py")) {
                Files.write(script, in.readAllBytes());
            }
            script.toFile().deleteOnExit();
            helper = new ProcessBuilder("ip", "netns", "exec", ns, "python3", "-u", script.toString(),
                    ends.local.toString(), ends.remote.toString(), String.valueOf(prefixLength), String.valueOf(mtu))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            LinuxTarget t = new LinuxTarget(ns, ends, helper, cleanup);
            t.startReader();
            String first = t.reports.poll(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (!"ready".equals(first)) {
                t.close();
                throw new IllegalStateException("the Linux helper did not start: " + first);
            }
            t.startNs = System.nanoTime();
            return t;
        } catch (IOException e) {
            stop(helper);
            deleteNamespace(ns);
            Runtime.getRuntime().removeShutdownHook(cleanup);
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            stop(helper);
            deleteNamespace(ns);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the Linux helper", e);
        }
    }

    private void startReader() {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(helper.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                for (String line; (line = in.readLine()) != null; ) {
                    reports.add(line);
                }
            } catch (IOException e) {
                reports.add("err helper output: " + e.getMessage());
            }
            reports.add("eof");
        }, "linux-peer reader " + namespace);
        reader.setDaemon(true);
        reader.start();
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }

    private static void deleteNamespace(String ns) {
        try {
            Process p = new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            // Best effort: nothing else can be done about a namespace that will not go.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void stop(Process p) {
        if (p != null) {
            p.destroyForcibly();
        }
    }

    @Override
    public String osName() {
        return "linux";
    }

    @Override
    public long nowUs() {
        return (System.nanoTime() - startNs) / 1000;
    }

    /**
     * Reports travel from the kernel through the helper and a pipe before the interpreter sees them,
     * and the JVM itself may pause (garbage collection, compilation): an event may start this much
     * later than its time without being a timing error. What the kernel does is still timed against
     * what the runner actually did (relative times count from the actual times), so this forgives
     * the runner's lateness, not the kernel's.
     */
    @Override
    public long startSlackUs() {
        return 250_000;
    }

    @Override
    public void startClock() {
        startNs = System.nanoTime();
    }

    private long scriptUs(long monotonicNs) {
        return (monotonicNs - startNs) / 1000;
    }

    @Override
    public void runUntil(long untilUs, BooleanSupplier stop) {
        while (!stop.getAsBoolean()) {
            long leftUs = untilUs - nowUs();
            if (leftUs <= 0) {
                return;
            }
            String r;
            try {
                r = reports.poll(leftUs, TimeUnit.MICROSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (r != null) {
                handle(r);
            }
        }
    }

    /** Takes one report from the helper: a packet, a call's return, or an error. */
    private void handle(String report) {
        String[] f = report.split(" ");
        switch (f[0]) {
            case "pkt" -> {
                byte[] bytes = HexFormat.of().parseHex(f[2]);
                LivePacket p = LivePacket.parse(scriptUs(Long.parseLong(f[1])), ByteBuffer.wrap(bytes));
                if (p != null) {
                    sent.add(p);
                    remember(String.format("%.6f sent %s seq %d ack %d win %d len %d", p.timeUs() / 1e6,
                            PacketMatcher.flagText(p.flags()), Integer.toUnsignedLong(p.seq()),
                            Integer.toUnsignedLong(p.ack()), p.window(), p.payloadLength()));
                }
            }
            case "done" -> {
                PendingCall c = calls.remove(f[1]);
                if (c == null) {
                    return;
                }
                long doneAtUs = scriptUs(Long.parseLong(f[2]));
                String errno = f[4].equals("-") ? null : f[4];
                if ("UNSUPPORTED".equals(errno)) {
                    throw new ScriptUnsupportedException(c.call().line(), c.call().name() + "() with these arguments "
                            + "is not supported against Linux");
                }
                c.complete(new SocketCall.Result(Long.parseLong(f[3]), errno, decodeOut(f[5])), doneAtUs);
                noteEndpoints(c.call(), c.result(), f[6]);
                remember(String.format("%.6f call %s -> %s", doneAtUs / 1e6, c.call().name(), c.result()));
            }
            case "started" -> {
                PendingCall c = calls.get(f[1]);
                if (c != null) {
                    c.started(scriptUs(Long.parseLong(f[2])));
                }
            }
            case "blocked" -> {
                PendingCall c = calls.get(f[1]);
                if (c != null) {
                    c.markBlocked();
                }
            }
            case "eof" -> throw new IllegalStateException("the Linux helper exited");
            default -> remember("helper: " + report);
        }
    }

    private void remember(String line) {
        if (trace.size() == 12) {
            trace.removeFirst();
        }
        trace.addLast(line);
    }

    private static Object decodeOut(String s) {
        if (s.equals("-")) {
            return null;
        }
        String body = s.substring(2);
        return switch (s.charAt(0)) {
            case 'i' -> Long.parseLong(body);
            case 'l' -> {
                List<Long> l = new ArrayList<>();
                for (String x : body.split(",")) {
                    if (!x.isEmpty()) {
                        l.add(Long.parseLong(x));
                    }
                }
                yield l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (String kv : body.split(",")) {
                    int eq = kv.indexOf('=');
                    m.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                }
                yield m;
            }
        };
    }

    /** The ports of the connection under test, as the kernel reports them. */
    private void noteEndpoints(SocketCall call, SocketCall.Result r, String extra) {
        if (extra.equals("-")) {
            return;
        }
        for (String kv : extra.split(",")) {
            int eq = kv.indexOf('=');
            int v = Integer.parseInt(kv.substring(eq + 1));
            switch (kv.substring(0, eq)) {
                case "lport" -> {
                    if (v > 0) {
                        ends.localPort = v;
                    }
                }
                case "rport" -> ends.remotePort = v;
                default -> {
                }
            }
        }
        if (call.name().equals("listen") && r.value() == 0) {
            ends.remotePort = ends.remotePortForListen();
        }
    }

    @Override
    public void inject(byte[] packet) {
        send("inject " + HexFormat.of().formatHex(packet));
    }

    @Override
    public ArrayDeque<LivePacket> sent() {
        return sent;
    }

    @Override
    public PendingCall call(SocketCall call) {
        String id = String.valueOf(++nextCallId);
        PendingCall c = new PendingCall(call, -1);
        calls.put(id, c);
        boolean fastOpen = call.name().equals("sendto") && call.argCount() > 3 && call.arg(3) instanceof Long f
                && (f & 0x20000000L) != 0;
        if (call.name().equals("connect") || fastOpen) {
            // The kernel picks the port as it sends the SYN; learn it from the SYN (or the reply).
            ends.localPort = -1;
            Object addr = call.arg(call.name().equals("connect") ? 1 : 4);
            ends.remotePort = addr instanceof Map<?, ?> m && m.get("sin_port") instanceof Long p
                    ? p.intValue() : Endpoints.DEFAULT_PORT;
        }
        send("call " + id + " " + (call.scriptBlocking() ? 1 : 0) + " " + call.name() + " " + literal(call.args()));
        // Wait until the kernel has the call (a blocking one: until the helper's thread starts it).
        runUntil(nowUs() + REPLY_TIMEOUT_MS * 1000, () -> c.isDone() || c.isBlocked()
                || (call.scriptBlocking() && c.startedAtUs() >= 0));
        if (!c.isDone() && !c.isBlocked() && c.startedAtUs() < 0) {
            throw new IllegalStateException("the Linux helper did not answer " + call.name() + "()");
        }
        return c;
    }

    /** A Python literal for the call's arguments ({@code ...} becomes None). */
    private static String literal(Object v) {
        return switch (v) {
            case Long n -> String.valueOf(n);
            case String s -> "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
            case List<?> l -> {
                List<String> parts = new ArrayList<>();
                l.forEach(x -> parts.add(literal(x)));
                yield "[" + String.join(", ", parts) + "]";
            }
            case Map<?, ?> m -> {
                List<String> parts = new ArrayList<>();
                m.forEach((k, x) -> parts.add(literal(k) + ": " + literal(x)));
                yield "{" + String.join(", ", parts) + "}";
            }
            default -> "None";
        };
    }

    @Override
    public Map<String, Long> tcpInfo(Endpoints e) {
        send("tcpinfo " + e.local + " " + e.localPort + " " + e.remote + " " + e.remotePort);
        String r = awaitReply("info");
        Map<String, Long> info = new LinkedHashMap<>();
        String body = r.length() > 5 ? r.substring(5) : "";
        for (String kv : body.split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                info.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
            }
        }
        return info;
    }

    /** The namespace's TUN has no offloads, so the kernel's GSO packets reach the runner cut into segments. */
    @Override
    public boolean segmentsAreGsoPieces() {
        return true;
    }

    @Override
    public String apply(Shell.Setting s, int line) {
        if (!s.name().startsWith("net.")) {
            throw new ScriptUnsupportedException(line, "setting " + s.name() + " has no Linux equivalent here");
        }
        send("sysctl " + s.name() + " " + s.value());
        String r = awaitReply("ok");
        if (!r.equals("ok")) {
            String why = "Linux refused sysctl " + s.name() + "=" + s.value() + " in the namespace: " + r;
            if (s.baseline()) {
                // A suite default the namespace may not take (a congestion control outside
                // tcp_allowed_congestion_control): the run goes on with the kernel's value, noted.
                return why;
            }
            throw new ScriptUnsupportedException(line, why);
        }
        return null;
    }

    /** Flushes the namespace's TCP metrics (Fast Open cookies among them), as the script asks. */
    @Override
    public void flushTcpMetrics() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", namespace, "ip", "tcp_metrics", "flush", "all")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
        } catch (IOException e) {
            remember("helper: ip tcp_metrics flush failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Runs the pipeline itself in the namespace: the kernel's own listing answers. */
    @Override
    public boolean stateCheck(StateChecks.Check check, int line) {
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", namespace, "sh", "-c", check.command())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            throw new ScriptUnsupportedException(line, "cannot run `" + check.command() + "`: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Runs the kernel's own {@code nstat} in the namespace (it keeps the history). */
    @Override
    public List<String> nstat() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", namespace, "nstat").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Waits for the reply to a synchronous request, handling packets and call returns meanwhile. */
    private String awaitReply(String kind) {
        long deadline = System.nanoTime() + REPLY_TIMEOUT_MS * 1_000_000;
        while (System.nanoTime() < deadline) {
            String r;
            try {
                r = reports.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (r == null) {
                break;
            }
            if (r.equals(kind) || r.startsWith(kind + " ") || r.startsWith("err ")) {
                return r;
            }
            handle(r);
        }
        throw new IllegalStateException("the Linux helper did not answer (" + kind + ")");
    }

    private void send(String line) {
        try {
            commands.write(line);
            commands.write('\n');
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the Linux helper is gone", e);
        }
    }

    @Override
    public List<String> recentTrace() {
        return new ArrayList<>(trace);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            send("quit");
            helper.waitFor(5, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            // The helper may already be gone; the namespace is deleted below either way.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stop(helper);
            deleteNamespace(namespace);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // The JVM is shutting down and the hook runs anyway.
            }
        }
    }
}
