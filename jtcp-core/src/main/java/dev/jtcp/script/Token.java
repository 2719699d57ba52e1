package dev.jtcp.script;

/**
 * One lexical token of a script, with where it starts (line and column, 1-based) and its character
 * offsets, so the parser can tell adjacent tokens ({@code S.}) from separated ones ({@code S .}).
 *
 * @param text the token's text; for STRING, BACKQUOTED and CODE the contents without delimiters
 */
record Token(Kind kind, String text, int line, int column, int start, int end) {
    enum Kind {
        /** {@code -?[0-9]+}. */
        INTEGER,
        /** {@code -?[0-9]*\.[0-9]+}. */
        FLOAT,
        /** {@code 0x[0-9a-fA-F]+}. */
        HEX,
        /** {@code [A-Za-z0-9_]+} that is not all digits. */
        WORD,
        /** {@code "..."}. */
        STRING,
        /** {@code `...`}, a shell command. */
        BACKQUOTED,
        /** {@code %{ ... }%}, a code block. */
        CODE,
        /** {@code ...}. */
        ELLIPSIS,
        /** A dotted-quad IPv4 literal. */
        IPV4,
        /** {@code --name} or {@code --name=value}. */
        OPTION,
        /** Any other single character. */
        PUNCT,
        EOF
    }

    boolean is(Kind k) {
        return kind == k;
    }

    boolean isPunct(char c) {
        return kind == Kind.PUNCT && text.length() == 1 && text.charAt(0) == c;
    }

    boolean isWord(String w) {
        return kind == Kind.WORD && text.equals(w);
    }

    /** Whether this token is a number a time or a count can be made of. */
    boolean isNumber() {
        return kind == Kind.INTEGER || kind == Kind.FLOAT || kind == Kind.HEX;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case EOF -> "end of script";
            case STRING -> "\"" + text + "\"";
            case BACKQUOTED -> "`" + text + "`";
            case CODE -> "%{ ... }%";
            default -> "'" + text + "'";
        };
    }
}
