package dev.jtcp.script;

import java.util.List;

/**
 * How one script ended.
 *
 * @param name         the script (its path as given)
 * @param message      why it failed or was skipped, or the expected-failure reason; empty on a pass
 * @param requirements the RFC 9293 requirement IDs the script declares
 * @param wallNanos    real time the run took
 * @param scriptUs     script time at the end (virtual time in-process)
 * @param notes        commands run as no-ops and suite settings the stack does not honour
 */
public record ScriptResult(String name, Outcome outcome, String message, List<String> requirements, long wallNanos,
                           long scriptUs, List<String> notes) {

    public ScriptResult(String name, Outcome outcome, String message, List<String> requirements, long wallNanos,
                        long scriptUs) {
        this(name, outcome, message, requirements, wallNanos, scriptUs, List.of());
    }

    /** The five ways a script can end. */
    public enum Outcome {
        PASSED,
        FAILED,
        /** Uses something unsupported; the message says what. */
        SKIPPED,
        /** Failed as its {@code xfail} (or, against Linux, {@code linux-differs}) directive says it would. */
        XFAILED,
        /** Declared {@code xfail} but passed: the directive is stale, which fails the run. */
        XPASSED;

        /** Whether this outcome fails a run. */
        public boolean isFailure() {
            return this == FAILED || this == XPASSED;
        }
    }
}
