package dev.jtcp.script;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The small part of a shell that the public suites' backquoted commands use, interpreted rather
 * than run: the stack under test is not the machine's kernel.
 *
 * <ul>
 *   <li>Settings: {@code sysctl [-q] [-w] [-e] name=value...} (dots or slashes, quoted values),
 *       {@code echo V > /proc/sys/...}, and the suites' helper {@code set_sysctls.py
 *       /proc/sys/name=value...}. FreeBSD's {@code sysctl net.inet.tcp.x=v} is the same command.
 *   <li>Settings files: a command that names a {@code .sh} file (relative to the script's
 *       directory, as packetdrill runs scripts there) runs that file's lines here, so {@code
 *       `../common/defaults.sh`} becomes its sysctl lines. Its settings are the suite's baseline.
 *   <li>No-ops, noted: commands that only matter to a real device or to kernel caches ({@code tc},
 *       {@code ethtool}, {@code ip tcp_metrics flush}, {@code nstat} that only resets counters, the
 *       suites' {@code /tmp/sysctl_restore_*.sh}, {@code true}).
 *   <li>State checks: {@code ss ... | grep ...}, {@code netstat -n ... | grep ...} and FreeBSD's
 *       {@code sockstat ... | grep ...} pipelines become a {@link StateCheck} answered from the
 *       stack's own socket list.
 *   <li>{@code #} comments, {@code \}-newline, {@code ;}, {@code &&}, {@code $((arithmetic))},
 *       {@code $PPID}, and redirections to {@code /dev/null}.
 * </ul>
 *
 * Anything else is {@link ScriptUnsupportedException} with the command as the reason.
 *
 * <p>Stateless; thread-safe.
 */
final class Shell {
    /** What one command means. */
    sealed interface Step permits Setting, NoOp, StateCheck, FileWrite {}

    /**
     * A sysctl setting.
     *
     * @param name     dotted name ({@code net.ipv4.tcp_sack}, {@code net.inet.tcp.rfc1323})
     * @param value    the value, quotes removed
     * @param baseline whether it came from a settings file (the suite's defaults) rather than the
     *                 script itself: a baseline setting jtcp cannot honour is a noted caveat, a
     *                 script's own one skips the script
     */
    record Setting(String name, String value, boolean baseline) implements Step {
        Setting(String name, String value) {
            this(name, value, false);
        }
    }

    /** A command accepted without effect, and why it has none. */
    record NoOp(String command, String why) implements Step {}

    /** A pipeline over the OS's socket listing that succeeds when a socket matches ({@link StateChecks}). */
    record StateCheck(StateChecks.Check check) implements Step {}

    /**
     * A file the script prepares for sendfile(): {@code rm -f PATH} ({@code bytes} -1) or {@code dd
     * if=/dev/zero of=PATH bs=N count=M} ({@code bytes} N × M zero bytes). The target emulates it;
     * no real file is touched.
     */
    record FileWrite(String path, long bytes) implements Step {}

    /** The nesting limit for settings files that run settings files. */
    private static final int MAX_DEPTH = 4;

    private Shell() {
    }

    /** Parses a script's command; relative files are looked up in {@code dir} (may be null). */
    static List<Step> parse(String text, int line, Path dir) {
        List<Step> out = new ArrayList<>();
        parse(text, line, dir, false, 0, out);
        return out;
    }

    /** The same without a directory: settings files are unsupported. */
    static List<Step> parse(String text, int line) {
        return parse(text, line, null);
    }

    private static void parse(String text, int line, Path dir, boolean baseline, int depth, List<Step> out) {
        for (String command : commands(text.replace("\\\r\n", " ").replace("\\\n", " "), line)) {
            String expanded = expand(command, line);
            List<String> words = words(expanded, line);
            if (!words.isEmpty()) {
                simple(expanded.strip(), words, line, dir, baseline, depth, out);
            }
        }
    }

    /** Splits text into simple commands at newlines, {@code ;} and {@code &&}, dropping comments. */
    private static List<String> commands(String text, int line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        boolean comment = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (comment) {
                if (c == '\n') {
                    comment = false;
                    out.add(cur.toString());
                    cur.setLength(0);
                }
                continue;
            }
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                cur.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                cur.append(c);
            } else if (c == '#' && (cur.isEmpty() || Character.isWhitespace(cur.charAt(cur.length() - 1)))) {
                comment = true;
            } else if (c == '\n' || c == ';') {
                out.add(cur.toString());
                cur.setLength(0);
            } else if (c == '&' && i + 1 < text.length() && text.charAt(i + 1) == '&') {
                out.add(cur.toString());
                cur.setLength(0);
                i++;
            } else if (c == '|' && i + 1 < text.length() && text.charAt(i + 1) == '|') {
                throw unsupported(text, line, "'||' is not supported");
            } else {
                cur.append(c);
            }
        }
        if (quote != 0) {
            throw new ScriptUnsupportedException(line, "unterminated quote in `" + text.strip() + "`");
        }
        out.add(cur.toString());
        return out;
    }

    /** Expands {@code $((arithmetic))} and {@code $PPID}/{@code ${PPID}}; any other {@code $} is unsupported. */
    static String expand(String command, int line) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < command.length()) {
            char c = command.charAt(i);
            if (c == '`') {
                throw unsupported(command, line, "nested command substitution is not supported");
            }
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            if (command.startsWith("$((", i)) {
                int depth = 0;
                int j = i + 1;
                for (; j < command.length(); j++) {
                    char d = command.charAt(j);
                    if (d == '(') {
                        depth++;
                    } else if (d == ')' && --depth == 0) {
                        break;
                    }
                }
                if (j >= command.length()) {
                    throw unsupported(command, line, "unterminated $((...))");
                }
                out.append(Arithmetic.evaluate(command.substring(i + 3, j - 1), line));
                i = j + 1;
            } else if (command.startsWith("${PPID}", i)) {
                out.append("1");
                i += 7;
            } else if (command.startsWith("$PPID", i)) {
                out.append("1");
                i += 5;
            } else {
                throw unsupported(command, line, "shell variables are not supported");
            }
        }
        return out.toString();
    }

    private static void simple(String command, List<String> words, int line, Path dir, boolean baseline, int depth,
                               List<Step> out) {
        List<String> pipeline = splitPipeline(words);
        if (pipeline != null) {
            out.add(StateChecks.parse(command, words, line));
            return;
        }
        words = dropDevNullRedirections(words);
        if (words.isEmpty()) {
            return;
        }
        String first = words.getFirst();
        String name = first.substring(first.lastIndexOf('/') + 1);
        switch (name) {
            case "sysctl" -> sysctl(command, words, line, baseline, out);
            case "echo" -> echo(command, words, line, baseline, out);
            case "set_sysctls.py" -> {
                for (String w : words.subList(1, words.size())) {
                    int eq = w.indexOf('=');
                    if (!w.startsWith("/proc/sys/") || eq < 0) {
                        throw unsupported(command, line, "set_sysctls.py takes /proc/sys/NAME=VALUE arguments");
                    }
                    out.add(new Setting(procName(w.substring(0, eq)), unquote(w.substring(eq + 1)), baseline));
                }
            }
            case "true", ":" -> out.add(new NoOp(command, "does nothing"));
            case "grep", "cat" -> out.add(StateChecks.parse(command, words, line)); // over /proc/net/tcp
            case "rm" -> {
                for (String w : words.subList(1, words.size())) {
                    if (w.equals("-f")) {
                        continue;
                    }
                    if (w.startsWith("-")) {
                        throw unsupported(command, line, "rm option " + w + " is not supported");
                    }
                    out.add(new FileWrite(w, -1));
                }
            }
            case "dd" -> out.add(dd(command, words, line));
            case "tc", "ethtool" -> {
                int limit = words.indexOf("limit");
                if (name.equals("tc") && limit > 0 && limit + 1 < words.size() && words.get(limit + 1).equals("0")) {
                    throw unsupported(command, line, "a qdisc that holds no packets makes the kernel's own "
                            + "transmissions fail; jtcp has no local queue to fill (its packets reach the runner directly)");
                }
                out.add(new NoOp(command, "configures a real network device; the stack under "
                        + "test has none (its packets reach the runner directly, without qdisc or offloads)"));
            }
            case "nstat" -> {
                if (words.size() > 1 && !words.get(1).equals("-n") && !words.get(1).equals("-r")) {
                    throw unsupported(command, line, "nstat counters are not available");
                }
                out.add(new NoOp(command, "resets the kernel's counter history"));
            }
            case "ip" -> {
                if (words.size() >= 3 && words.get(1).equals("tcp_metrics") && words.get(2).equals("flush")) {
                    out.add(new NoOp(command, "flushes the TCP metrics cache; jtcp keeps only Fast Open's "
                            + "client cookies between connections, and forgets them"));
                } else {
                    throw unsupported(command, line, "ip commands other than 'ip tcp_metrics flush' change routes "
                            + "or links, which the runner does not model");
                }
            }
            default -> {
                if (name.startsWith("sysctl_restore_") && name.endsWith(".sh")) {
                    out.add(new NoOp(command, "restores the machine's sysctls; a jtcp run changes none"));
                } else if (name.endsWith(".sh")) {
                    settingsFile(command, first, line, dir, depth, out);
                } else {
                    throw unsupported(command, line, null);
                }
            }
        }
    }

    /** {@code dd bs=N count=M if=/dev/zero of=PATH [status=none]}: a file of zero bytes. */
    private static FileWrite dd(String command, List<String> words, int line) {
        long bs = 512;
        long count = -1;
        String in = null;
        String of = null;
        for (String w : words.subList(1, words.size())) {
            int eq = w.indexOf('=');
            String key = eq < 0 ? w : w.substring(0, eq);
            String value = eq < 0 ? "" : w.substring(eq + 1);
            try {
                switch (key) {
                    case "bs" -> bs = Long.parseLong(value);
                    case "count" -> count = Long.parseLong(value);
                    case "if" -> in = value;
                    case "of" -> of = value;
                    case "status" -> { }
                    default -> throw unsupported(command, line, "dd operand " + w + " is not supported");
                }
            } catch (NumberFormatException e) {
                throw unsupported(command, line, "dd sizes must be plain numbers");
            }
        }
        if (!"/dev/zero".equals(in) || of == null || count < 0 || bs < 0) {
            throw unsupported(command, line, "only dd if=/dev/zero of=FILE bs=N count=M (zero bytes, as packetdrill's "
                    + "payloads) is supported");
        }
        return new FileWrite(of, bs * count);
    }

    /** The words of a pipeline if it has a {@code |}, else null. */
    private static List<String> splitPipeline(List<String> words) {
        return words.contains("|") ? words : null;
    }

    private static void sysctl(String command, List<String> words, int line, boolean baseline, List<Step> out) {
        for (String w : words.subList(1, words.size())) {
            if (w.startsWith("-")) {
                if (!w.matches("-[qwe]+")) {
                    throw unsupported(command, line, "sysctl option " + w + " is not supported");
                }
                continue;
            }
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw unsupported(command, line, "sysctl without '=' only reads a value");
            }
            out.add(new Setting(w.substring(0, eq).replace('/', '.'), unquote(w.substring(eq + 1)).strip(), baseline));
        }
    }

    private static void echo(String command, List<String> words, int line, boolean baseline, List<Step> out) {
        if (words.size() >= 4 && words.get(words.size() - 2).equals(">")) {
            String file = words.getLast();
            String value = String.join(" ", words.subList(1, words.size() - 2));
            if (file.startsWith("/proc/sys/")) {
                out.add(new Setting(procName(file), value, baseline));
                return;
            }
            if (file.startsWith("/sys/module/")) {
                out.add(new Setting("module." + file.substring("/sys/module/".length()).replace("/parameters/", ".")
                        .replace('/', '.'), value, baseline));
                return;
            }
        }
        throw unsupported(command, line, "echo only writes settings (echo V > /proc/sys/...)");
    }

    private static void settingsFile(String command, String file, int line, Path dir, int depth, List<Step> out) {
        if (dir == null) {
            throw unsupported(command, line, "a settings file needs the script's directory");
        }
        if (depth >= MAX_DEPTH) {
            throw unsupported(command, line, "settings files nest more than " + MAX_DEPTH + " deep");
        }
        Path p = dir.resolve(file).normalize();
        String text;
        try {
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw unsupported(command, line, "cannot read settings file " + p + " (" + e.getMessage() + ")");
        }
        try {
            parse(text, line, dir, true, depth + 1, out);
        } catch (ScriptUnsupportedException e) {
            throw new ScriptUnsupportedException(line, "in " + file + ": " + e.getMessage());
        }
    }

    /** Drops {@code > /dev/null}, {@code >/dev/null}, {@code 2>&1}, {@code 2>/dev/null}, {@code &>/dev/null}. */
    private static List<String> dropDevNullRedirections(List<String> words) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < words.size(); k++) {
            String w = words.get(k);
            boolean op = w.equals(">") || w.equals("2>") || w.equals("&>") || w.equals(">>");
            if (op && k + 1 < words.size() && words.get(k + 1).equals("/dev/null")) {
                k++;
            } else if (w.equals("2>&1") || w.matches("(2|&)?>>?/dev/null")) {
                continue;
            } else {
                out.add(w);
            }
        }
        return out;
    }

    private static String procName(String file) {
        return file.substring("/proc/sys/".length()).replace('/', '.');
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** Splits a command into words, honouring quotes; {@code |} and {@code >} stand alone. */
    static List<String> words(String s, int line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
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
            } else if (c == '|' || (c == '>' && w.isEmpty() && !any)) {
                if (any || !w.isEmpty()) {
                    out.add(w.toString());
                    w.setLength(0);
                    any = false;
                }
                if (c == '>' && i + 1 < s.length() && s.charAt(i + 1) != ' ') {
                    w.append(c);
                } else {
                    out.add(String.valueOf(c));
                }
            } else if (c == '<') {
                throw unsupported(s, line, "input redirection is not supported");
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

    static ScriptUnsupportedException unsupported(String text, int line, String why) {
        return new ScriptUnsupportedException(line, "shell command `" + text.strip() + "` is not supported"
                + (why == null ? " (settings, settings files, no-ops for devices and socket-state checks are)"
                : ": " + why));
    }

    /** {@code $(( ))}: integers with {@code + - * / % << >>} and parentheses, as shells do (64-bit). */
    static final class Arithmetic {
        private final String s;
        private final int line;
        private int pos;

        private Arithmetic(String s, int line) {
            this.s = s;
            this.line = line;
        }

        static long evaluate(String s, int line) {
            Arithmetic a = new Arithmetic(s, line);
            long v = a.sum();
            a.skip();
            if (a.pos != s.length()) {
                throw a.error();
            }
            return v;
        }

        private long sum() {
            return shift();
        }

        private long shift() {
            long v = additive();
            while (true) {
                skip();
                if (s.startsWith("<<", pos)) {
                    pos += 2;
                    v <<= additive();
                } else if (s.startsWith(">>", pos)) {
                    pos += 2;
                    v >>= additive();
                } else {
                    return v;
                }
            }
        }

        private long additive() {
            long v = term();
            while (true) {
                skip();
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    char op = s.charAt(pos++);
                    long r = term();
                    v = op == '+' ? v + r : v - r;
                } else {
                    return v;
                }
            }
        }

        private long term() {
            long v = factor();
            while (true) {
                skip();
                if (pos < s.length() && "*/%".indexOf(s.charAt(pos)) >= 0) {
                    char op = s.charAt(pos++);
                    long r = factor();
                    if (op != '*' && r == 0) {
                        throw new ScriptUnsupportedException(line, "division by zero in $((" + s + "))");
                    }
                    v = op == '*' ? v * r : op == '/' ? v / r : v % r;
                } else {
                    return v;
                }
            }
        }

        private long factor() {
            skip();
            if (pos >= s.length()) {
                throw error();
            }
            char c = s.charAt(pos);
            if (c == '(') {
                pos++;
                long v = sum();
                skip();
                if (pos >= s.length() || s.charAt(pos) != ')') {
                    throw error();
                }
                pos++;
                return v;
            }
            if (c == '-') {
                pos++;
                return -factor();
            }
            int start = pos;
            while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) {
                pos++;
            }
            String n = s.substring(start, pos).toLowerCase(Locale.ROOT);
            try {
                return n.startsWith("0x") ? Long.parseUnsignedLong(n.substring(2), 16) : Long.parseLong(n);
            } catch (NumberFormatException e) {
                throw error();
            }
        }

        private void skip() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private ScriptUnsupportedException error() {
            return new ScriptUnsupportedException(line, "cannot evaluate $((" + s + "))");
        }
    }
}
