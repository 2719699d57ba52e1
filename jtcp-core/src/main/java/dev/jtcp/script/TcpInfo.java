package dev.jtcp.script;

import dev.jtcp.event.TcpState;
import dev.jtcp.tcp.ConnectionStatus;
import java.util.Map;

/**
 * {@code tcpi_*} values (Linux {@code struct tcp_info} names and units) from jtcp's STATUS
 * snapshot, for {@code %{ assert tcpi_... }%} blocks. Only fields with a faithful jtcp equivalent
 * are filled; an assertion on any other field skips the script.
 */
final class TcpInfo {
    private TcpInfo() {
    }

    /** Linux's TCP state numbers (include/net/tcp_states.h). */
    static long stateNumber(TcpState s) {
        return switch (s) {
            case ESTABLISHED -> 1;
            case SYN_SENT -> 2;
            case SYN_RECEIVED -> 3;
            case FIN_WAIT_1 -> 4;
            case FIN_WAIT_2 -> 5;
            case TIME_WAIT -> 6;
            case CLOSED -> 7;
            case CLOSE_WAIT -> 8;
            case LAST_ACK -> 9;
            case LISTEN -> 10;
            case CLOSING -> 11;
        };
    }

    /** The value of a {@code TCPI_*} or {@code TCP_*} state constant ({@code TCPI_SYN_RECEIVED}, {@code TCP_SYN_RECV}), or null. */
    static Long stateConstant(String name) {
        Long option = switch (name) {
            // Linux's tcpi_options bits (include/uapi/linux/tcp.h).
            case "TCPI_OPT_TIMESTAMPS" -> 1L;
            case "TCPI_OPT_SACK" -> 2L;
            case "TCPI_OPT_WSCALE" -> 4L;
            case "TCPI_OPT_ECN" -> 8L;
            case "TCPI_OPT_ECN_SEEN" -> 16L;
            case "TCPI_OPT_SYN_DATA" -> 32L;
            // Linux's congestion-avoidance states (enum tcp_ca_state).
            case "TCP_CA_Open" -> 0L;
            case "TCP_CA_Disorder" -> 1L;
            case "TCP_CA_CWR" -> 2L;
            case "TCP_CA_Recovery" -> 3L;
            case "TCP_CA_Loss" -> 4L;
            default -> null;
        };
        if (option != null) {
            return option;
        }
        String n;
        if (name.startsWith("TCPI_")) {
            n = name.substring(5);
        } else if (name.startsWith("TCP_")) {
            n = name.substring(4);
        } else {
            return null;
        }
        return switch (n) {
            case "ESTABLISHED" -> 1L;
            case "SYN_SENT" -> 2L;
            case "SYN_RECV", "SYN_RECEIVED" -> 3L;
            case "FIN_WAIT1", "FIN_WAIT_1" -> 4L;
            case "FIN_WAIT2", "FIN_WAIT_2" -> 5L;
            case "TIME_WAIT" -> 6L;
            case "CLOSE", "CLOSED" -> 7L;
            case "CLOSE_WAIT" -> 8L;
            case "LAST_ACK" -> 9L;
            case "LISTEN" -> 10L;
            case "CLOSING" -> 11L;
            default -> null;
        };
    }

    static void fill(Map<String, Long> info, ConnectionStatus st, long nowNs) {
        long mss = Math.max(st.effectiveSendMss(), 1);
        info.put("tcpi_advmss", (long) st.advertisedMss());
        if (st.receiveMss() > 0) {
            info.put("tcpi_rcv_mss", (long) st.receiveMss());
        }
        if (st.lastTextNs() != Long.MIN_VALUE) {
            info.put("tcpi_last_data_recv", (nowNs - st.lastTextNs()) / 1_000_000);
        }
        // Linux's packets_out: the segments sent and not yet acknowledged.
        info.put("tcpi_unacked", (st.unacknowledged() + mss - 1) / mss);
        // Open, Disorder, CWR, Recovery or Loss, in Linux's numbering.
        info.put("tcpi_ca_state", (long) st.caState());
        info.put("tcpi_reordering", (long) st.reordering());
        if (st.lossRecovery().equals("rack")) {
            // Linux's sacked_out, lost_out, retrans_out, in segments (jtcp's are at most one MSS here),
            // and reord_seen.
            info.put("tcpi_sacked", (long) st.sackedSegments());
            info.put("tcpi_lost", (long) st.lostSegments());
            info.put("tcpi_retrans", (long) st.retransmittedOut());
            info.put("tcpi_reord_seen", st.reorderingSeen());
        }
        info.put("tcpi_snd_mss", (long) st.effectiveSendMss());
        // Linux's chronographs (tcp_get_info_chrono_stats), in microseconds.
        info.put("tcpi_busy_time", st.busyNs(nowNs) / 1000);
        info.put("tcpi_rwnd_limited", st.rwndLimitedNs(nowNs) / 1000);
        info.put("tcpi_sndbuf_limited", st.sndbufLimitedNs(nowNs) / 1000);
        info.put("tcpi_rto", st.rtoNs() / 1000);
        if (st.srttNs() >= 0) {
            info.put("tcpi_rtt", st.srttNs() / 1000);
            info.put("tcpi_rttvar", st.rttvarNs() / 1000);
        }
        info.put("tcpi_snd_cwnd", st.cwnd() / mss);
        info.put("tcpi_snd_ssthresh", st.ssthresh() >= Integer.MAX_VALUE / 2 ? 2147483647L : st.ssthresh() / mss);
        info.put("tcpi_total_retrans", st.retransmissions());
        info.put("tcpi_snd_wscale", (long) st.sndWndScale());
        info.put("tcpi_rcv_wscale", (long) st.rcvWndScale());
        info.put("tcpi_segs_out", st.segmentsSent());
        info.put("tcpi_segs_in", st.segmentsReceived());
        info.put("tcpi_bytes_received", st.bytesReceived());
        info.put("tcpi_snd_wnd", (long) st.sndWnd());
        // Linux: write_seq - snd_nxt, the bytes written but not yet sent.
        info.put("tcpi_notsent_bytes", (long) st.unsent());
        // Linux's TCPI_OPT_* bits: timestamps 1, SACK 2, window scaling 4, ECN 8.
        info.put("tcpi_options", (st.timestamps() ? 1L : 0) | (st.sackPermitted() ? 2L : 0)
                | (st.windowScaling() ? 4L : 0) | (st.ecn() ? 8L : 0));
    }
}
