package dev.jtcp.script;

import dev.jtcp.tcp.ConnectionStatus;
import dev.jtcp.wire.SeqNum;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MSG_ZEROCOPY as Linux reports it (Documentation/networking/msg_zerocopy.rst), emulated for one
 * socket: jtcp copies what it sends, so every send is "copied", but the application still learns
 * when the kernel is done with its buffer. Each successful send with MSG_ZEROCOPY on a socket with
 * SO_ZEROCOPY gets the next 32-bit id from 0; once the peer has acknowledged all of its bytes the
 * send is complete, and recvmsg(MSG_ERRQUEUE) returns one notification for the run of completed
 * ids from the oldest ({@code ee_info} the first, {@code ee_data} the last: Linux merges
 * consecutive ids queued together), with {@code SO_EE_ORIGIN_ZEROCOPY} and
 * {@code SO_EE_CODE_ZEROCOPY_COPIED}; with nothing complete it fails with EAGAIN. A send that fails
 * takes no id. Not thread-safe.
 */
final class ZeroCopy {
    static final long MSG_ZEROCOPY = 0x4000000L;
    static final long MSG_ERRQUEUE = 0x2000L;
    private static final long SO_EE_ORIGIN_ZEROCOPY = 5;
    private static final long SO_EE_CODE_ZEROCOPY_COPIED = 1;

    /** A send not yet reported: its id and the sequence number just past its last byte. */
    private record Send(int id, int endSeq) {}

    /** Sends not yet reported, oldest first, ids consecutive. */
    private final ArrayDeque<Send> pending = new ArrayDeque<>();
    /** The id the next zerocopy send takes (Linux's 32-bit counter, from 0). */
    private int nextId;

    /** A zerocopy send whose bytes now end the send queue ({@code status} taken after queueing). */
    void sent(ConnectionStatus status) {
        pending.add(new Send(nextId++, status.sndNxt() + status.unsent()));
    }

    /** How many sends the peer has acknowledged in full and recvmsg has not yet reported. */
    int completed(ConnectionStatus status) {
        int n = 0;
        for (Send send : pending) {
            if (SeqNum.diff(status.sndUna(), send.endSeq()) < 0) {
                break;
            }
            n++;
        }
        return n;
    }

    /**
     * recvmsg(MSG_ERRQUEUE): the {@code msg_control} list with one IP_RECVERR (or IPV6_RECVERR)
     * message for the completed sends, or null if none is complete.
     */
    List<Object> takeNotification(ConnectionStatus status, boolean v6) {
        if (pending.isEmpty() || SeqNum.diff(status.sndUna(), pending.peekFirst().endSeq()) < 0) {
            return null;
        }
        int first = pending.peekFirst().id();
        int last = first;
        while (!pending.isEmpty() && SeqNum.diff(status.sndUna(), pending.peekFirst().endSeq()) >= 0) {
            last = pending.pollFirst().id();
        }
        Map<String, Object> ee = new LinkedHashMap<>();
        ee.put("ee_errno", 0L);
        ee.put("ee_origin", SO_EE_ORIGIN_ZEROCOPY);
        ee.put("ee_type", 0L);
        ee.put("ee_code", SO_EE_CODE_ZEROCOPY_COPIED);
        ee.put("ee_pad", 0L);
        ee.put("ee_info", first & 0xFFFF_FFFFL);
        ee.put("ee_data", last & 0xFFFF_FFFFL);
        Map<String, Object> cmsg = new LinkedHashMap<>();
        cmsg.put("cmsg_level", v6 ? 41L : 0L);
        cmsg.put("cmsg_type", v6 ? 25L : 11L);
        cmsg.put("cmsg_data", ee);
        return List.of(cmsg);
    }
}
