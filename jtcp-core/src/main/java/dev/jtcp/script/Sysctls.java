package dev.jtcp.script;

import dev.jtcp.tcp.TcpConfig;
import java.time.Duration;
import java.util.Locale;

/**
 * Linux ({@code net.ipv4.tcp_*}, {@code net.core.*}) and FreeBSD ({@code net.inet.tcp.*}, {@code
 * kern.ipc.*}, tcp(4)) TCP settings as jtcp configuration. Each setting is one of:
 *
 * <ul>
 *   <li><b>mapped</b>: it changes {@link TcpConfig} (buffers and the window scale they imply,
 *       timestamps, SACK, ECN, SYN cookies, timers, keep-alive, dupthresh, IW, MSL, ...);
 *   <li><b>matching</b>: its value is what jtcp does anyway (D-SACK when {@code tcp_dsack=1},
 *       NewReno, TLP without RACK when {@code tcp_early_retrans=4 tcp_recovery=0}, ...);
 *   <li><b>different</b>: jtcp has no such behaviour (MTU probing, FACK, Accurate ECN, ...). From a settings file (the suite's baseline, such as {@code
 *       defaults.sh}) that is a caveat the run notes and prints beside a failure; written in the
 *       script itself (the script tests it) it skips the script with the reason.
 * </ul>
 *
 * <p>Stateless; thread-safe.
 */
final class Sysctls {
    private Sysctls() {
    }

    /**
     * Applies a setting to a jtcp configuration: returns null when jtcp honours it, or a caveat when
     * jtcp cannot and the setting is a baseline one; throws {@link ScriptUnsupportedException} when
     * the script itself asks for behaviour jtcp lacks or names an unknown setting.
     */
    static String apply(Shell.Setting s, TcpConfig.Builder b, int line) {
        if (applyJtcp(s, b, line)) {
            return null;
        }
        String differs = applyOrExplain(s, b, line);
        if (differs == null) {
            return null;
        }
        String caveat = s.name() + "=" + s.value() + ": " + differs;
        if (s.baseline()) {
            return caveat;
        }
        throw new ScriptUnsupportedException(line, "setting " + caveat);
    }

    /** Null when applied or matching, else what jtcp lacks. */
    private static String applyOrExplain(Shell.Setting s, TcpConfig.Builder b, int line) {
        String name = s.name();
        if (name.startsWith("net.inet.") || name.startsWith("kern.ipc.")) {
            return freebsd(s, b, line);
        }
        return switch (name) {
            case "net.ipv4.tcp_timestamps" -> {
                b.timestamps(number(s, line) != 0);
                yield null;
            }
            case "net.ipv4.tcp_sack" -> {
                b.sack(number(s, line) != 0);
                yield null;
            }
            case "net.ipv4.tcp_window_scaling" -> {
                b.windowScaling(number(s, line) != 0);
                yield null;
            }
            case "net.ipv4.tcp_syncookies" -> {
                b.synCookies(switch ((int) number(s, line)) {
                    case 0 -> TcpConfig.SynCookieMode.OFF;
                    case 1 -> TcpConfig.SynCookieMode.ON_OVERFLOW;
                    default -> TcpConfig.SynCookieMode.ALWAYS;
                });
                yield null;
            }
            case "net.ipv4.tcp_fin_timeout" -> {
                b.finWait2Timeout(Duration.ofSeconds(number(s, line)));
                yield null;
            }
            case "net.ipv4.tcp_challenge_ack_limit" -> {
                b.challengeAckPerSecond((int) Math.clamp(number(s, line), 1, Integer.MAX_VALUE));
                yield null;
            }
            case "net.ipv4.tcp_syn_retries" -> {
                // Linux gives up after N retransmissions, at 1 + 2 + ... + 2^N seconds with a 1 s initial RTO.
                long n = Math.clamp(number(s, line), 1, 30);
                b.synRetransmitTimeout(Duration.ofSeconds((1L << (n + 1)) - 1));
                yield null;
            }
            case "net.ipv4.tcp_rmem" -> {
                // Linux derives the window scale from the largest receive buffer (tcp_select_initial_window:
                // ilog2(max) - 15); so does jtcp. The buffer is the maximum from the start (no autotuning),
                // which is what the suites' window checks were measured against.
                int max = bytes(triple(s, line)[2]);
                b.receiveBufferBytes(max).receiveBufferMaxBytes(max);
                yield null;
            }
            case "net.ipv4.tcp_wmem" -> {
                // SO_SNDBUF starts at the middle value; Linux grows it with the window, jtcp does not.
                b.sendBufferBytes(bytes(triple(s, line)[1]));
                yield null;
            }
            case "net.ipv4.tcp_ecn" -> {
                long v = number(s, line);
                if (v < 0 || v > 2) {
                    yield "jtcp has RFC 3168 ECN (0, 1, 2), not Accurate ECN";
                }
                b.ecn(v == 0 ? TcpConfig.EcnMode.OFF : v == 1 ? TcpConfig.EcnMode.ON : TcpConfig.EcnMode.ACCEPT);
                yield null;
            }
            case "net.ipv4.tcp_reordering" -> {
                b.dupAckThreshold((int) Math.clamp(number(s, line), 1, 300));
                yield null;
            }
            case "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes" -> {
                keepAlive(b, name.substring("net.ipv4.tcp_keepalive_".length()), number(s, line) * 1000);
                yield null;
            }
            case "net.ipv4.tcp_congestion_control" -> {
                try {
                    b.congestionControl(TcpConfig.CongestionAlgorithm.parse(s.value()));
                    yield null;
                } catch (IllegalArgumentException e) {
                    yield "jtcp has reno, cubic and bbr, not " + s.value();
                }
            }
            case "net.ipv4.tcp_frto" -> {
                // Linux runs the SACK-enhanced F-RTO (RFC 5682 §3) for any non-zero value when the peer
                // SACKs; so does jtcp (with RACK).
                b.frto(number(s, line) != 0);
                yield null;
            }
            case "net.ipv4.tcp_recovery" -> {
                // Bit 0: RACK loss detection (RFC 8985); without it, duplicate-ACK counting (RFC 6675).
                // Bit 2 (Linux's RACK_NO_DUPTHRESH): DupThresh SACKed segments do not zero RACK's
                // reordering window outside recovery (TcpConfig.rackNoDupThresh), and jtcp's first-loss
                // wait goes with it (TcpConfig.rackFirstLossWait), so that 1, Linux's default, gives
                // RFC 8985's window from the first loss on.
                long v = number(s, line);
                b.rack((v & 1) != 0);
                b.rackFirstLossWait((v & 4) != 0);
                b.rackNoDupThresh((v & 4) != 0);
                yield null;
            }
            case "net.ipv4.tcp_early_retrans" -> {
                // Linux since 4.x: 3 and 4 send tail loss probes; 0, 1 and 2 send none (its early
                // retransmit of RFC 5827 is gone, RACK took its place).
                long v = number(s, line);
                b.tailLossProbes(v == 3 || v == 4);
                yield null;
            }
            case "net.ipv4.tcp_dsack" -> number(s, line) != 0 ? null
                    : "jtcp always reports duplicates with D-SACK blocks (RFC 2883) when SACK is on";
            case "net.ipv4.tcp_fack" -> number(s, line) == 0 ? null : "jtcp has no FACK";
            case "net.ipv4.tcp_slow_start_after_idle" -> {
                b.slowStartAfterIdle(number(s, line) != 0);
                yield null;
            }
            case "net.ipv4.tcp_mtu_probing" -> number(s, line) == 0 ? null
                    : "jtcp has no packetization-layer path MTU discovery (RFC 4821)";
            case "net.ipv4.tcp_notsent_lowat" -> {
                long v = number(s, line);
                b.notSentLowatBytes(v <= 0 || v >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) v);
                yield null;
            }
            case "net.ipv4.tcp_fastopen" -> {
                number(s, line);
                // Only matters once a script uses Fast Open (an FO option, MSG_FASTOPEN, TCP_FASTOPEN*);
                // those places skip with "jtcp has no TCP Fast Open".
                yield null;
            }
            case "net.ipv4.tcp_fastopen_key", "net.ipv4.tcp_fastopen_blackhole_timeout_sec", "net.ipv4.tcp_ecn_option",
                 "net.ipv4.tcp_ecn_option_beacon", "net.ipv4.tcp_base_mss", "net.ipv4.tcp_pacing_ss_ratio",
                 "net.ipv4.tcp_pacing_ca_ratio", "net.ipv4.tcp_tso_win_divisor", "net.ipv4.tcp_autocorking",
                 "net.ipv4.tcp_moderate_rcvbuf", "net.ipv4.tcp_no_metrics_save", "net.ipv4.tcp_adv_win_scale" -> null;
            case "net.ipv4.tcp_min_tso_segs" -> {
                // Linux's TSO packet sizes (TsoSizing): at least this many segments per packet.
                b.tsoMinSegs((int) Math.clamp(number(s, line), 1, 255));
                yield null;
            }
            case "net.ipv4.tcp_tso_rtt_log" -> number(s, line) == 9 ? null
                    : "jtcp's TSO packet sizes use Linux's default tcp_tso_rtt_log of 9";
            case "net.ipv4.tcp_synack_retries" -> {
                b.synAckRetries((int) Math.clamp(number(s, line), 0, 255));
                yield null;
            }
            case "net.ipv4.tcp_invalid_ratelimit" -> {
                b.invalidRateLimit(Duration.ofMillis(Math.max(0, number(s, line))));
                yield null;
            }
            case "net.core.rmem_max", "net.core.wmem_max", "net.core.rmem_default", "net.core.wmem_default",
                 "net.core.default_qdisc" -> null;
            case "module.tcp_cubic.hystart_detect" -> {
                int bits = (int) number(s, line);
                if (bits < 1 || bits > 3) {
                    yield "jtcp's CUBIC has HyStart++ (RFC 9406) or Linux's HyStart with hystart_detect 1 to 3";
                }
                b.hyStartDetect(bits);
                yield null;
            }
            default -> {
                if (name.startsWith("module.tcp_cubic.")) {
                    yield "jtcp's CUBIC keeps RFC 9438's constants and HyStart++ (RFC 9406)";
                }
                throw new ScriptUnsupportedException(line, "setting " + name + " has no jtcp equivalent");
            }
        };
    }

    /** FreeBSD's documented TCP settings (tcp(4), and kern.ipc.maxsockbuf). */
    private static String freebsd(Shell.Setting s, TcpConfig.Builder b, int line) {
        String name = s.name();
        return switch (name) {
            case "net.inet.tcp.rfc1323" -> {
                long v = number(s, line);
                b.windowScaling(v == 1 || v == 2).timestamps(v == 1 || v == 3);
                yield null;
            }
            case "net.inet.tcp.sack.enable" -> {
                b.sack(number(s, line) != 0);
                yield null;
            }
            case "net.inet.tcp.ecn.enable" -> {
                long v = number(s, line);
                if (v < 0 || v > 2) {
                    yield "jtcp has RFC 3168 ECN (0, 1, 2), not Accurate ECN";
                }
                b.ecn(v == 0 ? TcpConfig.EcnMode.OFF : v == 1 ? TcpConfig.EcnMode.ON : TcpConfig.EcnMode.ACCEPT);
                yield null;
            }
            case "net.inet.tcp.recvspace" -> {
                b.receiveBufferBytes(bytes(number(s, line)));
                yield null;
            }
            case "net.inet.tcp.sendspace" -> {
                b.sendBufferBytes(bytes(number(s, line)));
                yield null;
            }
            case "net.inet.tcp.rexmit_initial" -> {
                b.initialRto(Duration.ofMillis(number(s, line)));
                yield null;
            }
            case "net.inet.tcp.rexmit_min" -> {
                b.minRto(Duration.ofMillis(Math.max(1, number(s, line))));
                yield null;
            }
            case "net.inet.tcp.delacktime" -> {
                b.delayedAck(Duration.ofMillis(number(s, line)));
                yield null;
            }
            case "net.inet.tcp.delayed_ack" -> number(s, line) != 0 ? null : "jtcp always delays ACKs";
            case "net.inet.tcp.msl" -> {
                b.msl(Duration.ofMillis(number(s, line)));
                yield null;
            }
            case "net.inet.tcp.initcwnd_segments" -> {
                b.initialWindowSegments((int) Math.clamp(number(s, line), 1, 1000));
                yield null;
            }
            case "net.inet.tcp.mssdflt" -> {
                int mss = (int) Math.clamp(number(s, line), 88, 65495);
                b.defaultMss(mss, Math.max(mss, 1220));
                yield null;
            }
            case "net.inet.tcp.keepidle", "net.inet.tcp.keepintvl", "net.inet.tcp.keepcnt" -> {
                String which = switch (name) {
                    case "net.inet.tcp.keepidle" -> "time";
                    case "net.inet.tcp.keepintvl" -> "intvl";
                    default -> "probes";
                };
                keepAlive(b, which, which.equals("probes") ? number(s, line) * 1000 : number(s, line));
                yield null;
            }
            case "net.inet.tcp.syncookies" -> {
                b.synCookies(number(s, line) == 0 ? TcpConfig.SynCookieMode.OFF : TcpConfig.SynCookieMode.ON_OVERFLOW);
                yield null;
            }
            case "net.inet.tcp.syncookies_only" -> {
                if (number(s, line) != 0) {
                    b.synCookies(TcpConfig.SynCookieMode.ALWAYS);
                }
                yield null;
            }
            case "net.inet.tcp.cc.algorithm" -> s.value().equals("newreno") ? null
                    : "jtcp's congestion control is NewReno, not " + s.value();
            // RFC 5961 is always on in jtcp: the secure settings match, the insecure ones need engine switches.
            case "net.inet.tcp.insecure_rst" -> number(s, line) == 0 ? null
                    : "jtcp always checks RSTs as RFC 5961 §3 says (an engine switch would be needed)";
            case "net.inet.tcp.insecure_syn" -> number(s, line) == 0 ? null
                    : "jtcp always answers in-window SYNs with a challenge ACK (RFC 5961 §4; an engine switch would "
                    + "be needed)";
            case "net.inet.tcp.drop_synfin" -> number(s, line) == 0 ? null
                    : "jtcp processes SYN+FIN as RFC 9293 does (an engine switch to drop them would be needed)";
            case "net.inet.tcp.rexmit_slop" -> number(s, line) == 0 ? null
                    : "jtcp's RTO is RFC 6298's, without FreeBSD's slop term (" + s.value() + " ms)";
            case "net.inet.tcp.tolerate_missing_ts" -> number(s, line) != 0 ? null
                    : "jtcp accepts segments without timestamps on a timestamp connection (RFC 7323 §3.2 SHOULD)";
            case "net.inet.tcp.path_mtu_discovery", "net.inet.tcp.blackhole", "net.inet.tcp.log_in_vain",
                 "net.inet.tcp.always_keepalive", "net.inet.tcp.do_tcpdrain", "net.inet.tcp.hostcache.purgenow",
                 "net.inet.tcp.experimental.initcwnd10", "net.inet.tcp.ts_offset_per_conn",
                 "net.inet.tcp.udp_tunneling_port", "kern.ipc.maxsockbuf" -> null;
            default -> throw new ScriptUnsupportedException(line, "setting " + name + " has no jtcp equivalent");
        };
    }

    private static void keepAlive(TcpConfig.Builder b, String which, long millis) {
        TcpConfig now = b.build();
        Duration idle = Duration.ofNanos(now.keepAliveIdleNs());
        Duration interval = Duration.ofNanos(now.keepAliveIntervalNs());
        int probes = now.keepAliveProbes();
        switch (which) {
            case "time" -> idle = Duration.ofMillis(millis);
            case "intvl" -> interval = Duration.ofMillis(millis);
            default -> probes = (int) Math.clamp(millis / 1000, 1, 1000);
        }
        b.keepAlive(idle, interval, probes);
    }

    /** A buffer size clamped to what a {@link TcpConfig} accepts. */
    private static int bytes(long n) {
        return (int) Math.clamp(n, 1024, 1L << 30);
    }

    /** A number: decimal or {@code 0x} hex, as sysctl(8) accepts. */
    static long number(Shell.Setting s, int line) {
        String v = s.value().strip().toLowerCase(Locale.ROOT);
        try {
            return v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ScriptUnsupportedException(line, s.name() + " needs a number, got '" + s.value() + "'");
        }
    }

    /** A {@code "min default max"} triple. */
    private static long[] triple(Shell.Setting s, int line) {
        String[] p = s.value().strip().split("\\s+");
        if (p.length != 3) {
            throw new ScriptUnsupportedException(line, s.name() + " needs \"min default max\", got '" + s.value() + "'");
        }
        long[] out = new long[3];
        for (int k = 0; k < 3; k++) {
            out[k] = number(new Shell.Setting(s.name(), p[k]), line);
        }
        return out;
    }

    /** jtcp-only settings for our own scripts ({@code jtcp.*}); false if {@code s} is not one. */
    private static boolean applyJtcp(Shell.Setting s, TcpConfig.Builder b, int line) {
        switch (s.name()) {
            case "jtcp.msl_ms" -> b.msl(Duration.ofMillis(number(s, line)));
            case "jtcp.delayed_ack_ms" -> b.delayedAck(Duration.ofMillis(number(s, line)));
            case "jtcp.initial_window" -> b.initialWindowSegments((int) number(s, line));
            case "jtcp.min_rto_ms" -> b.minRto(Duration.ofMillis(number(s, line)));
            case "jtcp.initial_rto_ms" -> b.initialRto(Duration.ofMillis(number(s, line)));
            case "jtcp.max_rto_ms" -> b.maxRto(Duration.ofMillis(number(s, line)));
            case "jtcp.r2_ms" -> b.r2Timeout(Duration.ofMillis(number(s, line)));
            case "jtcp.syn_timeout_ms" -> b.synRetransmitTimeout(Duration.ofMillis(number(s, line)));
            case "jtcp.time_wait_reuse" -> b.timeWaitReuse(number(s, line) != 0);
            case "jtcp.keepalive_ms" -> {
                String[] p = s.value().strip().split("[\\s,]+");
                if (p.length != 3) {
                    throw new ScriptUnsupportedException(line, "jtcp.keepalive_ms needs \"idle interval probes\"");
                }
                long[] v = new long[3];
                for (int k = 0; k < 3; k++) {
                    v[k] = number(new Shell.Setting(s.name(), p[k]), line);
                }
                b.keepAlive(Duration.ofMillis(v[0]), Duration.ofMillis(v[1]), (int) Math.clamp(v[2], 1, 1000));
            }
            default -> {
                return false;
            }
        }
        return true;
    }
}
