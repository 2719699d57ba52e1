package dev.jtcp.script;

import dev.jtcp.tcp.ConnectionStatus;
import dev.jtcp.wire.SeqNum;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SO_TIMESTAMPING's transmit timestamps on a TCP socket as Linux reports them
 * (Documentation/networking/timestamping.rst), emulated for one socket from what the runner sees of
 * the stack: the segments it sends and how far the peer has acknowledged. Time is the runner's
 * (virtual, script-relative) clock.
 *
 * <p>With a transmit flag set ({@code SOF_TIMESTAMPING_TX_SCHED}, {@code _TX_SOFTWARE}, {@code
 * _TX_ACK}), each send call marks its last byte: when a segment carrying that byte first leaves, the
 * socket's error queue gets a {@code SCM_TSTAMP_SCHED} and then a {@code SCM_TSTAMP_SND} report
 * (Linux stamps them as the packet enters the queueing discipline and the device, which for the
 * runner is the same instant); when the peer acknowledges the byte, a {@code SCM_TSTAMP_ACK} report.
 * Each report is a {@code SCM_TIMESTAMPING} message (the software time in {@code ts[0]} when {@code
 * SOF_TIMESTAMPING_SOFTWARE} is set, else zero) and an {@code IP_RECVERR} message with {@code
 * ee_errno=ENOMSG}, {@code ee_origin=SO_EE_ORIGIN_TIMESTAMPING}, {@code ee_info} the report type and,
 * with {@code SOF_TIMESTAMPING_OPT_ID}, {@code ee_data} the byte's key: its offset from where
 * counting started when the option was set ({@code SND.UNA}, or the end of the written data with
 * {@code SOF_TIMESTAMPING_OPT_ID_TCP}), as Linux's {@code sk_tskey}. A report is read once, oldest
 * first. Not thread-safe.
 */
final class TxTimestamps {
    static final long TX_HARDWARE = 0x1;
    static final long TX_SOFTWARE = 0x2;
    static final long SOFTWARE = 0x10;
    static final long OPT_ID = 0x80;
    static final long TX_SCHED = 0x100;
    static final long TX_ACK = 0x200;
    static final long OPT_ID_TCP = 0x10000;
    private static final long SCM_TSTAMP_SND = 0;
    private static final long SCM_TSTAMP_SCHED = 1;
    private static final long SCM_TSTAMP_ACK = 2;
    private static final long SO_EE_ORIGIN_TIMESTAMPING = 4;
    private static final long ENOMSG = 42;
    private static final long SCM_TIMESTAMPING = 37;

    /** A marked byte: its sequence number, and whether a segment carrying it has left. */
    private static final class Mark {
        final int seq;
        boolean sent;

        Mark(int seq) {
            this.seq = seq;
        }
    }

    /** A report waiting on the error queue. */
    private record Report(long type, long timeNs, int seq) {}

    /** The SOF_TIMESTAMPING_* flags as set; 0: off. */
    private long flags;
    /** The sequence number whose key is 0 (Linux's {@code sk_tskey}). */
    private int keyBase;
    /** Marked bytes not yet acknowledged, in sequence order. */
    private final List<Mark> marks = new ArrayList<>();
    private final ArrayDeque<Report> queue = new ArrayDeque<>();
    /** Reports queued so far, read or not (a growing count, for epoll's wakeups). */
    private int reported;

    /** setsockopt(SO_TIMESTAMPING, flags) on a connected socket ({@code status} its current one). */
    void enable(long newFlags, ConnectionStatus status) {
        if ((newFlags & OPT_ID) != 0 && (flags & OPT_ID) == 0) {
            keyBase = (newFlags & OPT_ID_TCP) != 0 ? status.sndNxt() + status.unsent() : status.sndUna();
        }
        flags = newFlags;
    }

    long flags() {
        return flags;
    }

    /** Reports waiting on the error queue (poll's POLLERR). */
    int waiting() {
        return queue.size();
    }

    /** How many reports were ever queued: a new one is an error-queue wakeup. */
    int reported() {
        return reported;
    }

    /** Whether sends are marked for transmit reports. */
    boolean isActive() {
        return (flags & (TX_SCHED | TX_SOFTWARE | TX_ACK)) != 0;
    }

    /**
     * A send call queued data; its last byte is the one before the send queue's end ({@code status}
     * after queueing). If the call itself already sent that byte, it left now.
     */
    void onSend(ConnectionStatus status, long nowNs) {
        if (!isActive()) {
            return;
        }
        Mark m = new Mark(status.sndNxt() + status.unsent() - 1);
        marks.add(m);
        if (SeqNum.diff(status.sndNxt(), m.seq) > 0) {
            reportSent(m, nowNs);
        }
    }

    /** A segment of this connection left: {@code len} bytes from {@code seq}. */
    void onSegmentSent(int seq, int len, long nowNs) {
        for (Mark m : marks) {
            if (!m.sent && SeqNum.diff(m.seq, seq) >= 0 && SeqNum.diff(m.seq, seq) < len) {
                reportSent(m, nowNs);
            }
        }
    }

    private void reportSent(Mark m, long nowNs) {
        m.sent = true;
        if ((flags & TX_SCHED) != 0) {
            add(new Report(SCM_TSTAMP_SCHED, nowNs, m.seq));
        }
        if ((flags & TX_SOFTWARE) != 0) {
            add(new Report(SCM_TSTAMP_SND, nowNs, m.seq));
        }
    }

    /** SND.UNA may have advanced: marked bytes now acknowledged are reported. */
    void onAcknowledged(int sndUna, long nowNs) {
        for (Iterator<Mark> it = marks.iterator(); it.hasNext(); ) {
            Mark m = it.next();
            if (SeqNum.diff(sndUna, m.seq) <= 0) {
                break;
            }
            it.remove();
            if ((flags & TX_ACK) != 0) {
                add(new Report(SCM_TSTAMP_ACK, nowNs, m.seq));
            }
        }
    }

    private void add(Report r) {
        queue.add(r);
        reported++;
    }

    /** recvmsg(MSG_ERRQUEUE): the oldest report as its {@code msg_control} list, or null if none waits. */
    List<Object> take(boolean v6) {
        Report r = queue.poll();
        if (r == null) {
            return null;
        }
        long stampNs = (flags & SOFTWARE) != 0 ? r.timeNs() : 0;
        Map<String, Object> ts = new LinkedHashMap<>();
        ts.put("scm_sec", stampNs / 1_000_000_000L);
        ts.put("scm_nsec", stampNs % 1_000_000_000L);
        Map<String, Object> stamp = new LinkedHashMap<>();
        stamp.put("cmsg_level", 1L);
        stamp.put("cmsg_type", SCM_TIMESTAMPING);
        stamp.put("cmsg_data", ts);
        Map<String, Object> ee = new LinkedHashMap<>();
        ee.put("ee_errno", ENOMSG);
        ee.put("ee_origin", SO_EE_ORIGIN_TIMESTAMPING);
        ee.put("ee_type", 0L);
        ee.put("ee_code", 0L);
        ee.put("ee_pad", 0L);
        ee.put("ee_info", r.type());
        ee.put("ee_data", (flags & OPT_ID) != 0 ? SeqNum.diff(r.seq(), keyBase) & 0xFFFF_FFFFL : 0L);
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("cmsg_level", v6 ? 41L : 0L);
        err.put("cmsg_type", v6 ? 25L : 11L);
        err.put("cmsg_data", ee);
        return List.of(stamp, err);
    }
}
