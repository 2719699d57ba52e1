package dev.jtcp.script;

import dev.jtcp.tcp.TcpConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The small part of shell a script runner needs: sysctl-style settings ({@code sysctl -q -w
 * net.ipv4.tcp_sack=0}, {@code echo 0 > /proc/sys/net/ipv4/tcp_sack}, several joined by {@code ;} or
 * {@code &&}). Settings map onto {@link TcpConfig} for jtcp, or run in the namespace for Linux;
 * {@code jtcp.*} names set jtcp-only numbers. Any other command is unsupported (the script is
 * skipped with the command as the reason, never passed silently).
 */
final class ShellCommands {
    /** One setting: a sysctl name ({@code net.ipv4.tcp_sack}) and its value. */
    record Setting(String name, String value) {}

    private ShellCommands() {
    }

    static List<Setting> parse(String text, int line) {
        List<Setting> out = new ArrayList<>();
        for (String part : text.split(";|&&|\n")) {
            List<String> words = words(part, line);
            if (words.isEmpty()) {
                continue;
            }
            if (words.getFirst().equals("sysctl")) {
                for (String w : words.subList(1, words.size())) {
                    if (w.startsWith("-")) {
                        if (!w.equals("-q") && !w.equals("-w") && !w.equals("-qw")) {
                            throw unsupported(text, line);
                        }
                        continue;
                    }
                    int eq = w.indexOf('=');
                    if (eq <= 0) {
                        throw unsupported(text, line);
                    }
                    out.add(new Setting(w.substring(0, eq).replace('/', '.'), w.substring(eq + 1).strip()));
                }
            } else if (words.getFirst().equals("echo") && words.size() >= 4 && words.get(words.size() - 2).equals(">")
                    && words.getLast().startsWith("/proc/sys/")) {
                String name = words.getLast().substring("/proc/sys/".length()).replace('/', '.');
                out.add(new Setting(name, String.join(" ", words.subList(1, words.size() - 2))));
            } else if (!words.getFirst().equals("true")) {
                throw unsupported(text, line);
            }
        }
        return out;
    }

    private static ScriptUnsupportedException unsupported(String text, int line) {
        return new ScriptUnsupportedException(line, "shell command `" + text.strip() + "` is not supported "
                + "(only sysctl settings are)");
    }

    /** Splits a command into words, honouring single and double quotes. */
    private static List<String> words(String s, int line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (char c : s.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (any || !w.isEmpty()) {
                    out.add(w.toString());
                }
                w.setLength(0);
                any = false;
            } else if (c == '|' || c == '`' || c == '$' || c == '<') {
                throw unsupported(s, line);
            } else {
                w.append(c);
            }
        }
        if (quote != 0) {
            throw new ScriptUnsupportedException(line, "unterminated quote in `" + s.strip() + "`");
        }
        if (any || !w.isEmpty()) {
            out.add(w.toString());
        }
        return out;
    }

    /** Applies a setting to a jtcp configuration. */
    static void apply(Setting s, TcpConfig.Builder b, int line) {
        String v = s.value();
        switch (s.name()) {
            case "net.ipv4.tcp_timestamps" -> b.timestamps(number(s, line) != 0);
            case "net.ipv4.tcp_sack" -> b.sack(number(s, line) != 0);
            case "net.ipv4.tcp_window_scaling" -> b.windowScaling(number(s, line) != 0);
            case "net.ipv4.tcp_syncookies" -> b.synCookies(switch ((int) number(s, line)) {
                case 0 -> TcpConfig.SynCookieMode.OFF;
                case 1 -> TcpConfig.SynCookieMode.ON_OVERFLOW;
                default -> TcpConfig.SynCookieMode.ALWAYS;
            });
            case "net.ipv4.tcp_fin_timeout" -> b.finWait2Timeout(Duration.ofSeconds(number(s, line)));
            case "net.ipv4.tcp_challenge_ack_limit" -> b.challengeAckPerSecond((int) Math.max(1, number(s, line)));
            case "net.ipv4.tcp_syn_retries" -> {
                // Linux gives up after N retransmissions, at 1 + 2 + ... + 2^N seconds with a 1 s initial RTO.
                b.synRetransmitTimeout(Duration.ofSeconds((1L << (number(s, line) + 1)) - 1));
            }
            case "net.ipv4.tcp_rmem" -> b.receiveBufferBytes((int) triple(s, line))
                    .receiveBufferMaxBytes((int) Math.max(1024, Long.parseLong(s.value().split("\\s+")[2])));
            case "net.ipv4.tcp_wmem" -> b.sendBufferBytes((int) triple(s, line));
            case "net.ipv4.tcp_ecn" -> b.ecn(switch ((int) number(s, line)) {
                case 0 -> TcpConfig.EcnMode.OFF;
                case 1 -> TcpConfig.EcnMode.ON;
                case 2 -> TcpConfig.EcnMode.ACCEPT;
                default -> throw new ScriptUnsupportedException(line, s.name() + "=" + v
                        + ": jtcp has RFC 3168 ECN (0, 1, 2), not Accurate ECN");
            });
            case "net.ipv4.tcp_fastopen" -> {
                if (number(s, line) != 0) {
                    throw new ScriptUnsupportedException(line, s.name() + "=" + v + ": jtcp has no TCP Fast Open");
                }
            }
            case "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes" -> {
                TcpConfig now = b.build();
                long n = number(s, line);
                Duration idle = Duration.ofNanos(now.keepAliveIdleNs());
                Duration interval = Duration.ofNanos(now.keepAliveIntervalNs());
                int probes = now.keepAliveProbes();
                switch (s.name()) {
                    case "net.ipv4.tcp_keepalive_time" -> idle = Duration.ofSeconds(n);
                    case "net.ipv4.tcp_keepalive_intvl" -> interval = Duration.ofSeconds(n);
                    default -> probes = (int) n;
                }
                b.keepAlive(idle, interval, probes);
            }
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
                String[] p = v.split("[\\s,]+");
                if (p.length != 3) {
                    throw new ScriptUnsupportedException(line, "jtcp.keepalive_ms needs \"idle interval probes\"");
                }
                b.keepAlive(Duration.ofMillis(Long.parseLong(p[0])), Duration.ofMillis(Long.parseLong(p[1])),
                        Integer.parseInt(p[2]));
            }
            default -> throw new ScriptUnsupportedException(line, "setting " + s.name() + " has no jtcp equivalent");
        }
    }

    private static long number(Setting s, int line) {
        try {
            return Long.parseLong(s.value());
        } catch (NumberFormatException e) {
            throw new ScriptUnsupportedException(line, s.name() + " needs a number, got '" + s.value() + "'");
        }
    }

    /** The middle (default) value of a {@code "min default max"} triple. */
    private static long triple(Setting s, int line) {
        String[] p = s.value().split("\\s+");
        if (p.length != 3) {
            throw new ScriptUnsupportedException(line, s.name() + " needs \"min default max\", got '" + s.value() + "'");
        }
        return Long.parseLong(p[1]);
    }
}
