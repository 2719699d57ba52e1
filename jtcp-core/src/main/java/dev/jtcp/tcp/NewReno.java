package dev.jtcp.tcp;

/**
 * Reno's window arithmetic (RFC 5681 §3.1, §3.2) with the NewReno partial-ACK rule (RFC 6582 §3.2).
 * Congestion avoidance grows by about one segment per RTT using byte counting (RFC 3465 with L = 2).
 */
final class NewReno implements CongestionControl {
    private int cwnd;
    private int ssthresh = Integer.MAX_VALUE;
    /** Bytes acknowledged in congestion avoidance since cwnd last grew (RFC 5681 §3.1, eq. 3 alternative). */
    private int bytesAckedInCa;

    NewReno(int initialWindow) {
        this.cwnd = initialWindow;
    }

    @Override
    public int cwnd() {
        return cwnd;
    }

    @Override
    public int ssthresh() {
        return ssthresh;
    }

    @Override
    public TcpConfig.CongestionAlgorithm algorithm() {
        return TcpConfig.CongestionAlgorithm.RENO;
    }

    @Override
    public void onAck(AckSample s) {
        if (!s.cwndLimited) {
            // The flight did not use the window (Linux's tcp_is_cwnd_limited): it does not grow.
            return;
        }
        int bytesAcked = s.deliveredBytes;
        int smss = s.smss;
        if (cwnd < ssthresh) {
            // Slow start, RFC 5681 eq. 2 with appropriate byte counting L = 2 (RFC 3465 §2.2).
            cwnd = saturatingAdd(cwnd, Math.min(bytesAcked, 2 * smss));
            return;
        }
        bytesAckedInCa += bytesAcked;
        if (bytesAckedInCa >= cwnd) {
            bytesAckedInCa -= cwnd;
            cwnd = saturatingAdd(cwnd, smss);
        }
    }

    @Override
    public void onFastRetransmit(int flightSize, int smss, int dupAcks) {
        ssthresh = Math.max(flightSize / 2, 2 * smss);
        cwnd = ssthresh + dupAcks * smss;
        bytesAckedInCa = 0;
    }

    @Override
    public void onCongestionEvent(long nowNs, int flightSize, int smss) {
        ssthresh = Math.max(flightSize / 2, 2 * smss);
        bytesAckedInCa = 0;
    }

    @Override
    public void setCwnd(int bytes) {
        cwnd = Math.max(bytes, 1);
    }

    @Override
    public void onDupAckInRecovery(int smss) {
        cwnd = saturatingAdd(cwnd, smss);
    }

    @Override
    public void onPartialAck(int bytesAcked, int smss) {
        cwnd = Math.max(cwnd - bytesAcked, 0);
        if (bytesAcked >= smss) {
            cwnd = saturatingAdd(cwnd, smss);
        }
        cwnd = Math.max(cwnd, smss);
    }

    @Override
    public void onRecoveryEnd(int flightSize, int smss) {
        // RFC 6582 §3.2 step 4, option (1): min(ssthresh, max(FlightSize, SMSS) + SMSS).
        cwnd = Math.min(ssthresh, Math.max(flightSize, smss) + smss);
        bytesAckedInCa = 0;
    }

    @Override
    public void onRetransmitTimeout(int flightSize, int smss) {
        ssthresh = Math.max(flightSize / 2, 2 * smss);
        cwnd = smss;
        bytesAckedInCa = 0;
    }

    @Override
    public void onEcnEcho(int flightSize, int smss) {
        // RFC 3168 §6.1.2: halve as for a loss, but nothing is retransmitted and no recovery follows.
        ssthresh = Math.max(flightSize / 2, 2 * smss);
        cwnd = ssthresh;
        bytesAckedInCa = 0;
    }

    @Override
    public void undo(int cwnd, int ssthresh) {
        this.cwnd = cwnd;
        this.ssthresh = ssthresh;
        bytesAckedInCa = 0;
    }

    @Override
    public void onIdleRestart(int smss, int initialWindow) {
        cwnd = Math.min(cwnd, initialWindow);
        bytesAckedInCa = 0;
    }

    private static int saturatingAdd(int a, int b) {
        long s = (long) a + b;
        return s > Integer.MAX_VALUE / 2 ? Integer.MAX_VALUE / 2 : (int) s;
    }
}
