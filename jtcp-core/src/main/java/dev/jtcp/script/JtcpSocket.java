package dev.jtcp.script;

import dev.jtcp.event.TcpState;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.wire.IpAddress;

/**
 * One emulated file descriptor of {@link JtcpSockets}: the socket options set on it, what it is
 * bound to, and the listener or connection behind it. Not thread-safe.
 */
final class JtcpSocket {
    final int fd;
    boolean nonBlocking;
    boolean reuseAddr;
    boolean lingerOn;
    int lingerSeconds;
    /** SO_SNDBUF and SO_RCVBUF as set, or -1. */
    int sendBuffer = -1;
    int receiveBuffer = -1;
    boolean noDelay;
    /** TCP_CORK as set. */
    boolean cork;
    /** TCP_NOTSENT_LOWAT as set (a u32); 0: the host's. */
    long notSentLowat;
    /** TCP_QUICKACK as set before the connection existed, or null. */
    Boolean quickAck;
    boolean keepAlive;
    /** TCP_KEEPIDLE as set (seconds), or 0. */
    long keepAliveIdleSeconds;
    /** TCP_MAXSEG as set, or 0. */
    int maxSegment;
    long userTimeoutMs;
    /** IP_TOS / IPV6_TCLASS as set (its Diffserv bits), or 0. */
    int tos;
    /** IP_MTU_DISCOVER as set, read back only (Linux's default IP_PMTUDISC_WANT). */
    int mtuDiscover = 1;
    /** TCP_SYNCNT as set, or 0: the SYN's retransmissions before the connection gives up. */
    int synCount;
    /** TCP_FASTOPEN's queue length on a listener (RFC 7413 §5.1), or 0. */
    int fastOpenQueue;
    /** TCP_FASTOPEN_KEY as set: the listener's own 16-byte cookie key, or null for the host's. */
    byte[] fastOpenKey;
    /** TCP_FASTOPEN_CONNECT: connect() may defer the SYN to the first write, which it carries. */
    boolean fastOpenConnect;
    /** A connect() deferred by TCP_FASTOPEN_CONNECT: the peer the first write opens to, or null. */
    IpAddress deferredAddress;
    int deferredPort;
    IpAddress boundAddress;
    int boundPort = -1;
    TcpListener listener;
    TcpConnection conn;
    /** connect() has returned success (or the connection came from accept). */
    boolean connectReported;
    /** The connection's error has been reported to the application once. */
    boolean errorReported;
    boolean readShutdown;
    boolean writeShutdown;
    /** SO_ZEROCOPY as set: MSG_ZEROCOPY sends are then reported on the error queue. */
    boolean zeroCopyEnabled;
    final ZeroCopy zeroCopy = new ZeroCopy();
    /** SO_TIMESTAMPING's transmit reports for this socket's sends. */
    final TxTimestamps timestamps = new TxTimestamps();
    /** TCP_INQ as set: recvmsg reports the bytes still queued after the read in a TCP_CM_INQ message. */
    boolean inq;
    /** The size of the emulated file this descriptor reads (open()), or -1 for a socket. */
    long fileBytes = -1;
    /** Non-null when this descriptor is an epoll instance rather than a socket. */
    EpollSet epoll;

    JtcpSocket(int fd) {
        this.fd = fd;
    }

    /** The connection's error, once: SO_ERROR, read, write and connect all consume it. */
    SocketCall.Result takeError() {
        if (conn == null || errorReported || conn.error() == null || conn.error() == TcpError.ABORTED) {
            return null;
        }
        errorReported = true;
        return SocketCall.Result.error(conn.error().errno());
    }

    /** Applies the options set so far to a connection just opened or accepted. */
    void applyOptions(long nowNs) {
        conn.noDelay(noDelay);
        if (cork) {
            conn.cork(nowNs, true);
        }
        if (notSentLowat > 0) {
            conn.notSentLowat((int) Math.min(notSentLowat, Integer.MAX_VALUE));
        }
        if (quickAck != null) {
            conn.quickAck(quickAck);
        }
        if (keepAliveIdleSeconds > 0) {
            conn.keepAliveIdle(keepAliveIdleSeconds * 1_000_000_000L);
        }
        if (keepAlive) {
            conn.keepAlive(nowNs, true);
        }
        if (userTimeoutMs > 0) {
            conn.userTimeout(userTimeoutMs * 1_000_000L);
        }
        if (synCount > 0) {
            conn.synRetransmitTimeout(synTimeoutNs(synCount));
        }
        if (maxSegment > 0 && conn.state().isSynchronized()) {
            conn.maxSegmentSize(maxSegment);
        }
        if (sendBuffer > 0) {
            conn.sendBufferSize(sendBuffer);
        }
        if (tos != 0) {
            conn.tos(tos);
        }
    }

    /** Linux gives up after N SYN retransmissions: at 1 + 2 + ... + 2^N seconds with a 1 s initial RTO. */
    static long synTimeoutNs(int retries) {
        return ((1L << (retries + 1)) - 1) * 1_000_000_000L;
    }

    /** Linux's tcp_poll, as far as jtcp's connection state shows it; {@code s} null is a closed fd. */
    static long revents(JtcpSocket s, long events) {
        final long in = 0x1;
        final long pri = 0x2;
        final long out = 0x4;
        final long err = 0x8;
        final long hup = 0x10;
        final long nval = 0x20;
        final long rdnorm = 0x40;
        final long wrnorm = 0x100;
        final long rdhup = 0x2000;
        if (s == null) {
            return nval;
        }
        long mask = 0;
        if (s.listener != null) {
            mask = s.listener.acceptQueueLength() > 0 ? in | rdnorm : 0;
        } else if (s.conn != null) {
            TcpConnection c = s.conn;
            TcpState st = c.state();
            boolean closed = st == TcpState.CLOSED;
            boolean rcvShut = closed || c.isEndOfStream() || st.isReceiveClosed() || s.readShutdown;
            boolean sndShut = closed || st.isSendClosed() || s.writeShutdown;
            if (c.error() != null && !s.errorReported && c.error() != TcpError.ABORTED
                    || s.zeroCopy.completed(c.status()) > 0 || s.timestamps.waiting() > 0) {
                mask |= err; // tcp_poll: an error, or anything on the error queue
            }
            if (closed || (rcvShut && sndShut)) {
                mask |= hup;
            }
            if (rcvShut) {
                mask |= in | rdnorm | rdhup;
            }
            if (st != TcpState.SYN_SENT && st != TcpState.SYN_RECEIVED) {
                if (c.readable() > 0) {
                    mask |= in | rdnorm;
                }
                if (sndShut || c.writable() > 0) {
                    mask |= out | wrnorm;
                }
                if (!closed && c.status().urgentPending() > 0) {
                    mask |= pri;
                }
            }
        } else if (s.deferredAddress != null) {
            mask = out | wrnorm; // Linux's SYN-SENT with the connect deferred to the first write
        } else {
            mask = out | hup;
        }
        return mask & (events | err | hup | nval);
    }
}
