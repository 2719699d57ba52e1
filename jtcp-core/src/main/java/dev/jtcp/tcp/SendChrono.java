package dev.jtcp.tcp;

/**
 * Linux's send chronographs ({@code tcp_chrono_start}, {@code tcp_chrono_stop}; TCP_INFO's {@code
 * tcpi_busy_time}, {@code tcpi_rwnd_limited}, {@code tcpi_sndbuf_limited}): how long the connection
 * had data to send, and how much of that time the peer's window or the send buffer held it back.
 *
 * <p>One chronograph runs at a time, the most interesting condition winning ({@link #SNDBUF_LIMITED}
 * over {@link #RWND_LIMITED} over {@link #BUSY}); a condition that ends hands back to BUSY while
 * data is queued, else stops the clock. Busy time is the sum of all three. Updated on state changes
 * only: a write into empty queues, the end of a send loop, an ACK that empties the queues.
 *
 * <p>Not thread-safe: one per connection, driven by the thread that runs its host. No allocation
 * after construction.
 */
final class SendChrono {
    static final int NONE = 0;
    /** Data is queued (written and not yet acknowledged). */
    static final int BUSY = 1;
    /** The send loop stopped because the peer's window had no room for the next segment. */
    static final int RWND_LIMITED = 2;
    /** A write found the send buffer full. */
    static final int SNDBUF_LIMITED = 3;

    /** The chronograph running now, {@link #NONE} to {@link #SNDBUF_LIMITED}. */
    private int type;
    /** When {@link #type} started, ns. */
    private long startNs;
    /** Time accounted to each type so far, ns (index: the type). */
    private final long[] totalNs = new long[4];

    /** {@code tcp_chrono_start}: {@code t} runs from now if it is more interesting than the current one. */
    void start(long nowNs, int t) {
        if (t > type) {
            set(nowNs, t);
        }
    }

    /** {@code tcp_chrono_stop}: {@code t} ended; BUSY again while {@code queued}, else nothing runs. */
    void stop(long nowNs, int t, boolean queued) {
        if (!queued) {
            set(nowNs, NONE);
        } else if (t == type) {
            set(nowNs, BUSY);
        }
    }

    private void set(long nowNs, int t) {
        if (type != NONE) {
            totalNs[type] += nowNs - startNs;
        }
        type = t;
        startNs = nowNs;
    }

    /** Time spent in {@code t} up to {@code nowNs}, ns. */
    long timeNs(int t, long nowNs) {
        return totalNs[t] + (t == type && type != NONE ? nowNs - startNs : 0);
    }

    /** The chronograph running now. */
    int type() {
        return type;
    }

    /** {@code tcpi_busy_time}: all time with data queued, limited or not, ns. */
    long busyNs(long nowNs) {
        return timeNs(BUSY, nowNs) + timeNs(RWND_LIMITED, nowNs) + timeNs(SNDBUF_LIMITED, nowNs);
    }
}
