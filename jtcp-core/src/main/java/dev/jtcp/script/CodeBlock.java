package dev.jtcp.script;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The subset of packetdrill's {@code %{ python }%} blocks that checks a connection:
 * {@code assert EXPR[, MESSAGE]} statements (one per line or separated by {@code ;}), where EXPR is
 * built from integers, {@code tcpi_*} fields, {@code TCPI_*} state names, arithmetic ({@code + - * /
 * // %}), comparisons (chainable, as in Python), {@code and}, {@code or}, {@code not} and
 * parentheses; and {@code NAME = EXPR} assignments of integers. Anything else is unsupported: the
 * script is skipped, never passed.
 *
 * <p>Each {@code assert} is evaluated against the snapshot taken when the block's event runs.
 */
final class CodeBlock {
    /** {@code NAME = EXPR}: a Python name other than tcpi_*, a single '='. */
    private static final java.util.regex.Pattern ASSIGNMENT =
            java.util.regex.Pattern.compile("(?!tcpi_)([A-Za-z_][A-Za-z0-9_]*)\\s*=(?!=)\\s*(.+)");
    private final String text;
    private final int line;
    private final Function<String, Long> names;
    private List<String> tokens;
    private int i;

    private CodeBlock(String text, int line, Function<String, Long> names) {
        this.text = text;
        this.line = line;
        this.names = names;
    }

    /**
     * Evaluates every assertion; returns the first that failed, as a message, or null when all hold.
     *
     * @param names resolves {@code tcpi_*} and constant names; null means unknown (unsupported)
     */
    static String check(String code, int line, Function<String, Long> names) {
        return check(code, line, names, new java.util.HashMap<>());
    }

    /**
     * As {@link #check(String, int, Function)}, with Python's simple assignment too: {@code NAME =
     * EXPR} stores an integer in {@code variables}, which later expressions (of this block and, when
     * the caller keeps the map, of the script's later blocks) read before any other name.
     */
    static String check(String code, int line, Function<String, Long> names, Map<String, Long> variables) {
        Function<String, Long> scoped = n -> variables.containsKey(n) ? variables.get(n) : names.apply(n);
        // Python's explicit line joining: a backslash at the end of a line continues it.
        for (String raw : code.replaceAll("\\\\(\\s|$)", " ").split("[\n;]")) {
            String stmt = raw.strip();
            if (stmt.isEmpty() || stmt.startsWith("#")) {
                continue;
            }
            java.util.regex.Matcher m = ASSIGNMENT.matcher(stmt);
            if (m.matches()) {
                CodeBlock b = new CodeBlock(m.group(2), line, scoped);
                b.tokens = tokenize(m.group(2));
                long v = b.or();
                if (b.i != b.tokens.size()) {
                    throw b.unsupported("unexpected '" + b.tokens.get(b.i) + "'");
                }
                variables.put(m.group(1), v);
                continue;
            }
            if (stmt.startsWith("print(") && stmt.endsWith(")")) {
                // Python's print: its arguments must evaluate (an unknown name skips the script, as in
                // an assert); what it would print is not part of the script's result.
                String args = stmt.substring(6, stmt.length() - 1);
                CodeBlock b = new CodeBlock(args, line, scoped);
                b.tokens = tokenize(args);
                b.or();
                while (b.i < b.tokens.size() && b.tokens.get(b.i).equals(",")) {
                    b.i++;
                    b.or();
                }
                if (b.i != b.tokens.size()) {
                    throw b.unsupported("unexpected '" + b.tokens.get(b.i) + "'");
                }
                continue;
            }
            if (!stmt.startsWith("assert ")) {
                throw new ScriptUnsupportedException(line,
                        "code '" + stmt + "' is not supported (only 'assert EXPR', 'NAME = EXPR' and 'print(EXPR, ...)' are)");
            }
            CodeBlock b = new CodeBlock(stmt.substring(7), line, scoped);
            String failed = b.assertion();
            if (failed != null) {
                return failed;
            }
        }
        return null;
    }

    private String assertion() {
        tokens = tokenize(text);
        i = 0;
        long value = or();
        String message = null;
        if (i < tokens.size() && tokens.get(i).equals(",")) {
            i++;
            int from = i;
            i = tokens.size();
            message = String.join(" ", tokens.subList(from, tokens.size()));
        }
        if (i != tokens.size()) {
            throw unsupported("unexpected '" + tokens.get(i) + "'");
        }
        if (value != 0) {
            return null;
        }
        return "assert " + text.strip() + " failed" + (message != null ? " (" + describe(message) + ")" : "")
                + " with " + values();
    }

    /** The message part of an assert: an expression if it evaluates, else the text. */
    private String describe(String message) {
        try {
            CodeBlock m = new CodeBlock(message, line, names);
            m.tokens = tokenize(message);
            return message + " = " + m.or();
        } catch (RuntimeException e) {
            return message;
        }
    }

    /** The names the expression mentions, with their values. */
    private String values() {
        List<String> parts = new ArrayList<>();
        for (String t : tokenize(text)) {
            if (t.startsWith("tcpi_") && !parts.contains(t + "=" + names.apply(t))) {
                parts.add(t + "=" + names.apply(t));
            }
        }
        return parts.isEmpty() ? "no tcpi values" : String.join(", ", parts);
    }

    private ScriptUnsupportedException unsupported(String why) {
        return new ScriptUnsupportedException(line, "code '" + text.strip() + "': " + why);
    }

    private static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int k = 0;
        while (k < s.length()) {
            char c = s.charAt(k);
            if (Character.isWhitespace(c)) {
                k++;
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                int start = k;
                while (k < s.length() && (Character.isLetterOrDigit(s.charAt(k)) || s.charAt(k) == '_')) {
                    k++;
                }
                out.add(s.substring(start, k));
            } else {
                String two = k + 1 < s.length() ? s.substring(k, k + 2) : "";
                if (List.of("==", "!=", "<=", ">=", "//", "<<", ">>").contains(two)) {
                    out.add(two);
                    k += 2;
                } else {
                    out.add(String.valueOf(c));
                    k++;
                }
            }
        }
        return out;
    }

    private String peek() {
        return i < tokens.size() ? tokens.get(i) : "";
    }

    private long or() {
        long v = and();
        while (peek().equals("or")) {
            i++;
            long r = and();
            v = v != 0 || r != 0 ? 1 : 0;
        }
        return v;
    }

    private long and() {
        long v = not();
        while (peek().equals("and")) {
            i++;
            long r = not();
            v = v != 0 && r != 0 ? 1 : 0;
        }
        return v;
    }

    private long not() {
        if (peek().equals("not")) {
            i++;
            return not() == 0 ? 1 : 0;
        }
        return comparison();
    }

    private long comparison() {
        long left = bitOr();
        boolean result = true;
        boolean any = false;
        while (List.of("==", "!=", "<", "<=", ">", ">=").contains(peek())) {
            String op = tokens.get(i++);
            long right = bitOr();
            boolean r = switch (op) {
                case "==" -> left == right;
                case "!=" -> left != right;
                case "<" -> left < right;
                case "<=" -> left <= right;
                case ">" -> left > right;
                default -> left >= right;
            };
            result &= r;
            any = true;
            left = right;
        }
        return any ? (result ? 1 : 0) : left;
    }

    /** Python's bitwise operators, binding tighter than comparisons and looser than sums: |, ^, &, <<, >>. */
    private long bitOr() {
        long v = bitXor();
        while (peek().equals("|")) {
            i++;
            v |= bitXor();
        }
        return v;
    }

    private long bitXor() {
        long v = bitAnd();
        while (peek().equals("^")) {
            i++;
            v ^= bitAnd();
        }
        return v;
    }

    private long bitAnd() {
        long v = shift();
        while (peek().equals("&")) {
            i++;
            v &= shift();
        }
        return v;
    }

    private long shift() {
        long v = sum();
        while (peek().equals("<<") || peek().equals(">>")) {
            String op = tokens.get(i++);
            long r = sum();
            if (r < 0 || r > 63) {
                throw unsupported("shift by " + r);
            }
            v = op.equals("<<") ? v << r : v >> r;
        }
        return v;
    }

    private long sum() {
        long v = product();
        while (peek().equals("+") || peek().equals("-")) {
            String op = tokens.get(i++);
            long r = product();
            v = op.equals("+") ? v + r : v - r;
        }
        return v;
    }

    private long product() {
        long v = unary();
        while (List.of("*", "/", "//", "%").contains(peek())) {
            String op = tokens.get(i++);
            long r = unary();
            if (!op.equals("*") && r == 0) {
                throw unsupported("division by zero");
            }
            v = switch (op) {
                case "*" -> v * r;
                case "%" -> Math.floorMod(v, r);
                default -> Math.floorDiv(v, r);
            };
        }
        return v;
    }

    private long unary() {
        if (peek().equals("-")) {
            i++;
            return -unary();
        }
        return atom();
    }

    private long atom() {
        String t = peek();
        if (t.isEmpty()) {
            throw unsupported("expression ends early");
        }
        i++;
        if (t.equals("(")) {
            long v = or();
            if (!peek().equals(")")) {
                throw unsupported("missing ')'");
            }
            i++;
            return v;
        }
        if (t.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(t);
        }
        if (t.startsWith("0x") && t.length() > 2) {
            return Long.parseLong(t.substring(2), 16);
        }
        if (t.equals("True")) {
            return 1;
        }
        if (t.equals("False")) {
            return 0;
        }
        Long v = names.apply(t);
        if (v == null) {
            throw unsupported("'" + t + "' is not available" + (t.startsWith("tcpi_") ? " on this stack" : ""));
        }
        return v;
    }

    /** Name resolution over a tcpi snapshot and the state constants. */
    static Function<String, Long> names(Map<String, Long> tcpi) {
        return n -> tcpi.containsKey(n) ? tcpi.get(n) : TcpInfo.stateConstant(n);
    }
}
