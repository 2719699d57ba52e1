package dev.jtcp.script;

/**
 * The stack did not do what a script line says: the line, what was expected, what happened. The
 * interpreter adds the last trace events before reporting it.
 */
final class ScriptFailure extends RuntimeException {
    private final int line;

    ScriptFailure(int line, String message) {
        super(message, null, false, false);
        this.line = line;
    }

    int line() {
        return line;
    }
}
