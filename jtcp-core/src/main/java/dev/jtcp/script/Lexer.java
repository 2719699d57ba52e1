package dev.jtcp.script;

import dev.jtcp.script.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns script text into tokens (packetdrill's lexical rules: whitespace and newlines are
 * insignificant, {@code //} and {@code /* *}{@code /} comments, numbers, words, strings, backquoted
 * commands, {@code %{ }%} code, {@code ...}, IPv4 literals, {@code --options}; any other character is
 * a token of its own).
 *
 * <p>Two steps come first: {@code #ifdef NAME} ... {@code #endif} blocks are kept or blanked (one
 * level, no {@code #else}; line numbers are preserved), and after lexing every WORD equal to a
 * {@code -D} symbol is replaced by the tokens of its value.
 *
 * <p>Not thread-safe; one lexer per text.
 */
final class Lexer {
    private final String src;
    private int pos;
    private int line = 1;
    private int lineStart;

    private Lexer(String src) {
        this.src = src;
    }

    /**
     * Tokens of {@code text}, ending with an EOF token.
     *
     * @param defines symbols from {@code -D NAME=value} (value may be empty for {@code -D NAME})
     * @param defined names {@code #ifdef} treats as defined besides the symbols (the stack's OS name)
     */
    static List<Token> tokenize(String text, Map<String, String> defines, Set<String> defined) {
        String kept = preprocess(text, defines, defined);
        List<Token> raw = new Lexer(kept).all();
        if (defines.isEmpty()) {
            return raw;
        }
        List<Token> out = new ArrayList<>(raw.size());
        for (Token t : raw) {
            String value = t.is(Kind.WORD) ? defines.get(t.text()) : null;
            if (value == null || value.isEmpty()) {
                out.add(t);
                continue;
            }
            for (Token v : new Lexer(value).all()) {
                if (!v.is(Kind.EOF)) {
                    out.add(new Token(v.kind(), v.text(), t.line(), t.column(), t.start(), t.end()));
                }
            }
        }
        return out;
    }

    /** Applies {@code #ifdef}/{@code #endif}; excluded lines and the directives become empty lines. */
    static String preprocess(String text, Map<String, String> defines, Set<String> defined) {
        String[] lines = text.split("\n", -1);
        StringBuilder sb = new StringBuilder(text.length());
        int openLine = 0;
        boolean keep = true;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            String t = l.strip();
            if (t.startsWith("#ifdef")) {
                if (openLine != 0) {
                    throw new ScriptSyntaxException(i + 1, 1, "nested #ifdef (the one at line " + openLine
                            + " is still open); only one level is supported");
                }
                String name = t.substring("#ifdef".length()).strip();
                if (name.isEmpty()) {
                    throw new ScriptSyntaxException(i + 1, 1, "#ifdef needs a name");
                }
                openLine = i + 1;
                keep = defines.containsKey(name) || defined.contains(name);
                l = "";
            } else if (t.startsWith("#endif")) {
                if (openLine == 0) {
                    throw new ScriptSyntaxException(i + 1, 1, "#endif without #ifdef");
                }
                openLine = 0;
                keep = true;
                l = "";
            } else if (t.startsWith("#else") || t.startsWith("#ifndef") || t.startsWith("#if ")) {
                throw new ScriptSyntaxException(i + 1, 1, t.split("\\s")[0] + " is not supported (only #ifdef and #endif)");
            } else if (!keep) {
                l = "";
            }
            sb.append(l);
            if (i < lines.length - 1) {
                sb.append('\n');
            }
        }
        if (openLine != 0) {
            throw new ScriptSyntaxException(openLine, 1, "#ifdef without #endif");
        }
        return sb.toString();
    }

    private List<Token> all() {
        List<Token> out = new ArrayList<>();
        while (true) {
            Token t = next();
            out.add(t);
            if (t.is(Kind.EOF)) {
                return out;
            }
        }
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < src.length() ? src.charAt(i) : '\0';
    }

    private void skipSpaceAndComments() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '\n') {
                pos++;
                line++;
                lineStart = pos;
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '/' && peek(1) == '/') {
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == '/' && peek(1) == '*') {
                int startLine = line;
                int startCol = pos - lineStart + 1;
                pos += 2;
                while (pos < src.length() && !(src.charAt(pos) == '*' && peek(1) == '/')) {
                    advanceOne();
                }
                if (pos >= src.length()) {
                    throw new ScriptSyntaxException(startLine, startCol, "unterminated /* comment");
                }
                pos += 2;
            } else {
                return;
            }
        }
    }

    private void advanceOne() {
        if (src.charAt(pos) == '\n') {
            line++;
            lineStart = pos + 1;
        }
        pos++;
    }

    private Token next() {
        skipSpaceAndComments();
        int start = pos;
        int tokLine = line;
        int col = pos - lineStart + 1;
        if (pos >= src.length()) {
            return new Token(Kind.EOF, "", tokLine, col, pos, pos);
        }
        char c = src.charAt(pos);
        if (c == '%' && peek(1) == '{') {
            int close = src.indexOf("}%", pos + 2);
            if (close < 0) {
                throw new ScriptSyntaxException(tokLine, col, "unterminated %{ code block");
            }
            String body = src.substring(pos + 2, close).strip();
            while (pos < close + 2) {
                advanceOne();
            }
            return new Token(Kind.CODE, body, tokLine, col, start, pos);
        }
        if (c == '`' || c == '"') {
            return quoted(c, tokLine, col, start);
        }
        if (c == '.' && peek(1) == '.' && peek(2) == '.') {
            pos += 3;
            return new Token(Kind.ELLIPSIS, "...", tokLine, col, start, pos);
        }
        if (c == '-' && peek(1) == '-' && Character.isLetter(peek(2))) {
            while (pos < src.length() && !Character.isWhitespace(src.charAt(pos))) {
                pos++;
            }
            return new Token(Kind.OPTION, src.substring(start, pos), tokLine, col, start, pos);
        }
        boolean negative = c == '-' && (isDigit(peek(1)) || (peek(1) == '.' && isDigit(peek(2))));
        if (negative) {
            pos++;
            c = src.charAt(pos);
        }
        if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
            return number(start, tokLine, col);
        }
        if (isWordChar(c)) {
            while (pos < src.length() && isWordChar(src.charAt(pos))) {
                pos++;
            }
            return new Token(Kind.WORD, src.substring(start, pos), tokLine, col, start, pos);
        }
        pos++;
        return new Token(Kind.PUNCT, String.valueOf(c), tokLine, col, start, pos);
    }

    /** A number starting at {@code pos} (after any minus sign at {@code start}). */
    private Token number(int start, int tokLine, int col) {
        if (src.charAt(pos) == '0' && (peek(1) == 'x' || peek(1) == 'X') && isHexDigit(peek(2))) {
            pos += 2;
            while (pos < src.length() && isHexDigit(src.charAt(pos))) {
                pos++;
            }
            if (pos < src.length() && isWordChar(src.charAt(pos))) {
                return restOfWord(start, tokLine, col);
            }
            return new Token(Kind.HEX, src.substring(start, pos), tokLine, col, start, pos);
        }
        while (pos < src.length() && isDigit(src.charAt(pos))) {
            pos++;
        }
        if (pos < src.length() && isWordChar(src.charAt(pos))) {
            return restOfWord(start, tokLine, col);
        }
        if (peek(0) == '.' && isDigit(peek(1))) {
            pos++;
            while (pos < src.length() && isDigit(src.charAt(pos))) {
                pos++;
            }
            if (peek(0) == '.' && isDigit(peek(1))) {
                // A dotted quad: two more groups.
                for (int g = 0; g < 2; g++) {
                    if (peek(0) != '.' || !isDigit(peek(1))) {
                        throw new ScriptSyntaxException(tokLine, col, "malformed IPv4 address "
                                + src.substring(start, pos));
                    }
                    pos++;
                    while (pos < src.length() && isDigit(src.charAt(pos))) {
                        pos++;
                    }
                }
                return new Token(Kind.IPV4, src.substring(start, pos), tokLine, col, start, pos);
            }
            return new Token(Kind.FLOAT, src.substring(start, pos), tokLine, col, start, pos);
        }
        return new Token(Kind.INTEGER, src.substring(start, pos), tokLine, col, start, pos);
    }

    private Token restOfWord(int start, int tokLine, int col) {
        while (pos < src.length() && isWordChar(src.charAt(pos))) {
            pos++;
        }
        return new Token(Kind.WORD, src.substring(start, pos), tokLine, col, start, pos);
    }

    private Token quoted(char q, int tokLine, int col, int start) {
        StringBuilder sb = new StringBuilder();
        advanceOne();
        while (pos < src.length() && src.charAt(pos) != q) {
            char ch = src.charAt(pos);
            if (q == '"' && ch == '\\' && pos + 1 < src.length()) {
                char e = src.charAt(pos + 1);
                if (e == 'x' && pos + 2 < src.length() && Character.digit(src.charAt(pos + 2), 16) >= 0) {
                    // \xHH: one byte (packetdrill's byte strings, e.g. a TCP_FASTOPEN_KEY).
                    int end = pos + 2;
                    int v = 0;
                    while (end < src.length() && end < pos + 4 && Character.digit(src.charAt(end), 16) >= 0) {
                        v = v * 16 + Character.digit(src.charAt(end), 16);
                        end++;
                    }
                    sb.append((char) v);
                    pos = end;
                    continue;
                }
                sb.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case '0' -> '\0';
                    default -> e;
                });
                pos += 2;
                continue;
            }
            sb.append(ch);
            advanceOne();
        }
        if (pos >= src.length()) {
            throw new ScriptSyntaxException(tokLine, col, "unterminated " + (q == '"' ? "string" : "backquoted command"));
        }
        pos++;
        return new Token(q == '"' ? Kind.STRING : Kind.BACKQUOTED, sb.toString(), tokLine, col, start, pos);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_';
    }
}
