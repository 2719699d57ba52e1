package dev.jtcp.cli;

/**
 * Ctrl-C and SIGTERM: the JVM runs its shutdown hooks, which close the stack (peers see resets)
 * and so the TUN device (the interface disappears). Everything that then fails because the stack
 * is gone (a blocked accept, a read) asks {@link #inProgress()} and ends quietly instead of
 * reporting an error; the process exits with the signal's status (130 or 143).
 *
 * <p>Thread-safety: safe from any thread.
 */
final class Shutdown {
    private static volatile boolean inProgress;

    private Shutdown() {
    }

    /** Runs {@code action} when the JVM shuts down, after marking the shutdown as begun. */
    static void onExit(String name, Runnable action) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            inProgress = true;
            action.run();
        }, name));
    }

    /** Whether the JVM is shutting down (a signal, or the end of main). */
    static boolean inProgress() {
        return inProgress;
    }
}
