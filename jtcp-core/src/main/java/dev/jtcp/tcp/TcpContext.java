package dev.jtcp.tcp;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.Tracer;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpSegment;
import java.util.random.RandomGenerator;

/**
 * What the engine needs from the host around it: configuration, shared host-wide state (ISN
 * secret, SYN-cookie secret, challenge-ACK budget, randomness), a way to send, and notifications
 * so the host can keep its tables and timers current. The engine never sends, schedules or looks up
 * anything by itself; this interface is the whole boundary, and tests implement it in a few lines.
 */
public interface TcpContext {
    TcpConfig config();

    /** The host's name in traces. */
    String hostName();

    Tracer tracer();

    /** Seeded in simulation, {@link java.security.SecureRandom} on real networks. */
    RandomGenerator random();

    IsnSource isnGenerator();

    SynCookies synCookies();

    /** TCP Fast Open's host-wide state: mode, server key, client cookie cache (RFC 7413). */
    FastOpen fastOpen();

    ChallengeAckLimiter challengeAcks();

    /**
     * The offset added to our TSval clock for connections between these two addresses (RFC 7323
     * §5.4). Keyed on the address pair, not the 4-tuple, so successive connections between two hosts
     * see increasing timestamps: that is what lets a new SYN be recognised as newer than a
     * connection in TIME-WAIT (RFC 6191, SHLD-4).
     */
    int timestampOffset(IpAddress local, IpAddress remote);

    /**
     * The largest segment the host can receive on the path towards {@code remote}: MMS_R of RFC
     * 9293 §3.7.1 (MTU minus the IP header), from which the MSS option is derived (MUST-67).
     */
    int maxReceiveSegmentSize(IpAddress remote);

    /** MMS_S: the largest transport message the host can send towards {@code remote} (MTU minus IP header). */
    int maxSendSegmentSize(IpAddress remote);

    /**
     * Sends {@code seg} from {@code local} to {@code remote} at time {@code nowNs}. The segment is
     * only valid during the call: the host writes the packet before returning.
     *
     * @param note a short annotation for traces ("retransmission", "challenge ACK"), or {@code null}
     */
    void transmit(long nowNs, IpAddress local, IpAddress remote, TcpSegment seg, String note);

    /**
     * Whether the way towards {@code remote} cuts TCP super-packets itself (a device with segmentation
     * offload, as Linux's TSO/GSO): then the sender may hand over one segment of several MSS with
     * {@link TcpSegment#gsoSize} set to the MSS, and keeps its accounting per MSS.
     */
    default boolean offloadsSegmentation(IpAddress remote) {
        return false;
    }

    /** The connection's earliest timer moved; the host re-arms its timer for it. */
    void schedule(TcpConnection connection, long deadlineNs);

    /** A new connection is taking shape (passive open): the host adds it to its demultiplexing table. */
    void register(TcpConnection connection);

    /**
     * The connection reached TIME-WAIT; the host replaces it with a compact {@link TimeWaitEntry}
     * built from it, and forgets the connection object.
     */
    void onTimeWait(TcpConnection connection, long nowNs);

    /** The connection reached CLOSED and holds nothing more; the host forgets it. */
    void onClosed(TcpConnection connection);

    /**
     * The connection has retransmitted R1 times: RFC 9293 §3.8.3 (b) asks TCP to give the IP layer
     * "negative advice" so it can reconsider its route.
     */
    default void onNegativeAdvice(ConnectionKey key) {}
}
