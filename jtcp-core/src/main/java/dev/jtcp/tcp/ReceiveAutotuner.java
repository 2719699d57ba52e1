package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpSegment;

/**
 * Receive-buffer autotuning, after Linux's dynamic right-sizing ({@code tcp_rcv_space_adjust}, from
 * Fisher's DRS): the receive buffer, and so the window we advertise, grows with the rate at which
 * the application reads, so that one connection can fill a long fat path without configuration,
 * while a connection that moves little keeps a small window and a small ring.
 *
 * <p>Two measurements, as in Linux:
 *
 * <ol>
 *   <li>The receiver's RTT estimate ({@code tcp_rcv_rtt_measure}, {@code _ts}): with timestamps,
 *       from the TSecr of arriving data (our clock now minus the TSval it echoes), smoothed by 1/8;
 *       without, the time it takes to receive a window's worth of data (from RCV.NXT to RCV.NXT +
 *       RCV.WND), whose minimum is kept (it is an upper bound on the RTT).
 *   <li>The delivery rate: the bytes the application read in each period of one receiver RTT.
 * </ol>
 *
 * <p>When a period's bytes exceed the largest seen before, the buffer grows to twice them plus 16
 * segments, plus twice the relative growth (the sender may be in slow start and double again):
 * Linux's formula. The buffer never shrinks, and never passes {@link ReceiveBuffer#maxCapacity()}
 * ({@link TcpConfig#receiveBufferMaxBytes()}, Linux's {@code tcp_rmem[2]}, 6 MiB by default); an
 * explicit SO_RCVBUF fixes the size and turns this off. The window scale was chosen at SYN time
 * from that maximum ({@link SynOptions#chooseWindowScale}). Growing changes a number only: the ring
 * grows (one copy per doubling) when data actually fills it ({@link ReceiveBuffer}).
 *
 * <p>Allocated by {@link Receiver} with the first text, so an idle connection pays nothing.
 * Not thread-safe: driven by the one thread that runs its host.
 */
final class ReceiveAutotuner {
    /** Linux's TCP_INIT_CWND: the first period expects ten segments. */
    private static final int INITIAL_SEGMENTS = 10;

    private final Tcb tcb;
    /** The receiver's RTT estimate in ns; 0 before the first sample. */
    private long rttNs;
    /** Without timestamps: a window's-worth measurement is running (from {@link #rttStartNs} to {@link #rttSeq}). */
    private boolean rttMeasuring;
    /** Without timestamps: the RCV.NXT that ends the running measurement. */
    private int rttSeq;
    /** Without timestamps: when the running measurement began. */
    private long rttStartNs;
    /** The most bytes read in one period so far (Linux's {@code rcvq_space.space}); &gt; 0. */
    private int space;
    /** The read sequence (bytes handed to the application) when the current period began. */
    private int periodSeq;
    /** When the current period began. */
    private long periodStartNs;

    ReceiveAutotuner(Tcb tcb, long nowNs) {
        this.tcb = tcb;
        this.space = Math.max(1, Math.min(tcb.receiveWindow(), INITIAL_SEGMENTS * mss()));
        this.periodSeq = tcb.rcvReadSeq;
        this.periodStartNs = nowNs;
    }

    /** Whether the buffer may still grow. */
    boolean active() {
        return tcb.rcvBuf.capacity() < tcb.rcvBuf.maxCapacity();
    }

    /** Data arrived (after RCV.NXT moved over it): an RTT sample, from TSecr or from a window's worth. */
    void onText(long nowNs, TcpSegment seg) {
        if (tcb.tsOk && seg.options.hasTimestamps) {
            if (seg.options.tsEcr != 0) {
                int ticks = tcb.tsNow(nowNs) - seg.options.tsEcr;
                if (ticks >= 0) {
                    long sample = tcb.tsTicksToNs(Math.max(ticks, 1));
                    rttNs = rttNs == 0 ? sample : rttNs + (sample - rttNs) / 8;
                }
            }
            return;
        }
        if (rttMeasuring && SeqNum.lt(tcb.rcvNxt, rttSeq)) {
            return;
        }
        if (rttMeasuring) {
            long sample = Math.max(nowNs - rttStartNs, 1);
            rttNs = rttNs == 0 ? sample : Math.min(rttNs, sample);
        }
        rttMeasuring = true;
        rttSeq = tcb.rcvNxt + Math.max(tcb.receiveWindow(), 1);
        rttStartNs = nowNs;
    }

    /** The application read: once per receiver RTT, compare what it read with the best period so far. */
    void onRead(long nowNs) {
        if (rttNs == 0 || nowNs - periodStartNs < rttNs) {
            return;
        }
        int copied = SeqNum.diff(tcb.rcvReadSeq, periodSeq);
        if (copied > space) {
            long rcvWin = 2L * copied + 16L * mss();
            long grow = rcvWin * (copied - space) / space;
            rcvWin += 2 * grow;
            tcb.rcvBuf.grow((int) Math.min(rcvWin, Integer.MAX_VALUE));
            space = copied;
        }
        periodSeq = tcb.rcvReadSeq;
        periodStartNs = nowNs;
    }

    /** The receiver's RTT estimate in ns, 0 before a sample (for tests). */
    long rttNs() {
        return rttNs;
    }

    private int mss() {
        return Math.max(tcb.localMss, 1);
    }
}
