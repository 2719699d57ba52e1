package dev.jtcp.script;

/** A script that does not follow the language: where (line and column) and what was wrong. */
public final class ScriptSyntaxException extends RuntimeException {
    private final int line;

    ScriptSyntaxException(int line, int column, String message) {
        super("line " + line + (column > 0 ? ":" + column : "") + ": " + message);
        this.line = line;
    }

    public int line() {
        return line;
    }
}
