package dev.jtcp.script;

/** A script that does not follow the language: where (line and column) and what was wrong. */
public final class ScriptSyntaxException extends RuntimeException {
    private final int line;

    /** An error at a place in the script; line 0 means the script's options as a whole. */
    ScriptSyntaxException(int line, int column, String message) {
        super((line > 0 ? "line " + line + (column > 0 ? ":" + column : "") : "options") + ": " + message);
        this.line = line;
    }

    public int line() {
        return line;
    }
}
