package dev.jtcp.cli;

/** The command's exit codes (sysexits.h where one fits). */
final class ExitCodes {
    static final int OK = 0;
    /** Something failed: connection refused or reset, bad response, I/O error. */
    static final int FAILURE = 1;
    /** Bad command line (picocli's own code). */
    static final int USAGE = 2;
    /** Not allowed to create the TUN device: not root and no CAP_NET_ADMIN (EX_NOPERM). */
    static final int NO_PERMISSION = 77;

    /** Ended by Ctrl-C (128 + SIGINT); after SIGTERM the JVM itself exits 143. */
    static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}
