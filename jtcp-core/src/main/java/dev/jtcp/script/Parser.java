package dev.jtcp.script;

import dev.jtcp.script.Script.Expr;
import dev.jtcp.script.Token.Kind;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpOption;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses tokens into a {@link Script}: {@code option* [init] event+ [cleanup]}, where an event is a
 * time followed by a packet line, a system call, a backquoted command or a code block. Syntax errors
 * carry the line and column; constructs the runner does not implement (ICMP and UDP packet lines,
 * unknown TCP options) raise {@link ScriptUnsupportedException}.
 *
 * <p>Not thread-safe; one parser per script.
 */
public final class Parser {
    private static final Pattern DIRECTIVE =
            Pattern.compile("^\\s*//\\s*(requirements?|xfail|linux-differs)\\s*:\\s*(.*?)\\s*$");
    private static final Pattern CONTINUATION = Pattern.compile("^\\s*//\\s{2,}(\\S.*?)\\s*$");
    private static final Set<String> PACKET_KEYWORDS = Set.of("ack", "win", "urg");

    private final List<Token> tokens;
    private int i;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** Parses {@code text}; {@code defined} are the names {@code #ifdef} sees as defined besides {@code defines}. */
    public static Script parse(String name, String text, Map<String, String> defines, Set<String> defined) {
        List<Token> tokens;
        try {
            tokens = Lexer.tokenize(text, defines, defined);
        } catch (ScriptSyntaxException | ScriptUnsupportedException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ScriptSyntaxException(1, 0, "cannot read the script (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        Parser p = new Parser(tokens);
        Script script;
        try {
            script = p.script(name, directives(text));
        } catch (ScriptSyntaxException | ScriptUnsupportedException e) {
            throw e;
        } catch (RuntimeException e) {
            // The last line of defence: bad input is a syntax error at the token reached, never a crash.
            Token at = p.tokens.get(Math.min(p.i, p.tokens.size() - 1));
            throw new ScriptSyntaxException(Math.max(at.line(), 1), at.column(), "cannot parse here ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        checkTimes(script);
        return script;
    }

    /**
     * Relative times add up: a sum past what 64-bit microseconds hold (about 292,000 years) is a
     * syntax error at the line that overflows, not an exception later.
     */
    private static void checkTimes(Script script) {
        long t = 0;
        for (Script.Event e : script.events()) {
            Script.Time time = e.time();
            if (time.kind() == Script.Time.Kind.ANY) {
                continue;
            }
            try {
                t = time.startRelative() ? Math.addExact(t, time.startUs()) : time.startUs();
                if (time.kind() != Script.Time.Kind.POINT && time.endRelative()) {
                    Math.addExact(t, time.endUs());
                }
                Math.multiplyExact(t, 1000L);
            } catch (ArithmeticException x) {
                throw new ScriptSyntaxException(e.line(), 0, "the script's time runs past what can be counted");
            }
        }
    }

    /**
     * The header directives of a script's comments. A directive's value continues on following
     * comment lines indented by at least two spaces after the {@code //}.
     */
    static Script.Directives directives(String text) {
        List<String> reqs = new ArrayList<>();
        String xfail = null;
        String linux = null;
        String[] lines = text.split("\n");
        for (int k = 0; k < lines.length; k++) {
            Matcher m = DIRECTIVE.matcher(lines[k]);
            if (!m.matches()) {
                continue;
            }
            StringBuilder value = new StringBuilder(m.group(2));
            while (k + 1 < lines.length) {
                Matcher c = CONTINUATION.matcher(lines[k + 1]);
                if (!c.matches()) {
                    break;
                }
                value.append(' ').append(c.group(1));
                k++;
            }
            switch (m.group(1)) {
                case "xfail" -> xfail = value.toString();
                case "linux-differs" -> linux = value.toString();
                default -> {
                    for (String r : value.toString().split("[,\\s]+")) {
                        if (!r.isBlank()) {
                            reqs.add(r.strip());
                        }
                    }
                }
            }
        }
        return new Script.Directives(List.copyOf(reqs), xfail, linux);
    }

    // ---------------------------------------------------------------------------------------------
    // Token helpers
    // ---------------------------------------------------------------------------------------------

    private Token peek() {
        return tokens.get(i);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(i + ahead, tokens.size() - 1));
    }

    private Token take() {
        Token t = tokens.get(i);
        if (!t.is(Kind.EOF)) {
            i++;
        }
        return t;
    }

    private ScriptSyntaxException error(Token at, String message) {
        return new ScriptSyntaxException(at.line(), at.column(), message);
    }

    private Token expectPunct(char c, String context) {
        Token t = take();
        if (!t.isPunct(c)) {
            throw error(t, "expected '" + c + "' " + context + ", found " + t);
        }
        return t;
    }

    private long integer(String what) {
        Token t = take();
        if (t.is(Kind.INTEGER) || t.is(Kind.HEX)) {
            return literal(t);
        }
        throw error(t, "expected a number for " + what + ", found " + t);
    }

    /** A decimal or hex literal; one that does not fit 64 bits is a syntax error, not an exception. */
    private long literal(Token t) {
        try {
            return t.is(Kind.HEX) ? Long.parseUnsignedLong(t.text().substring(2), 16) : Long.parseLong(t.text());
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw error(t, "number " + t.text() + " does not fit in 64 bits");
        }
    }

    private long unsigned32(String what) {
        Token at = peek();
        long v = integer(what);
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw error(at, what + " " + v + " is outside 0..4294967295");
        }
        return v;
    }

    private int bounded(String what, long max) {
        Token at = peek();
        long v = integer(what);
        if (v < 0 || v > max) {
            throw error(at, what + " " + v + " is outside 0.." + max);
        }
        return (int) v;
    }

    // ---------------------------------------------------------------------------------------------
    // Script structure
    // ---------------------------------------------------------------------------------------------

    private Script script(String name, Script.Directives directives) {
        Map<String, String> options = new LinkedHashMap<>();
        while (peek().is(Kind.OPTION)) {
            String o = take().text().substring(2);
            int eq = o.indexOf('=');
            options.put(eq < 0 ? o : o.substring(0, eq), eq < 0 ? "" : o.substring(eq + 1));
        }
        String init = null;
        if (peek().is(Kind.BACKQUOTED)) {
            init = take().text();
        }
        List<Script.Event> events = new ArrayList<>();
        String cleanup = null;
        while (!peek().is(Kind.EOF)) {
            Token t = peek();
            if (t.is(Kind.OPTION)) {
                throw error(t, "option " + t.text() + " must come before the first event");
            }
            if (t.is(Kind.BACKQUOTED)) {
                take();
                if (!peek().is(Kind.EOF)) {
                    throw error(t, "a command without a time is only allowed before the first event (init) "
                            + "or after the last one (cleanup)");
                }
                cleanup = t.text();
                break;
            }
            events.add(event());
        }
        return new Script(name, Map.copyOf(options), directives, init, List.copyOf(events), cleanup);
    }

    private Script.Event event() {
        Token start = peek();
        Script.Time time;
        if (start.is(Kind.CODE)) {
            time = Script.Time.point(0, true);
        } else {
            time = time();
        }
        Token at = peek();
        Script.Action action;
        if ((at.isPunct('<') || at.isPunct('>')) && (peek(1).is(Kind.WORD)
                && (peek(1).text().equals("icmp") || peek(1).text().equals("udp"))
                || peek(1).isPunct('[') && peek(2).is(Kind.INTEGER) && peek(3).isPunct(':'))) {
            action = otherPacket(take().isPunct('<'));
        } else if (at.isPunct('<') || at.isPunct('>')) {
            action = packet();
        } else if (at.is(Kind.WORD) && peek(1).isPunct('(')) {
            action = syscall();
        } else if (at.is(Kind.BACKQUOTED)) {
            action = new Script.Command(take().text());
        } else if (at.is(Kind.CODE)) {
            action = new Script.Code(take().text());
        } else {
            throw error(at, "expected a packet ('<' or '>'), a system call, a `command` or %{ code }% after the time, found " + at);
        }
        boolean isOutbound = action instanceof Script.Packet p && !p.inbound();
        if ((time.kind() == Script.Time.Kind.ANY || time.kind() == Script.Time.Kind.RANGE) && !isOutbound) {
            throw error(start, "'*' and time ranges are only allowed on outbound ('>') packets");
        }
        if (time.kind() == Script.Time.Kind.BLOCKING && !(action instanceof Script.Syscall)) {
            throw error(start, "'...' (a blocking call's end time) is only allowed on system calls");
        }
        return new Script.Event(start.line(), time, action);
    }

    private Script.Time time() {
        Token t = peek();
        if (t.isPunct('*')) {
            take();
            return new Script.Time(Script.Time.Kind.ANY, 0, false, 0, false);
        }
        boolean rel = false;
        if (t.isPunct('+')) {
            take();
            rel = true;
        }
        long start = seconds();
        if (peek().isPunct('~')) {
            take();
            boolean endRel = false;
            if (peek().isPunct('+')) {
                take();
                endRel = true;
            }
            long end = seconds();
            return new Script.Time(Script.Time.Kind.RANGE, start, rel, end, endRel);
        }
        if (peek().is(Kind.ELLIPSIS)) {
            take();
            boolean endRel = false;
            if (peek().isPunct('+')) {
                take();
                endRel = true;
            }
            long end = seconds();
            // END is relative to the same base as T when T is relative ("+.1...0.2": 0.2 after the base).
            return new Script.Time(Script.Time.Kind.BLOCKING, start, rel, end, endRel || rel);
        }
        return Script.Time.point(start, rel);
    }

    /** A time in seconds (integer or decimal), as microseconds. */
    private long seconds() {
        Token t = take();
        if (!t.is(Kind.INTEGER) && !t.is(Kind.FLOAT)) {
            throw error(t, "expected a time in seconds ('1', '+0.1', '*'), found " + t);
        }
        BigDecimal s = new BigDecimal(t.text().startsWith(".") ? "0" + t.text()
                : t.text().startsWith("-.") ? "-0" + t.text().substring(1) : t.text());
        if (s.signum() < 0) {
            throw error(t, "a time cannot be negative");
        }
        try {
            return s.movePointRight(6).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException e) {
            throw error(t, "time " + t.text() + " s is too large");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Packets
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code icmp TYPE [CODE] [mtu N] [[start:end(len)]]} (packetdrill's names, such as {@code
     * unreachable frag_needed}, {@code packet_too_big}, or {@code type_N code_N}) or {@code udp
     * (len)}.
     */
    private Script.OtherPacket otherPacket(boolean inbound) {
        String quotedFirst = null;
        if (peek().isPunct('[')) {
            // The older form names the quoted segment first: < [1:1461(1460)] icmp unreachable ...
            quotedFirst = quoted();
        }
        Token proto = take();
        if (!proto.is(Kind.WORD) || quotedFirst != null && !proto.text().equals("icmp")) {
            throw error(proto, "expected icmp after the quoted segment, found " + proto);
        }
        StringBuilder text = new StringBuilder(proto.text());
        if (proto.text().equals("udp")) {
            expectPunct('(', "before the UDP length");
            text.append(" (").append(integer("UDP length")).append(')');
            expectPunct(')', "after the UDP length");
            return new Script.OtherPacket(inbound, "udp", text.toString());
        }
        Token type = take();
        if (!type.is(Kind.WORD)) {
            throw error(type, "expected an ICMP type (such as unreachable, packet_too_big, echo_reply), found " + type);
        }
        text.append(' ').append(type.text());
        if (peek().is(Kind.WORD) && !peek().text().equals("mtu") && peek().line() == type.line()) {
            text.append(' ').append(take().text());
        } else if (peek().is(Kind.INTEGER) && peek().line() == type.line()) {
            text.append(' ').append(integer("ICMP code"));
        }
        if (peek().is(Kind.WORD) && peek().text().equals("mtu")) {
            take();
            text.append(" mtu ").append(bounded("mtu", 65535));
        }
        if (quotedFirst != null) {
            text.append(' ').append(quotedFirst);
        } else if (peek().isPunct('[') && peek().line() == type.line()) {
            text.append(' ').append(quoted());
        }
        return new Script.OtherPacket(inbound, "icmp", text.toString());
    }

    /** The packet an ICMP error quotes: {@code [start:end(len)]} (TCP) or {@code [udp (len)]}. */
    private String quoted() {
        expectPunct('[', "before the quoted segment");
        String out;
        if (peek().is(Kind.WORD) && peek().text().equals("udp")) {
            take();
            expectPunct('(', "before the quoted UDP length");
            out = "[udp (" + integer("quoted UDP length") + ")]";
            expectPunct(')', "after the quoted UDP length");
        } else {
            long start = unsigned32("quoted start");
            expectPunct(':', "in the quoted segment");
            long end = unsigned32("quoted end");
            expectPunct('(', "in the quoted segment");
            long len = integer("quoted length");
            expectPunct(')', "in the quoted segment");
            out = "[" + start + ":" + end + "(" + len + ")]";
        }
        expectPunct(']', "after the quoted segment");
        return out;
    }

    private Script.Packet packet() {
        Token dir = take();
        boolean inbound = dir.isPunct('<');
        Token what = peek();
        if (what.is(Kind.WORD) && Set.of("udplite", "gre", "mpls").contains(what.text())) {
            throw new ScriptUnsupportedException(what.line(), what.text() + " packet lines are not supported");
        }
        Script.IpInfo ip = Script.IpInfo.NONE;
        if (peek().isPunct('[') || peek().isPunct('(')) {
            ip = ipInfo();
        }
        int sport = -1;
        int dport = -1;
        if (peek().is(Kind.INTEGER) && peek(1).isPunct('>')) {
            sport = bounded("source port", 65535);
            take();
            dport = bounded("destination port", 65535);
        }
        Token flagsAt = peek();
        StringBuilder flagText = new StringBuilder();
        int flags = flags(flagText);
        long start = unsigned32("start sequence number");
        expectPunct(':', "between start and end sequence numbers");
        Token endAt = peek();
        long end = unsigned32("end sequence number");
        expectPunct('(', "before the payload length");
        int len = bounded("payload length", 65535);
        expectPunct(')', "after the payload length");
        if (((start + len) & 0xFFFF_FFFFL) != end) {
            throw error(endAt, "end sequence number " + end + " is not start " + start + " + length " + len);
        }
        long ack = 0;
        int win = -1;
        int urg = 0;
        List<TcpOption> options = null;
        boolean anyOptions = false;
        while (true) {
            Token t = peek();
            if (t.is(Kind.WORD) && PACKET_KEYWORDS.contains(t.text())) {
                take();
                switch (t.text()) {
                    case "ack" -> ack = unsigned32("ack");
                    case "win" -> win = bounded("window", 65535);
                    default -> urg = bounded("urgent pointer", 65535);
                }
            } else if (t.isPunct('<') && options == null && !anyOptions) {
                take();
                if (peek().is(Kind.ELLIPSIS)) {
                    take();
                    anyOptions = true;
                } else {
                    options = tcpOptions();
                }
                expectPunct('>', "at the end of the option list");
            } else {
                break;
            }
        }
        if (inbound && win < 0) {
            throw error(flagsAt, "an inbound packet must give its window ('win N')");
        }
        if (inbound && anyOptions) {
            throw error(flagsAt, "'<...>' (options not checked) is only allowed on outbound packets");
        }
        return new Script.Packet(inbound, ip, sport, dport, flags, flagText.toString(), start, len, ack, win, urg,
                options == null ? null : List.copyOf(options), anyOptions);
    }

    /** The flags: adjacent tokens made of {@code . F S R P E W A U} letters, or {@code -}. */
    private int flags(StringBuilder text) {
        Token first = peek();
        int flags = 0;
        Token prev = null;
        while (true) {
            Token t = peek();
            if (prev != null && t.start() != prev.end()) {
                break;
            }
            if (t.isPunct('.')) {
                flags |= TcpFlags.ACK;
            } else if (t.isPunct('-')) {
                // No flags.
            } else if (t.is(Kind.WORD) && t.text().chars().allMatch(c -> "FSRPEWAU".indexOf(c) >= 0)) {
                for (char c : t.text().toCharArray()) {
                    flags |= switch (c) {
                        case 'F' -> TcpFlags.FIN;
                        case 'S' -> TcpFlags.SYN;
                        case 'R' -> TcpFlags.RST;
                        case 'P' -> TcpFlags.PSH;
                        case 'E' -> TcpFlags.ECE;
                        case 'W' -> TcpFlags.CWR;
                        case 'A' -> TcpFlags.AE;
                        default -> TcpFlags.URG;
                    };
                }
            } else {
                break;
            }
            text.append(t.text());
            prev = take();
        }
        if (prev == null) {
            throw error(first, "expected TCP flags (such as S, S., ., P., F., R, -), found " + first);
        }
        return flags;
    }

    private Script.IpInfo ipInfo() {
        Token open = take();
        char close = open.isPunct('[') ? ']' : ')';
        int tos = -1;
        int ecn = -1;
        int ttl = -1;
        int flow = -1;
        while (!peek().isPunct(close)) {
            Token t = take();
            if (t.is(Kind.EOF)) {
                throw error(open, "unterminated IP information");
            }
            if (t.isPunct(',')) {
                continue;
            }
            String w = t.text().toLowerCase(Locale.ROOT);
            switch (w) {
                case "noecn" -> ecn = 0;
                case "ect1" -> ecn = 1;
                case "ect0" -> ecn = 2;
                case "ce" -> ecn = 3;
                case "ect01" -> throw new ScriptUnsupportedException(t.line(), "ECN codepoint ect01 (either ECT) is not supported");
                case "tos" -> tos = bounded("tos", 255);
                case "ttl" -> ttl = bounded("ttl", 255);
                case "flowlabel" -> flow = bounded("flow label", 0xF_FFFF);
                default -> throw error(t, "unknown IP field " + t + " (expected ect0, ect1, ce, noecn, tos, ttl, flowlabel)");
            }
        }
        take();
        return new Script.IpInfo(tos, ecn, ttl, flow);
    }

    private List<TcpOption> tcpOptions() {
        List<TcpOption> out = new ArrayList<>();
        Token first = peek();
        while (true) {
            Token t = take();
            if (!t.is(Kind.WORD)) {
                throw error(t, "expected a TCP option (nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP, md5), found " + t);
            }
            switch (t.text()) {
                case "nop" -> out.add(new TcpOption.Nop());
                case "eol" -> out.add(new TcpOption.Eol());
                case "mss" -> out.add(new TcpOption.Mss(bounded("mss", 65535)));
                case "wscale" -> out.add(new TcpOption.WindowScale(bounded("wscale", 255)));
                case "sackOK" -> out.add(new TcpOption.SackPermitted());
                case "sack" -> out.add(sackBlocks(t));
                case "TS" -> {
                    Token v = take();
                    if (!v.isWord("val")) {
                        throw error(v, "expected 'val' after TS");
                    }
                    int val = (int) unsigned32("TS val");
                    Token e = take();
                    if (!e.isWord("ecr")) {
                        throw error(e, "expected 'ecr' after the TS value");
                    }
                    int ecr = (int) unsigned32("TS ecr");
                    out.add(new TcpOption.Timestamps(val, ecr));
                }
                case "FO" -> out.add(new TcpOption.Unknown(34, hexCookie()));
                case "FOEXP" -> {
                    byte[] cookie = hexCookie();
                    byte[] data = new byte[2 + cookie.length];
                    data[0] = (byte) 0xF9;
                    data[1] = (byte) 0x89;
                    System.arraycopy(cookie, 0, data, 2, cookie.length);
                    out.add(new TcpOption.Unknown(254, data));
                }
                case "md5" -> {
                    byte[] digest = hexCookie();
                    out.add(new TcpOption.Unknown(19, digest.length == 0 ? new byte[16] : digest));
                }
                default -> throw new ScriptUnsupportedException(t.line(), "TCP option '" + t.text() + "' is not supported");
            }
            if (peek().isPunct(',')) {
                take();
                continue;
            }
            break;
        }
        int length = 0;
        for (TcpOption o : out) {
            length += o.wireLength();
        }
        if (length % 4 != 0) {
            throw error(first, "the options take " + length + " bytes, not a multiple of 4: pad them with nop or eol");
        }
        if (length > 40) {
            throw error(first, "the options take " + length + " bytes; a TCP header holds at most 40");
        }
        return out;
    }

    private TcpOption.Sack sackBlocks(Token at) {
        List<Integer> edges = new ArrayList<>();
        while (peek().is(Kind.INTEGER) && peek(1).isPunct(':')) {
            edges.add((int) unsigned32("SACK left edge"));
            take();
            edges.add((int) unsigned32("SACK right edge"));
        }
        if (edges.isEmpty() || edges.size() > 8) {
            throw error(at, "sack needs 1 to 4 blocks written L:R");
        }
        return new TcpOption.Sack(edges.stream().mapToInt(Integer::intValue).toArray());
    }

    /** An optional hex string (a Fast Open cookie or an MD5 digest). */
    private byte[] hexCookie() {
        Token t = peek();
        if ((t.is(Kind.WORD) || t.is(Kind.INTEGER)) && t.text().matches("[0-9a-fA-F]+")) {
            take();
            String h = t.text();
            if (h.length() % 2 != 0) {
                throw error(t, "hex string " + h + " has an odd number of digits");
            }
            return HexFormat.of().parseHex(h);
        }
        return new byte[0];
    }

    // ---------------------------------------------------------------------------------------------
    // System calls
    // ---------------------------------------------------------------------------------------------

    private Script.Syscall syscall() {
        String name = take().text();
        expectPunct('(', "after the system call name");
        List<Expr> args = new ArrayList<>();
        if (!peek().isPunct(')')) {
            args.add(expr());
            while (peek().isPunct(',')) {
                take();
                args.add(expr());
            }
        }
        expectPunct(')', "after the arguments of " + name);
        Token eq = take();
        if (!eq.isPunct('=')) {
            throw error(eq, "expected '= result' after " + name + "(...), found " + eq);
        }
        long result = integer("the result of " + name);
        String errno = null;
        if (peek().is(Kind.WORD) && peek().text().startsWith("E")) {
            errno = take().text();
        }
        if (peek().isPunct('(')) {
            skipBalanced();
        }
        return new Script.Syscall(name, List.copyOf(args), result, errno);
    }

    private void skipBalanced() {
        Token open = take();
        int depth = 1;
        while (depth > 0) {
            Token t = take();
            if (t.is(Kind.EOF)) {
                throw error(open, "unterminated '(' note");
            }
            if (t.isPunct('(')) {
                depth++;
            } else if (t.isPunct(')')) {
                depth--;
            }
        }
    }

    private Expr expr() {
        Expr first = term();
        if (!peek().isPunct('|')) {
            return first;
        }
        List<Expr> terms = new ArrayList<>();
        terms.add(first);
        while (peek().isPunct('|')) {
            take();
            terms.add(term());
        }
        return new Expr.Or(List.copyOf(terms));
    }

    private Expr term() {
        Token t = take();
        switch (t.kind()) {
            case INTEGER, HEX -> {
                return new Expr.Num(literal(t));
            }
            case STRING -> {
                return new Expr.Str(t.text());
            }
            case IPV4 -> {
                return new Expr.Str(t.text());
            }
            case ELLIPSIS -> {
                return new Expr.Ellipsis();
            }
            case WORD -> {
                if (peek().isPunct('(')) {
                    take();
                    List<Expr> args = new ArrayList<>();
                    if (!peek().isPunct(')')) {
                        args.add(expr());
                        while (peek().isPunct(',')) {
                            take();
                            args.add(expr());
                        }
                    }
                    expectPunct(')', "after the arguments of " + t.text());
                    return new Expr.Call(t.text(), List.copyOf(args));
                }
                return new Expr.Sym(t.text());
            }
            default -> {
            }
        }
        if (t.isPunct('[')) {
            List<Expr> items = new ArrayList<>();
            if (!peek().isPunct(']')) {
                items.add(expr());
                while (peek().isPunct(',')) {
                    take();
                    items.add(expr());
                }
            }
            expectPunct(']', "at the end of the array");
            return new Expr.Array(List.copyOf(items));
        }
        if (t.isPunct('{')) {
            Map<String, Expr> fields = new LinkedHashMap<>();
            if (!peek().isPunct('}') && !(peek().is(Kind.WORD) && (peek(1).isPunct('=') || peek(1).isPunct('(')))) {
                // packetdrill's iovec: {base, len} by position, as in [{..., 1000}].
                fields.put("iov_base", expr());
                expectPunct(',', "between iov_base and iov_len in {base, len}");
                fields.put("iov_len", expr());
                expectPunct('}', "at the end of the iovec");
                return new Expr.Struct(fields);
            }
            if (!peek().isPunct('}')) {
                do {
                    if (peek().isPunct(',')) {
                        take();
                    }
                    Token f = take();
                    if (!f.is(Kind.WORD)) {
                        throw error(f, "expected a field name in {...}, found " + f);
                    }
                    if (peek().isPunct('(')) {
                        skipBalanced();
                    }
                    expectPunct('=', "after field " + f.text());
                    fields.put(f.text(), expr());
                } while (peek().isPunct(','));
            }
            expectPunct('}', "at the end of the structure");
            return new Expr.Struct(fields);
        }
        throw error(t, "expected an argument, found " + t);
    }
}
