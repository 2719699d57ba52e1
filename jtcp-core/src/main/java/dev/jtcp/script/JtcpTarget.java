package dev.jtcp.script;

import dev.jtcp.trace.EventText;
import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.ConnectionStatus;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * jtcp in-process on virtual time: one {@link Host} ("the stack under test") whose packets are
 * captured as they are emitted, whose timers run when the clock jumps to their deadlines, and whose
 * sockets are emulated by {@link JtcpSockets}. A suite of hundreds of scripts runs in seconds.
 *
 * <p>The host is created when first needed (a listen, a connect or an injected packet), so that
 * settings made before (sysctl commands, SO_RCVBUF on a listener) can still shape its {@link
 * TcpConfig}, which is immutable afterwards.
 *
 * <p>Not thread-safe: the interpreter's thread drives it.
 */
final class JtcpTarget implements Target {
    private static final int TRACE_LINES = 12;
    /** A timer that keeps firing without the clock moving means an engine bug; stop instead of spinning. */
    private static final int MAX_FIRINGS_AT_ONE_TIME = 10_000;

    private final IpAddress localAddress;
    private final int prefixLength;
    /** The interface MTU. */
    private final int mtu;
    private final long seed;
    private TcpConfig.Builder config;
    /** net.ipv4.tcp_fastopen and tcp_fastopen_key as set before the host starts (null: not set). */
    private Integer fastOpenMode;
    private String fastOpenKey;
    private Host host;
    private long nowNs;
    private final ArrayDeque<LivePacket> sent = new ArrayDeque<>();
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private final JtcpSockets sockets;
    /** tcpi_delivered, counted from the captured and injected segments. */
    private final DeliveredCounter delivered = new DeliveredCounter();
    /** The profile the run uses (for socket API conventions such as Linux's buffer doubling). */
    private final Profile profile;

    JtcpTarget(TcpConfig config, Endpoints ends, int prefixLength, int mtu, long seed, Profile profile) {
        this.profile = profile;
        this.config = config.toBuilder();
        this.localAddress = ends.local;
        this.prefixLength = prefixLength;
        this.mtu = mtu;
        this.seed = seed;
        this.sockets = new JtcpSockets(this, ends);
    }

    @Override
    public String osName() {
        return "jtcp";
    }

    Profile profile() {
        return profile;
    }

    long nowNs() {
        return nowNs;
    }

    @Override
    public long nowUs() {
        return nowNs / 1000;
    }

    @Override
    public long startSlackUs() {
        return 0;
    }

    @Override
    public void startClock() {
        // Virtual time: nothing has happened yet, the clock is still at 0.
    }

    /** The host, created on first use with the configuration so far. */
    Host host() {
        if (host == null) {
            host = new Host("jtcp", config.build(), new SplittableRandom(seed))
                    .addAddress(localAddress, prefixLength)
                    .mtu(mtu)
                    .tracer(this::onTrace)
                    .attach(this::onTransmit);
            config = null;
            if (fastOpenMode != null) {
                host.fastOpen().mode(fastOpenMode);
            }
            if (fastOpenKey != null) {
                host.fastOpen().key(fastOpenKey);
            }
        }
        return host;
    }

    /** The configuration in force (or that will be, when the host starts). */
    TcpConfig config() {
        return host != null ? host.config() : config.build();
    }

    /**
     * Changes the host configuration; only possible before the host starts, else the script is
     * skipped with a reason naming {@code what}.
     */
    void configureBeforeStart(int line, String what, Consumer<TcpConfig.Builder> change) {
        if (host != null && what.startsWith("sysctl ")) {
            // A sysctl on a running host: later connections take it, open ones keep theirs (Linux
            // reads these settings when a connection starts).
            TcpConfig.Builder b = host.config().toBuilder();
            change.accept(b);
            host.reconfigure(b.build());
            return;
        }
        if (host != null) {
            throw new ScriptUnsupportedException(line, what + " after the first socket or packet is not supported: "
                    + "jtcp's host configuration is fixed once the host starts");
        }
        change.accept(config);
    }

    private void onTransmit(ByteBuffer packet) {
        LivePacket p = LivePacket.parse(nowUs(), packet);
        if (p != null) {
            sent.add(p);
            delivered.onSent(p);
            sockets.onSegmentSent(p);
        }
    }

    private void onTrace(TraceEvent e) {
        if (trace.size() == TRACE_LINES) {
            trace.removeFirst();
        }
        trace.addLast(EventText.format(e));
    }

    @Override
    public void runUntil(long untilUs, BooleanSupplier stop) {
        long untilNs = untilUs * 1000;
        int firingsHere = 0;
        long lastFiring = -1;
        while (!stop.getAsBoolean()) {
            long d = Math.min(host == null ? Long.MAX_VALUE : host.nextDeadlineNs(), sockets.nextDeadlineNs());
            if (d > untilNs) {
                nowNs = Math.max(nowNs, untilNs);
                return;
            }
            nowNs = Math.max(nowNs, d);
            firingsHere = nowNs == lastFiring ? firingsHere + 1 : 0;
            lastFiring = nowNs;
            if (firingsHere > MAX_FIRINGS_AT_ONE_TIME) {
                throw new IllegalStateException("a host timer keeps firing at " + nowNs + " ns without time moving on");
            }
            if (host != null) {
                host.onTimer(nowNs);
            }
            sockets.poll();
        }
    }

    @Override
    public void inject(byte[] packet) {
        LivePacket p = LivePacket.parse(nowUs(), ByteBuffer.wrap(packet));
        if (p != null) {
            delivered.onReceived(p);
        }
        host().onPacket(nowNs, ByteBuffer.wrap(packet));
        sockets.poll();
    }

    @Override
    public void writeFile(String path, long bytes, int line) {
        sockets.writeFile(path, bytes);
    }

    @Override
    public ArrayDeque<LivePacket> sent() {
        return sent;
    }

    @Override
    public PendingCall call(SocketCall call) {
        PendingCall p = sockets.call(call);
        if (p.isDone()) {
            sockets.poll();
        }
        return p;
    }

    @Override
    public Map<String, Long> tcpInfo(Endpoints ends) {
        Map<String, Long> info = new LinkedHashMap<>();
        ConnectionKey key = new ConnectionKey(ends.local, ends.localPort, ends.remote, ends.remotePort);
        TcpConnection live = null;
        if (host != null) {
            for (TcpConnection c : host.connections()) {
                if (c.key().equals(key)) {
                    live = c;
                }
            }
        }
        if (live == null && host != null && host.timeWait(key) != null) {
            info.put("tcpi_state", TcpInfo.stateNumber(TcpState.TIME_WAIT));
            return info;
        }
        if (live == null) {
            live = sockets.knownConnection(key);
        }
        if (live == null) {
            // No connection with this 4-tuple was ever handed to the application: the listener, if any.
            boolean listening = sockets.listening(ends.localPort);
            info.put("tcpi_state", TcpInfo.stateNumber(listening ? TcpState.LISTEN : TcpState.CLOSED));
            return info;
        }
        ConnectionStatus st = live.status();
        // A connection the application gave up stays "TIME-WAIT" after the host's record expired.
        TcpState state = st.state() == TcpState.TIME_WAIT ? TcpState.CLOSED : st.state();
        info.put("tcpi_state", TcpInfo.stateNumber(state));
        TcpInfo.fill(info, st, nowNs);
        info.put("tcpi_delivered", delivered.delivered(key));
        if (profile == Profile.FREEBSD) {
            // FreeBSD's struct tcp_info counts the windows in bytes, Linux's in segments.
            info.put("tcpi_snd_cwnd", (long) st.cwnd());
            info.put("tcpi_snd_ssthresh", st.ssthresh() >= Integer.MAX_VALUE / 2 ? 1073725440L : (long) st.ssthresh());
        }
        if (live.synDataAccepted()) {
            info.merge("tcpi_options", 32L, (x, y) -> x | y); // TCPI_OPT_SYN_DATA
        }
        return info;
    }

    /** Fast Open's client cookie cache is the one per-destination cache jtcp keeps. */
    @Override
    public void flushTcpMetrics() {
        if (host != null) {
            host.fastOpen().flushCookies();
        }
    }

    @Override
    public String apply(Shell.Setting s, int line) {
        if (fastOpenSetting(s, line)) {
            return null;
        }
        String[] caveat = new String[1];
        configureBeforeStart(line, "sysctl " + s.name(), b -> caveat[0] = Sysctls.apply(s, b, line));
        return caveat[0];
    }

    @Override
    public boolean stateCheck(StateChecks.Check check, int line) {
        if (check.tool() == StateChecks.Tool.NSTAT) {
            return StateChecks.grep(check, nstat());
        }
        return StateChecks.evaluate(check, sockets.rows(host));
    }

    /** Out-of-window ICMP errors when {@code nstat} last ran. */
    private long nstatOutOfWindowIcmps;

    /**
     * {@code nstat}: the counters that grew since it last ran, one {@code NAME VALUE} line each, and
     * the history reset. jtcp keeps the one counter the suites grep for, TcpExtOutOfWindowIcmps.
     */
    @Override
    public List<String> nstat() {
        long now = host == null ? 0 : host.drops().get(dev.jtcp.wire.DropReason.ICMP_OUT_OF_WINDOW);
        long delta = now - nstatOutOfWindowIcmps;
        nstatOutOfWindowIcmps = now;
        return delta > 0 ? List.of("TcpExtOutOfWindowIcmps          " + delta + "                  0.0") : List.of();
    }

    /**
     * TCP Fast Open's sysctls live in the host's {@link dev.jtcp.tcp.FastOpen}, which may change at
     * any time (Linux reads them per SYN): applied now, or when the host starts.
     */
    private boolean fastOpenSetting(Shell.Setting s, int line) {
        try {
            switch (s.name()) {
                case "net.ipv4.tcp_fastopen" -> {
                    int mode = Integer.decode(s.value().strip());
                    if (host != null) {
                        host.fastOpen().mode(mode);
                    } else {
                        fastOpenMode = mode;
                    }
                    return true;
                }
                case "net.ipv4.tcp_fastopen_key" -> {
                    if (host != null) {
                        host.fastOpen().key(s.value());
                    } else {
                        new dev.jtcp.tcp.FastOpen(0, 0).key(s.value());
                        fastOpenKey = s.value();
                    }
                    return true;
                }
                default -> {
                    return false;
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ScriptUnsupportedException(line, s.name() + "=" + s.value() + ": " + e.getMessage());
        }
    }

    @Override
    public List<String> recentTrace() {
        return new ArrayList<>(trace);
    }

    @Override
    public void close() {
        // Nothing outside the process to release.
    }
}
