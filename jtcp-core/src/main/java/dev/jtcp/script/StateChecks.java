package dev.jtcp.script;

import dev.jtcp.event.TcpState;
import dev.jtcp.wire.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Socket-state checks written as shell pipelines over the OS's socket listing ({@code ss -4 -n state
 * SYN-RECV | grep 192.168.0.1:8080}, {@code netstat -n | grep ESTABLISHED}, FreeBSD's {@code sockstat
 * -4 -P tcp -s | grep -c LISTEN}), answered from the stack under test: the listing is rendered from
 * its sockets in the tool's format, the {@code grep}s filter it, and the check passes when lines
 * remain (grep's exit status; {@code -v} inverts per line as grep does). {@code nstat | grep NAME}
 * greps the counters that grew since the last {@code nstat} instead ({@link #grep}).
 *
 * <p>Stateless; thread-safe.
 */
final class StateChecks {
    /** One socket as a listing shows it. */
    record Row(IpAddress local, int localPort, IpAddress remote, int remotePort, TcpState state) {}

    /** A parsed pipeline. */
    record Check(String command, Tool tool, String stateFilter, int family, int sport, List<Grep> greps) {}

    /** One {@code grep [-v] [-c] [-q] [-F] [-w] pattern}. */
    record Grep(String pattern, boolean invert) {}

    /** The listing tool; PROC is {@code /proc/net/tcp[6]}, PROC_NAMED the same with grep's file-name prefix. */
    enum Tool { SS, NETSTAT, SOCKSTAT, NSTAT, PROC, PROC_NAMED }

    private StateChecks() {
    }

    /** Parses a pipeline (its words include the {@code |}s). */
    static Shell.StateCheck parse(String command, List<String> words, int line) {
        return new Shell.StateCheck(check(command, words, line));
    }

    /** Parses the pipeline fully. */
    static Check check(String command, List<String> words, int line) {
        List<List<String>> stages = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        for (String w : words) {
            if (w.equals("|")) {
                stages.add(cur);
                cur = new ArrayList<>();
            } else {
                cur.add(w);
            }
        }
        stages.add(cur);
        List<String> head = stages.getFirst();
        if (head.isEmpty()) {
            throw Shell.unsupported(command, line, "empty pipeline");
        }
        if (head.getFirst().equals("grep") || head.getFirst().equals("cat")) {
            return procCheck(command, stages, line);
        }
        Tool tool = switch (head.getFirst()) {
            case "ss" -> Tool.SS;
            case "netstat" -> Tool.NETSTAT;
            case "sockstat" -> Tool.SOCKSTAT;
            case "nstat" -> Tool.NSTAT;
            default -> throw Shell.unsupported(command, line, "only ss, netstat, sockstat, nstat and /proc/net/tcp "
                    + "listings can be checked");
        };
        String state = null;
        int family = 0;
        int sport = -1;
        if (tool == Tool.NSTAT && head.size() > 1) {
            throw Shell.unsupported(command, line, "nstat arguments are not supported");
        }
        for (int k = 1; k < head.size(); k++) {
            String w = head.get(k);
            switch (w) {
                case "-4" -> family = 4;
                case "-6" -> family = 6;
                case "state" -> {
                    if (k + 1 >= head.size()) {
                        throw Shell.unsupported(command, line, "'state' needs a state name");
                    }
                    state = ssState(head.get(++k), command, line);
                }
                case "src" -> k++;
                case "-P" -> {
                    if (k + 1 >= head.size() || !head.get(++k).equals("tcp")) {
                        throw Shell.unsupported(command, line, "only -P tcp listings");
                    }
                }
                case "--options", "--extended", "--info", "-o", "-e", "-i", "-n", "-t", "-a", "-s", "-l", "-an",
                     "-na", "-tn", "-nt", "-tan", "-ant", "-atn", "-nat", "-tna", "-p", "--tcp", "--numeric",
                     "--all", "-c" -> {
                }
                default -> {
                    String f = w.replace(" ", "");
                    if (f.matches("\\(sport=:\\d+\\)")) {
                        sport = Integer.parseInt(f.substring(8, f.length() - 1));
                    } else if (!(k > 0 && head.get(k - 1).equals("src"))) {
                        throw Shell.unsupported(command, line, head.getFirst() + " argument '" + w + "' is not supported");
                    }
                }
            }
        }
        List<Grep> greps = new ArrayList<>();
        for (List<String> stage : stages.subList(1, stages.size())) {
            greps.add(grep(command, stage, line, null));
        }
        return new Check(command, tool, state, family, sport, greps);
    }

    /**
     * One {@code grep [-vcqFw] pattern} stage; with {@code files} non-null, the files it names (each
     * must be {@code /proc/net/tcp} or {@code /proc/net/tcp6}) are added there, else it may name none.
     */
    private static Grep grep(String command, List<String> stage, int line, List<String> files) {
        if (stage.isEmpty() || !stage.getFirst().equals("grep")) {
            throw Shell.unsupported(command, line, "only grep may follow the listing");
        }
        boolean invert = false;
        String pattern = null;
        for (String w : stage.subList(1, stage.size())) {
            if (w.startsWith("-") && pattern == null && w.length() > 1) {
                if (!w.matches("-[vcqFw]+")) {
                    throw Shell.unsupported(command, line, "grep option " + w + " is not supported");
                }
                invert |= w.contains("v");
            } else if (pattern == null) {
                pattern = w;
            } else if (files != null && (w.equals(PROC_TCP) || w.equals(PROC_TCP6))) {
                files.add(w);
            } else if (!w.equals(">") && !w.equals("/dev/null") && !w.equals("2>&1")) {
                throw Shell.unsupported(command, line, files != null ? "grep reads only /proc/net/tcp and /proc/net/tcp6"
                        : "grep reads the listing, not files");
            }
        }
        if (pattern == null) {
            throw Shell.unsupported(command, line, "grep needs a pattern");
        }
        return new Grep(pattern, invert);
    }

    private static final String PROC_TCP = "/proc/net/tcp";
    private static final String PROC_TCP6 = "/proc/net/tcp6";

    /** {@code grep PATTERN /proc/net/tcp [/proc/net/tcp6] | grep ...} or {@code cat /proc/net/tcp | grep ...}. */
    private static Check procCheck(String command, List<List<String>> stages, int line) {
        List<String> head = stages.getFirst();
        List<String> files = new ArrayList<>();
        List<Grep> greps = new ArrayList<>();
        if (head.getFirst().equals("cat")) {
            for (String w : head.subList(1, head.size())) {
                if (!w.equals(PROC_TCP) && !w.equals(PROC_TCP6)) {
                    throw Shell.unsupported(command, line, "cat reads only /proc/net/tcp and /proc/net/tcp6 here");
                }
                files.add(w);
            }
        } else {
            greps.add(grep(command, head, line, files));
        }
        if (files.isEmpty()) {
            throw Shell.unsupported(command, line, "only ss, netstat, sockstat and /proc/net/tcp listings can be checked");
        }
        for (List<String> stage : stages.subList(1, stages.size())) {
            greps.add(grep(command, stage, line, null));
        }
        // grep prefixes each line with its file's name when it reads more than one.
        Tool tool = head.getFirst().equals("grep") && files.size() > 1 ? Tool.PROC_NAMED : Tool.PROC;
        int family = files.contains(PROC_TCP) && files.contains(PROC_TCP6) ? 0 : files.contains(PROC_TCP) ? 4 : 6;
        return new Check(command, tool, null, family, -1, greps);
    }

    /** Runs a check over the stack's sockets: whether the last grep selects a line. */
    static boolean evaluate(Check c, List<Row> rows) {
        List<String> lines = new ArrayList<>();
        for (Row r : rows) {
            if (c.family() == 4 && !r.local().isV4() || c.family() == 6 && r.local().isV4()) {
                continue;
            }
            if (c.stateFilter() != null && !c.stateFilter().equals(r.state().toString())) {
                continue;
            }
            if (c.sport() >= 0 && r.localPort() != c.sport()) {
                continue;
            }
            lines.add(render(c.tool(), r));
        }
        return grep(c, lines);
    }

    /** Whether the pipeline's greps leave a line of {@code lines} (nstat's counter lines, say). */
    static boolean grep(Check c, List<String> lines) {
        lines = new ArrayList<>(lines);
        for (Grep g : c.greps()) {
            lines.removeIf(l -> l.contains(g.pattern()) == g.invert());
        }
        return !lines.isEmpty();
    }

    /** One line of the tool's listing. */
    static String render(Tool tool, Row r) {
        String local = endpoint(r.local(), r.localPort(), tool);
        String remote = r.state() == TcpState.LISTEN ? (tool == Tool.SS ? "*:*" : tool == Tool.NETSTAT ? "0.0.0.0:*" : "*.*") : endpoint(r.remote(),
                r.remotePort(), tool);
        return switch (tool) {
            case SS -> String.format("%-10s 0      0      %s %s", ssName(r.state()), local, remote);
            case NETSTAT -> String.format("tcp%s       0      0 %s %s %s", r.local().isV4() ? "" : "6", local, remote,
                    r.state() == TcpState.LISTEN ? "LISTEN" : r.state().name().replace("RECEIVED", "RECV"));
            case SOCKSTAT, NSTAT -> String.format("?        ?          ?     ?  tcp%s %s %s %s", r.local().isV4() ? "4" : "6",
                    local, remote, r.state().name().replace("-", "_"));
            case PROC, PROC_NAMED -> proc(r, tool == Tool.PROC_NAMED);
        };
    }

    /**
     * A {@code /proc/net/tcp} (or {@code tcp6}) line as Linux writes it: slot, local and remote
     * address as the kernel's 32-bit words in a little-endian host's order and the port, both in
     * hex, and the state number in hex ({@code 0A} LISTEN); the queue, timer, uid and inode columns
     * are zeros.
     */
    private static String proc(Row r, boolean named) {
        boolean v4 = r.local().isV4();
        IpAddress remote = r.remote() != null ? r.remote() : v4 ? IpAddress.ANY_V4 : IpAddress.ANY_V6;
        String line = String.format("   0: %s:%04X %s:%04X %02X 00000000:00000000 00:00000000 00000000     0        0 0 1"
                + " 0000000000000000 100 0 0 10 0", procAddress(r.local(), v4), r.localPort(), procAddress(remote, v4),
                r.remote() != null ? r.remotePort() : 0, TcpInfo.stateNumber(r.state()));
        return named ? (v4 ? PROC_TCP : PROC_TCP6) + ":" + line : line;
    }

    private static String procAddress(IpAddress a, boolean v4) {
        if (v4) {
            return String.format("%08X", Integer.reverseBytes(a.v4()));
        }
        return String.format("%08X%08X%08X%08X", Integer.reverseBytes((int) (a.hi() >>> 32)),
                Integer.reverseBytes((int) a.hi()), Integer.reverseBytes((int) (a.lo() >>> 32)),
                Integer.reverseBytes((int) a.lo()));
    }

    private static String endpoint(IpAddress a, int port, Tool tool) {
        // ss and netstat on Linux write address:port; FreeBSD's tools write address.port (IPv6 too).
        return a + (tool == Tool.SOCKSTAT ? "." : ":") + port;
    }

    /** ss's state names (ESTAB, SYN-RECV, ...). */
    static String ssName(TcpState s) {
        return switch (s) {
            case ESTABLISHED -> "ESTAB";
            case SYN_RECEIVED -> "SYN-RECV";
            case CLOSED -> "UNCONN";
            default -> s.toString();
        };
    }

    /** An {@code ss state} argument as the RFC spelling of the state. */
    private static String ssState(String name, String command, int line) {
        String n = name.toLowerCase(Locale.ROOT);
        for (TcpState s : TcpState.values()) {
            if (ssName(s).toLowerCase(Locale.ROOT).equals(n) || s.toString().toLowerCase(Locale.ROOT).equals(n)
                    || (n.equals("established") && s == TcpState.ESTABLISHED)) {
                return s.toString();
            }
        }
        throw Shell.unsupported(command, line, "ss state '" + name + "' is not a single TCP state");
    }
}
