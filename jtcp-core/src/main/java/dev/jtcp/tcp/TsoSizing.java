package dev.jtcp.tcp;

/**
 * How large Linux makes each TSO packet its send loop emits ({@link TcpConfig#tsoMinSegs()} on, the
 * linux profile): the packets its packetdrill suite expects, such as {@code P. 1:5001(5000)} for the
 * first half of an initial window of ten 1000-byte segments.
 *
 * <p>Linux 6.x, {@code tcp_write_xmit}: each packet is at most {@code tcp_tso_segs} segments, which
 * {@code tcp_tso_autosize} sets to about 1 ms of the pacing rate ({@code sk_pacing_rate >>
 * sk_pacing_shift}, shift 10), plus {@code gso_max_size >> (min_rtt_us >> tcp_tso_rtt_log)} on short
 * paths, at most the 64 KiB GSO limit and at least {@code tcp_min_tso_segs}; and at most what {@code
 * tcp_cwnd_test} allows: the free congestion window, but no more than half of it ("ensure we have at
 * least 2 GSO packets in flight"). The pacing rate is {@code tcp_update_pacing_rate}'s: cwnd (or the
 * packets out, if more) MSS per smoothed RTT, times 200 % while cwnd is below half of ssthresh and 120
 * % after ({@code tcp_pacing_ss_ratio}, {@code tcp_pacing_ca_ratio}); before the first RTT sample it
 * is unlimited. Each packet carries PSH, as Linux 6.18's do (measured against the kernel).
 *
 * <p>Not modelled: {@code tcp_tso_should_defer} (waiting for more window to send a larger packet).
 *
 * <p>Stateless; thread-safe. No allocation.
 */
final class TsoSizing {
    /** {@code sk_gso_max_size}: the largest GSO packet, 64 KiB. */
    private static final int GSO_MAX_SIZE = 65536;
    /** {@code sk_pacing_shift}: a TSO packet holds about 2^-10 s (1 ms) of the pacing rate. */
    private static final int PACING_SHIFT = 10;
    /** {@code net.ipv4.tcp_tso_rtt_log}: short paths get more, {@code gso_max_size >> (min_rtt_us >> 9)}. */
    private static final int TSO_RTT_LOG = 9;
    /** {@code tcp_pacing_ss_ratio} and {@code tcp_pacing_ca_ratio}, in percent. */
    private static final int SS_RATIO = 200;
    private static final int CA_RATIO = 120;

    private TsoSizing() {
    }

    /**
     * The most bytes the next TSO packet may carry: whole segments of {@code mss} ({@code
     * tcp_tso_segs} bounded by {@code tcp_cwnd_test}), or 0 when the congestion window is full.
     *
     * @param cwndBytes     the congestion window
     * @param ssthresh      the slow-start threshold (bytes; large before the first reduction)
     * @param inFlightBytes bytes in the network (Linux's packets in flight, here rounded up to segments)
     * @param packetsOut    segments sent and not yet acknowledged
     * @param srttNs        the smoothed RTT, or negative before the first sample
     * @param minRttNs      the smallest RTT measured, or negative before the first sample
     */
    static int packetBytes(int mss, int minSegs, int cwndBytes, int ssthresh, int inFlightBytes, int packetsOut,
                           long srttNs, long minRttNs) {
        if (mss <= 0) {
            return 0;
        }
        int cwnd = Math.max(cwndBytes / mss, 1);
        int inFlight = (int) ((Math.max(inFlightBytes, 0) + (long) mss - 1) / mss);
        if (inFlight >= cwnd) {
            return 0;
        }
        int quota = Math.min(Math.max(cwnd >> 1, 1), cwnd - inFlight);
        return Math.min(autosizeSegs(mss, minSegs, cwnd, ssthresh / mss, packetsOut, srttNs, minRttNs), quota) * mss;
    }

    /** {@code tcp_tso_autosize}: segments per TSO packet from the pacing rate and the minimum RTT. */
    static int autosizeSegs(int mss, int minSegs, int cwnd, int ssthreshSegs, int packetsOut, long srttNs,
                            long minRttNs) {
        long bytes;
        if (srttNs <= 0) {
            bytes = GSO_MAX_SIZE; // sk_pacing_rate starts unlimited
        } else {
            int ratio = cwnd < ssthreshSegs / 2 ? SS_RATIO : CA_RATIO;
            long rate = (long) mss * Math.max(cwnd, packetsOut) * ratio / 100 * 1_000_000_000L / srttNs;
            bytes = rate >> PACING_SHIFT;
        }
        if (minRttNs >= 0) {
            long r = (minRttNs / 1000) >> TSO_RTT_LOG;
            if (r < 32) {
                bytes += GSO_MAX_SIZE >> r;
            }
        }
        bytes = Math.min(bytes, GSO_MAX_SIZE);
        return (int) Math.max(bytes / mss, minSegs);
    }
}
