package dev.jtcp.script;

import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.wire.IpAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs packetdrill-language scripts against jtcp in-process (virtual time) or, in differential mode,
 * against the Linux kernel in a private network namespace, and says how each ended: passed, failed
 * (with the line, what was expected, what the stack did and the last trace events), skipped (with
 * what is unsupported), or an expected failure ({@code // xfail: reason}).
 *
 * <p>Script options understood: {@code --ip_version=ipv4|ipv6}, {@code --tolerance_usecs},
 * {@code --tolerance_percent}, {@code --mss} (packetdrill hands a longer inbound packet to the kernel as one GSO packet of that segment size, which the kernel receives whole and only uses to estimate the peer's MSS; jtcp receives it whole too and has no such estimate, so the option changes nothing here), {@code --mtu},
 * {@code --local_ip}, {@code --remote_ip}, {@code --tcp_ts_tick_usecs}, {@code --tcp_ts_ecr_scaled},
 * {@code --strict_segments}; and jtcp's {@code --profile=linux|rfc|default}, {@code
 * --options_order=exact|any} and {@code --strict_packets}. Any other option skips the script.
 *
 * <p>Thread-safe: each run has its own interpreter and target.
 */
public final class ScriptRunner {
    /** Which stack runs the scripts. */
    public enum Stack {
        /** jtcp in this process, on virtual time. */
        JTCP,
        /** The Linux kernel through a TUN device in a private network namespace, on real time. */
        LINUX
    }

    /**
     * How to run.
     *
     * @param profile          the profile for scripts that do not name one
     * @param optionsOrder     option comparison for scripts that do not say
     * @param defines          {@code -D NAME=value} symbols
     * @param strictPackets    fail on packets no line expects
     * @param toleranceUs      tolerance for scripts that do not set {@code --tolerance_usecs}
     * @param tolerancePercent the same for {@code --tolerance_percent}
     */
    public record Options(Stack stack, Profile profile, OptionsOrder optionsOrder, Map<String, String> defines,
                          boolean strictPackets, long toleranceUs, double tolerancePercent, long maxRealSeconds,
                          List<String> settings) {
        /**
         * packetdrill's defaults: 4 ms or 12.5 % tolerance, exact options, extra packets allowed;
         * against Linux, scripts longer than 30 s of real time are skipped.
         */
        public static Options defaults() {
            return new Options(Stack.JTCP, Profile.DEFAULT, OptionsOrder.EXACT, Map.of(), false, 4000, 12.5, 30, List.of());
        }

        public Options withStack(Stack s) {
            return new Options(s, profile, optionsOrder, defines, strictPackets, toleranceUs, tolerancePercent,
                    maxRealSeconds, settings);
        }

        public Options withProfile(Profile p) {
            return new Options(stack, p, optionsOrder, defines, strictPackets, toleranceUs, tolerancePercent,
                    maxRealSeconds, settings);
        }

        public Options withOptionsOrder(OptionsOrder o) {
            return new Options(stack, profile, o, defines, strictPackets, toleranceUs, tolerancePercent, maxRealSeconds, settings);
        }

        public Options withDefines(Map<String, String> d) {
            return new Options(stack, profile, optionsOrder, Map.copyOf(d), strictPackets, toleranceUs, tolerancePercent,
                    maxRealSeconds, settings);
        }

        public Options withStrictPackets(boolean on) {
            return new Options(stack, profile, optionsOrder, defines, on, toleranceUs, tolerancePercent, maxRealSeconds, settings);
        }

        public Options withTolerance(long us, double percent) {
            return new Options(stack, profile, optionsOrder, defines, strictPackets, us, percent, maxRealSeconds, settings);
        }

        /**
         * Settings ({@code net.ipv4.tcp_rmem=4096 87380 3732736}) applied as the suite's baseline
         * before every script, as if a settings file had made them: for a suite written on a
         * machine whose defaults differ from the profile's.
         */
        public Options withSettings(List<String> nameEqualsValue) {
            return new Options(stack, profile, optionsOrder, defines, strictPackets, toleranceUs, tolerancePercent,
                    maxRealSeconds, List.copyOf(nameEqualsValue));
        }

        /** Against Linux, skip scripts whose events span more than this many seconds (they run in real time). */
        public Options withMaxRealSeconds(long seconds) {
            return new Options(stack, profile, optionsOrder, defines, strictPackets, toleranceUs, tolerancePercent,
                    seconds, settings);
        }
    }

    /** Virtual time a {@code *} line may wait in-process; real time against Linux. */
    private static final long MAX_WAIT_VIRTUAL_US = 24L * 3600 * 1_000_000;
    private static final long MAX_WAIT_REAL_US = 10_000_000;
    private static final Set<String> OPTIONS = Set.of("ip_version", "tolerance_usecs", "tolerance_percent", "mss", "mtu",
            "local_ip", "remote_ip", "tcp_ts_tick_usecs", "tcp_ts_ecr_scaled", "strict_segments", "profile",
            "options_order", "options-order", "strict_packets");

    /**
     * Run once in-process before the first script against Linux, so that class loading and the JIT
     * do not make the first real-time script late by tens of milliseconds.
     */
    private static final String WARM_UP = """
            0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
            +0  bind(3, ..., ...) = 0
            +0  listen(3, 1) = 0
            +0  < S 0:0(0) win 65535 <mss 1000,sackOK,TS val 1 ecr 0,nop,wscale 7>
            +0  > S. 0:0(0) ack 1 <...>
            +0  < . 1:1(0) ack 1 win 65535 <nop,nop,TS val 2 ecr 0>
            +0  accept(3, ..., ...) = 4
            +0  %{ assert tcpi_state == TCPI_ESTABLISHED }%
            +0  fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
            +0  read(4, ..., 10) = -1 EAGAIN (Resource temporarily unavailable)
            +0  write(4, ..., 10) = 10
            +0  > P. 1:11(10) ack 1 <...>
            +0  poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, 0) = 1
            +0  getsockopt(4, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
            +0  close(4) = 0
            +0  > F. 11:11(0) ack 1 <...>
            """;
    private static volatile boolean warmedUp;

    private final Options options;

    public ScriptRunner(Options options) {
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /** Script files: each path itself, or the {@code .pkt} files under it (sorted). */
    public static List<Path> expand(List<Path> paths) {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> f.toString().endsWith(".pkt") && Files.isRegularFile(f)).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    public ScriptResult run(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new ScriptResult(file.toString(), ScriptResult.Outcome.FAILED, "cannot read: " + e.getMessage(),
                    List.of(), 0, 0);
        }
        return run(file.toString(), text);
    }

    /** Runs a script given as text; {@code name} appears in messages. */
    public ScriptResult run(String name, String text) {
        long start = System.nanoTime();
        Script.Directives directives = Parser.directives(text);
        Outcome o = runOnce(name, text);
        ScriptResult.Outcome outcome = o.outcome;
        String message = o.message;
        // xfail names a jtcp bug, linux-differs a known difference of the Linux kernel: each applies to its stack.
        String expected = options.stack() == Stack.LINUX
                ? (directives.linuxDiffers() != null ? "linux-differs: " + directives.linuxDiffers() : null)
                : (directives.xfail() != null ? "xfail: " + directives.xfail() : null);
        if (expected != null) {
            if (outcome == ScriptResult.Outcome.FAILED) {
                outcome = ScriptResult.Outcome.XFAILED;
                message = expected + "\n" + message;
            } else if (outcome == ScriptResult.Outcome.PASSED && options.stack() == Stack.JTCP) {
                // A jtcp bug that no longer shows: the directive is stale. (A Linux difference may come
                // and go with timing, so a Linux pass is simply a pass.)
                outcome = ScriptResult.Outcome.XPASSED;
                message = "expected to fail (" + expected + ") but passed: remove the directive";
            }
        }
        if (outcome == ScriptResult.Outcome.FAILED && o.notes.stream().anyMatch(n -> n.startsWith("not honoured"))) {
            message = message + "\n  settings of the suite that jtcp does not honour (a possible cause):\n    "
                    + String.join("\n    ", o.notes.stream().filter(n -> n.startsWith("not honoured"))
                    .map(n -> n.substring("not honoured: ".length())).toList());
        }
        return new ScriptResult(name, outcome, message, directives.requirements(), System.nanoTime() - start,
                o.scriptUs, o.notes);
    }

    private record Outcome(ScriptResult.Outcome outcome, String message, long scriptUs, List<String> notes) {
        Outcome(ScriptResult.Outcome outcome, String message, long scriptUs) {
            this(outcome, message, scriptUs, List.of());
        }
    }

    private Outcome runOnce(String name, String text) {
        if (options.stack() == Stack.LINUX && !warmedUp) {
            new ScriptRunner(Options.defaults()).run("warm-up", WARM_UP);
            warmedUp = true;
        }
        Script script;
        Target target = null;
        Interpreter interpreter = null;
        try {
            Set<String> defined = new HashSet<>(options.defines().keySet());
            defined.add(options.stack() == Stack.LINUX ? "linux" : "jtcp");
            if (options.stack() == Stack.LINUX) {
                defined.add("Linux");
            }
            script = Parser.parse(name, text, options.defines(), defined);
            Setup setup = setup(script);
            long spanUs = span(script);
            if (options.stack() == Stack.LINUX && spanUs > options.maxRealSeconds() * 1_000_000) {
                throw new ScriptUnsupportedException(0, String.format("takes %.1f s of real time against Linux "
                        + "(more than %d s)", spanUs / 1e6, options.maxRealSeconds()));
            }
            target = options.stack() == Stack.LINUX ? LinuxTarget.start(setup.ends, setup.prefixLength, setup.mtu)
                    : new JtcpTarget(setup.config, setup.ends, setup.prefixLength, setup.mtu, 1, setup.profile);
            interpreter = new Interpreter(script, target, setup.settings, setup.ends, directory(name));
            interpreter.run();
            return new Outcome(ScriptResult.Outcome.PASSED, "", target.nowUs(), interpreter.notes());
        } catch (ScriptSyntaxException e) {
            return new Outcome(ScriptResult.Outcome.FAILED, "syntax error at " + e.getMessage(), 0);
        } catch (ScriptUnsupportedException e) {
            return new Outcome(ScriptResult.Outcome.SKIPPED, (e.line() > 0 ? "line " + e.line() + ": " : "")
                    + e.getMessage(), target == null ? 0 : target.nowUs(), notes(interpreter));
        } catch (ScriptFailure e) {
            return new Outcome(ScriptResult.Outcome.FAILED, "line " + e.line() + ": " + e.getMessage(), target.nowUs(),
                    notes(interpreter));
        } catch (RuntimeException e) {
            String trace = target == null ? "" : "\n  last trace events:\n    " + String.join("\n    ", target.recentTrace());
            return new Outcome(ScriptResult.Outcome.FAILED, "the run stopped with " + e + trace,
                    target == null ? 0 : target.nowUs());
        } finally {
            if (target != null) {
                target.close();
            }
        }
    }

    /** The run's {@code --sysctl} settings as baseline settings. */
    private List<Shell.Setting> baseline() {
        List<Shell.Setting> out = new ArrayList<>();
        for (String kv : options.settings()) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("a setting needs NAME=VALUE, got '" + kv + "'");
            }
            out.add(new Shell.Setting(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip(), true));
        }
        return out;
    }

    private static List<String> notes(Interpreter i) {
        return i == null ? List.of() : List.copyOf(i.notes());
    }

    /** The directory of a script file (settings files are relative to it), or null for a script given as text. */
    private static Path directory(String name) {
        try {
            Path p = Path.of(name).toAbsolutePath().getParent();
            return p != null && Files.isDirectory(p) ? p : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** How long a script's events span at least, from its times alone (relative times add up). */
    static long span(Script script) {
        long t = 0;
        long max = 0;
        for (Script.Event e : script.events()) {
            Script.Time time = e.time();
            if (time.kind() != Script.Time.Kind.ANY) {
                t = time.startRelative() ? t + time.startUs() : time.startUs();
                long end = time.kind() == Script.Time.Kind.POINT ? t
                        : time.endRelative() ? t - time.startUs() + time.endUs() : time.endUs();
                max = Math.max(max, Math.max(t, end));
            }
        }
        return max;
    }

    /** Everything the script's options decide. */
    private record Setup(Interpreter.Settings settings, Endpoints ends, int prefixLength, int mtu, TcpConfig config,
                         Profile profile) {}

    private Setup setup(Script script) {
        try {
            return setupOrThrow(script);
        } catch (NumberFormatException e) {
            throw new ScriptSyntaxException(0, 0, "an option needs a number: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ScriptSyntaxException(0, 0, "bad option value: " + e.getMessage());
        }
    }

    private Setup setupOrThrow(Script script) {
        // Values may be quoted as on a shell command line (--remote_ip="192.0.2.2").
        Map<String, String> o = new java.util.HashMap<>();
        script.options().forEach((k, v) -> o.put(k, v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
                ? v.substring(1, v.length() - 1) : v));
        for (String k : o.keySet()) {
            if (!OPTIONS.contains(k)) {
                throw new ScriptUnsupportedException(0, "option --" + k + " is not supported");
            }
        }
        String version = o.getOrDefault("ip_version", "ipv4");
        boolean linux = options.stack() == Stack.LINUX;
        boolean v6 = switch (version) {
            case "ipv4" -> false;
            case "ipv6" -> true;
            // IPv4 on the wire, AF_INET6 sockets with ::ffff: addresses: the emulated socket API has
            // one address type for both families, so on jtcp this is the IPv4 run.
            case "ipv4-mapped-ipv6" -> {
                if (linux) {
                    throw new ScriptUnsupportedException(0, "--ip_version=ipv4-mapped-ipv6 is not supported against Linux");
                }
                yield false;
            }
            default -> throw new ScriptUnsupportedException(0, "--ip_version=" + version + " is not supported");
        };
        IpAddress local = IpAddress.parse(o.getOrDefault("local_ip", defaultAddress(v6, linux, true)));
        IpAddress remote = IpAddress.parse(o.getOrDefault("remote_ip", defaultAddress(v6, linux, false)));
        if (local.isV4() == v6 || remote.isV4() == v6) {
            throw new ScriptUnsupportedException(0, "--local_ip/--remote_ip do not match --ip_version=" + version);
        }
        int mtu = Integer.parseInt(o.getOrDefault("mtu", "1500"));
        Profile profile = o.containsKey("profile") ? Profile.parse(o.get("profile")) : options.profile();
        String order = o.getOrDefault("options_order", o.get("options-order"));
        OptionsOrder optionsOrder = order != null ? OptionsOrder.valueOf(order.toUpperCase(java.util.Locale.ROOT))
                : profile == Profile.FREEBSD ? OptionsOrder.ANY : options.optionsOrder();
        Interpreter.Settings settings = new Interpreter.Settings(
                o.containsKey("tolerance_usecs") ? Long.parseLong(o.get("tolerance_usecs")) : options.toleranceUs(),
                o.containsKey("tolerance_percent") ? Double.parseDouble(o.get("tolerance_percent"))
                        : options.tolerancePercent(),
                optionsOrder, Long.parseLong(o.getOrDefault("tcp_ts_tick_usecs", "0")), o.containsKey("tcp_ts_ecr_scaled"),
                o.containsKey("strict_segments"), options.strictPackets() || o.containsKey("strict_packets"),
                linux ? MAX_WAIT_REAL_US : MAX_WAIT_VIRTUAL_US, baseline());
        if (o.containsKey("mss")) {
            Integer.parseInt(o.get("mss"));
        }
        return new Setup(settings, new Endpoints(local, remote), v6 ? 64 : 24, mtu, profile.config(), profile);
    }

    /**
     * In-process: packetdrill's addresses (192.168.0.1 and 192.0.2.1; fd3d:fa7b:d17d::1 and
     * 2001:db8::1), so scripts that name them work. Against Linux: 198.18.0.0/15 and fd00::/8 only.
     */
    private static String defaultAddress(boolean v6, boolean linux, boolean local) {
        if (linux) {
            return v6 ? (local ? "fd00::1" : "fd00::2") : (local ? "198.18.0.1" : "198.18.0.2");
        }
        return v6 ? (local ? "fd3d:fa7b:d17d::1" : "2001:db8::1") : (local ? "192.168.0.1" : "192.0.2.1");
    }
}
