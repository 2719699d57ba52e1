package dev.jtcp.script;

/**
 * The script uses something this runner (or the target stack) does not support: an ICMP packet line,
 * an unknown shell command, a socket option with no jtcp equivalent. The script is then skipped
 * with this reason, never passed silently.
 */
public final class ScriptUnsupportedException extends RuntimeException {
    private final int line;

    public ScriptUnsupportedException(int line, String message) {
        super(message);
        this.line = line;
    }

    /** The script line, or 0 when the whole script is concerned. */
    public int line() {
        return line;
    }
}
