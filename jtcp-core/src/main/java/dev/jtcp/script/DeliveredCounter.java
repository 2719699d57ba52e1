package dev.jtcp.script;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Linux's {@code tcpi_delivered} (tp->delivered), counted by the runner from the segments the stack
 * sent and the ACKs the script injected: the packets the peer has received, each counted once when
 * it is cumulatively acknowledged or first SACKed. The SYN (or SYN,ACK), with any data it carried,
 * is one packet; a retransmission is the packet it repeats, not a new one. jtcp sends no segment
 * longer than the MSS here, so its segments are Linux's packets. Not thread-safe.
 */
final class DeliveredCounter {
    /** One connection, keyed from the stack's side. */
    private static final class Conn {
        /** The stack sent a SYN or SYN,ACK (at {@link #synSeq}). */
        boolean synSent;
        /** The SYN's sequence number. */
        int synSeq;
        /** The SYN has been acknowledged (and counted). */
        boolean synDelivered;
        /** Just past the highest sequence number sent as data so far (retransmissions stay below). */
        int sentEnd;
        /** Data packets not yet delivered: start, end and whether SACKed, in send order. */
        final List<int[]> outstanding = new ArrayList<>();
        /** tcpi_delivered so far. */
        long delivered;
    }

    /** Connections by their key from the stack's side. */
    private final Map<ConnectionKey, Conn> conns = new HashMap<>();

    /** A segment the stack sent. */
    void onSent(LivePacket p) {
        ConnectionKey key = new ConnectionKey(p.src(), p.srcPort(), p.dst(), p.dstPort());
        if (p.has(TcpFlags.SYN)) {
            Conn c = new Conn();
            Conn old = conns.get(key);
            if (old != null && old.synSent && old.synSeq == p.seq()) {
                return; // the SYN again
            }
            c.synSent = true;
            c.synSeq = p.seq();
            c.sentEnd = p.seq() + 1;
            conns.put(key, c);
            return;
        }
        Conn c = conns.get(key);
        int len = p.payloadLength() + (p.has(TcpFlags.FIN) ? 1 : 0);
        if (c == null || len == 0 || SeqNum.lt(p.seq(), c.sentEnd)) {
            return;
        }
        c.outstanding.add(new int[] {p.seq(), p.seq() + len, 0});
        c.sentEnd = p.seq() + len;
    }

    /** A segment the script injected: its ACK and SACK blocks deliver packets. */
    void onReceived(LivePacket p) {
        Conn c = conns.get(new ConnectionKey(p.dst(), p.dstPort(), p.src(), p.srcPort()));
        if (c == null || !p.has(TcpFlags.ACK)) {
            return;
        }
        int ack = p.ack();
        if (c.synSent && !c.synDelivered && SeqNum.gt(ack, c.synSeq)) {
            c.synDelivered = true;
            c.delivered++;
        }
        int[] sack = null;
        for (TcpOption o : p.options()) {
            if (o instanceof TcpOption.Sack s) {
                sack = s.edges();
            }
        }
        for (Iterator<int[]> it = c.outstanding.iterator(); it.hasNext(); ) {
            int[] seg = it.next();
            if (SeqNum.le(seg[1], ack)) {
                c.delivered += seg[2] == 0 ? 1 : 0;
                it.remove();
            } else if (sack != null && seg[2] == 0) {
                for (int i = 0; i + 1 < sack.length; i += 2) {
                    if (SeqNum.ge(seg[0], sack[i]) && SeqNum.le(seg[1], sack[i + 1])) {
                        seg[2] = 1;
                        c.delivered++;
                        break;
                    }
                }
            }
        }
    }

    /** tcpi_delivered of the connection with this key (the stack's side), 0 if it sent nothing. */
    long delivered(ConnectionKey key) {
        Conn c = conns.get(key);
        return c == null ? 0 : c.delivered;
    }
}
