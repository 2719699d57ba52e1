package dev.jtcp.tcp;

/**
 * Proportional Rate Reduction (RFC 6937): how much may be sent on each ACK during loss recovery.
 * While more than ssthresh is in the network, sending follows deliveries in the proportion
 * ssthresh / RecoverFS, so the window comes down smoothly over one round trip instead of in a
 * burst of silence (the "half window of silence" of RFC 6675) or a burst of sending; once the
 * pipe falls below ssthresh, the slow-start reduction bound (PRR-SSRB, Linux's choice) lets it grow
 * back towards ssthresh by at most one segment more than was delivered.
 *
 * <p>Read RFC 6937 §3 beside it: {@link #enter} is "on entering recovery", {@link #onAck} the
 * per-ACK computation of {@code sndcnt}, {@link #onSent} accounts {@code prr_out}.
 *
 * <p>Not thread-safe; one per connection.
 */
final class Prr {
    /** ssthresh as set on entering recovery, bytes. */
    private int ssthresh;
    /** RecoverFS: FlightSize on entering recovery (at least one byte, to divide by), bytes. */
    private int recoverFs;
    /** prr_delivered: bytes delivered to the receiver since recovery began. */
    private long delivered;
    /** prr_out: bytes sent since recovery began. */
    private long out;
    /** The last sndcnt computed: bytes that may be sent for the current ACK, less what was sent since. */
    private int allowance;

    /** RFC 6937 §3 on entering recovery: {@code ssthresh} from the congestion controller, RecoverFS = pipe. */
    void enter(int ssthresh, int flightSize) {
        this.ssthresh = ssthresh;
        this.recoverFs = Math.max(flightSize, 1);
        this.delivered = 0;
        this.out = 0;
        this.allowance = 0;
    }

    /**
     * The per-ACK step: {@code deliveredData} bytes newly delivered (cumulatively or by SACK),
     * {@code pipe} after this ACK, before anything is sent for it. Sets and returns the bytes that
     * may be sent now (sndcnt).
     *
     * @param safeAckOnly PRR-SSRB's extra segment only when {@code safeAck} (Linux, {@link TcpConfig#linuxRecovery()})
     * @param safeAck     this ACK advanced SND.UNA and revealed no new loss
     */
    int onAck(int deliveredData, int pipe, int smss, boolean safeAckOnly, boolean safeAck) {
        delivered += deliveredData;
        long sndcnt;
        if (pipe > ssthresh) {
            // Proportional part: ceil(prr_delivered * ssthresh / RecoverFS) - prr_out, the target
            // rounded up to whole segments as Linux counts it in packets, so the first ACK of a
            // halving lets one segment go rather than half of one.
            long target = ceilDiv(delivered * ssthresh, recoverFs);
            sndcnt = ceilDiv(target, smss) * smss - out;
        } else {
            // PRR-SSRB: grow back towards ssthresh, at most one segment beyond what was delivered
            // (Linux: the extra segment only for an ACK that shows the repair is progressing).
            long limit = Math.max(delivered - out, deliveredData) + (!safeAckOnly || safeAck ? smss : 0);
            sndcnt = Math.min((long) ssthresh - pipe, limit);
        }
        if (out == 0) {
            // The fast retransmit goes on entering recovery whatever the pipe (RFC 6675 §5 step
            // (4.3); Linux's tcp_cwnd_reduction forces one segment while prr_out is 0).
            sndcnt = Math.max(sndcnt, smss);
        }
        allowance = (int) Math.max(0, Math.min(sndcnt, Integer.MAX_VALUE));
        return allowance;
    }

    /** Bytes that may still be sent for the current ACK. */
    int allowance() {
        return allowance;
    }

    /** prr_out += what was sent (new data or retransmission) while in recovery. */
    void onSent(int bytes) {
        out += bytes;
        allowance = Math.max(0, allowance - bytes);
    }

    long deliveredBytes() {
        return delivered;
    }

    long sentBytes() {
        return out;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
