package dev.jtcp.script;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The stack a script runs against, seen by the {@link Interpreter}: a clock, a way to inject
 * packets, the queue of packets the stack sent, system calls, a TCP_INFO-like snapshot and shell
 * commands. {@link JtcpTarget} runs jtcp in-process on virtual time; {@link LinuxTarget} runs the
 * Linux kernel in a private network namespace on real time.
 */
interface Target extends AutoCloseable {
    /** The name {@code #ifdef} sees as defined: {@code jtcp} or {@code linux}. */
    String osName();

    /** Script time in microseconds since the script started. */
    long nowUs();

    /** The script's time 0 is now: called after the init command, before the first event. */
    void startClock();

    /**
     * How late, beyond the tolerance, an event may start before it is a timing error: 0 on virtual
     * time; on real time the latency of learning what the stack did (a few milliseconds).
     */
    long startSlackUs();

    /**
     * Lets the stack run until {@code untilUs}, or until {@code stop} holds (checked after anything
     * the stack does: timers, packets, calls that complete). Never moves the clock back.
     */
    void runUntil(long untilUs, BooleanSupplier stop);

    /** Hands an IP packet to the stack now. */
    void inject(byte[] packet);

    /** Packets the stack sent, oldest first; the interpreter takes them off the front. */
    ArrayDeque<LivePacket> sent();

    /**
     * Whether the stack's segments are the wire pieces of larger packets it built (TSO/GSO cut by a
     * device without offloads): a TSO-style line then takes PSH from any piece, since the kernel's
     * packet boundaries are not the script's. False for jtcp, whose segments are its packets.
     */
    default boolean segmentsAreGsoPieces() {
        return false;
    }

    /** {@code ip tcp_metrics flush}: forget what the stack cached per destination (Fast Open cookies). */
    /** Runs {@code nstat}: the lines of the counters that grew since it last ran; resets the history. */
    default java.util.List<String> nstat() {
        return java.util.List.of();
    }

    default void flushTcpMetrics() {
    }

    /** Starts a system call now; it may complete at once or later (a blocking call). */
    PendingCall call(SocketCall call);

    /**
     * The {@code tcpi_*} values of the connection under test (Linux {@code struct tcp_info} field
     * names); fields the target cannot provide are absent.
     */
    Map<String, Long> tcpInfo(Endpoints ends);

    /**
     * Applies a sysctl setting; returns null, or a caveat when the stack cannot honour a baseline
     * setting (see {@link Sysctls}).
     */
    String apply(Shell.Setting setting, int line);

    /**
     * Creates ({@code bytes} zero bytes) or removes ({@code bytes} -1) a file the script's
     * {@code open}/{@code sendfile} calls use; by default files are not supported.
     */
    default void writeFile(String path, long bytes, int line) {
        throw new ScriptUnsupportedException(line, "files for sendfile() are emulated on jtcp only (`rm`, `dd` of "
                + path + ")");
    }

    /** Whether the socket listing of the pipeline selects a line (see {@link StateChecks}). */
    boolean stateCheck(StateChecks.Check check, int line);

    /** The last few things the stack traced, one line each, for failure messages. */
    List<String> recentTrace();

    @Override
    void close();
}
