package dev.jtcp.script;

import dev.jtcp.event.TcpState;
import dev.jtcp.tcp.ConnectionStatus;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * fcntl, setsockopt, getsockopt and ioctl on an emulated socket ({@link JtcpSocket}): the options a
 * jtcp connection has per connection (TCP_NODELAY, TCP_CORK, TCP_QUICKACK, TCP_MAXSEG, TCP_USER_TIMEOUT, SO_KEEPALIVE,
 * SO_SNDBUF, SO_RCVBUF before the handshake, SO_LINGER off or zero, SO_REUSEADDR, TCP_INQ, IP_TOS,
 * SO_TIMESTAMPING's transmit reports), IP_MTU_DISCOVER recorded only, SO_ERROR, and
 * SIOCINQ/SIOCOUTQ. Anything else raises {@link ScriptUnsupportedException}. Calls throw
 * {@link dev.jtcp.tcp.TcpException} or {@link IllegalArgumentException} for the caller to turn into
 * errno values.
 */
final class JtcpSocketOptions {
    private static final int O_RDWR = 2;
    private static final int SOL_SOCKET = 1;
    private static final int IPPROTO_TCP = 6;
    private static final int SOL_IP = 0;
    private static final int SOL_IPV6 = 41;
    private static final int IP_TOS = 1;
    private static final int IP_MTU_DISCOVER = 10;
    private static final int IPV6_MTU_DISCOVER = 23;
    private static final int IPV6_TCLASS = 67;
    private static final int ECN_MASK = 3;

    private JtcpSocketOptions() {
    }

    static SocketCall.Result fcntl(JtcpSocket s, SocketCall c) {
        long cmd = c.integer(1);
        if (cmd == 3) {
            return SocketCall.Result.ok(O_RDWR | (s.nonBlocking ? JtcpSockets.O_NONBLOCK : 0));
        }
        if (cmd == 4) {
            s.nonBlocking = (c.integer(2) & JtcpSockets.O_NONBLOCK) != 0;
            return SocketCall.Result.ok(0);
        }
        throw new ScriptUnsupportedException(c.line(), "fcntl command " + cmd + " is not supported (only F_GETFL, F_SETFL)");
    }

    /**
     * TCP_FASTOPEN_KEY: the socket's own server key, a byte string of 16 bytes (or 32: Linux's
     * primary and backup key; jtcp keeps the primary), else EINVAL. The listener uses it for its
     * cookies ({@link dev.jtcp.tcp.TcpListener#fastOpenKey}).
     */
    private static SocketCall.Result fastOpenKey(JtcpSocket s, SocketCall c) {
        long length = c.integer(4);
        if (!(c.arg(3) instanceof String text)) {
            throw new ScriptUnsupportedException(c.line(), "TCP_FASTOPEN_KEY takes a byte string such as \"\\x01...\"");
        }
        if (length != 16 && length != 32) {
            return SocketCall.Result.error("EINVAL");
        }
        if (text.length() < 16) {
            throw new ScriptUnsupportedException(c.line(), "TCP_FASTOPEN_KEY: the string has " + text.length()
                    + " bytes, fewer than the length " + length + " says");
        }
        byte[] key = new byte[16];
        for (int i = 0; i < 16; i++) {
            key[i] = (byte) text.charAt(i);
        }
        s.fastOpenKey = key;
        if (s.listener != null) {
            s.listener.fastOpenKey(key);
        }
        return SocketCall.Result.ok(0);
    }

    static SocketCall.Result setsockopt(JtcpSocket s, SocketCall c, long nowNs) {
        long level = c.integer(1);
        long name = c.integer(2);
        if (level == SOL_SOCKET && name == 13) {
            Map<?, ?> m = struct(c, 3);
            s.lingerOn = ((Long) m.get("onoff")) != 0;
            s.lingerSeconds = ((Long) m.get("linger")).intValue();
            if (s.lingerOn && s.lingerSeconds != 0) {
                throw new ScriptUnsupportedException(c.line(), "SO_LINGER with a non-zero time (a blocking close) is not supported");
            }
            return SocketCall.Result.ok(0);
        }
        if (level == IPPROTO_TCP && name == 33) {
            return fastOpenKey(s, c);
        }
        long v = c.integer(3);
        if (level == SOL_SOCKET) {
            switch ((int) name) {
                case 2, 15 -> s.reuseAddr = v != 0;
                case 7 -> {
                    s.sendBuffer = (int) Math.max(v, 1024);
                    if (s.conn != null) {
                        s.conn.sendBufferSize(s.sendBuffer);
                    }
                }
                case 8 -> {
                    if (s.conn != null || s.listener != null) {
                        throw new ScriptUnsupportedException(c.line(), "SO_RCVBUF after connect or listen is not supported: "
                                + "jtcp sizes the receive buffer (and the window scale) before the handshake");
                    }
                    s.receiveBuffer = (int) Math.max(v, 1024);
                }
                case 9 -> {
                    s.keepAlive = v != 0;
                    if (s.conn != null) {
                        s.conn.keepAlive(nowNs, s.keepAlive);
                    }
                }
                case 60 -> s.zeroCopyEnabled = v != 0; // SO_ZEROCOPY, emulated by ZeroCopy
                case 37 -> {
                    // SO_TIMESTAMPING, emulated by TxTimestamps. Linux refuses it on a TCP socket
                    // that is closed or listening (there is no sequence to count keys from).
                    long supported = TxTimestamps.TX_SOFTWARE | TxTimestamps.SOFTWARE | TxTimestamps.OPT_ID
                            | TxTimestamps.TX_SCHED | TxTimestamps.TX_ACK | TxTimestamps.OPT_ID_TCP;
                    if ((v & ~supported) != 0) {
                        throw new ScriptUnsupportedException(c.line(), "SO_TIMESTAMPING flags 0x"
                                + Long.toHexString(v & ~supported) + " are not supported on jtcp (only software "
                                + "transmit timestamps: TX_SCHED, TX_SOFTWARE, TX_ACK, SOFTWARE, OPT_ID, OPT_ID_TCP)");
                    }
                    if (s.conn == null || s.conn.state() == TcpState.CLOSED) {
                        return SocketCall.Result.error("EINVAL");
                    }
                    s.timestamps.enable(v, s.conn.status());
                }
                case 36 -> { } // SO_MARK: a firewall and routing mark, nothing to jtcp
                default -> throw unsupportedOption(c, level, name);
            }
            return SocketCall.Result.ok(0);
        }
        if (level == IPPROTO_TCP) {
            switch ((int) name) {
                case 1 -> {
                    s.noDelay = v != 0;
                    if (s.conn != null) {
                        s.conn.noDelay(nowNs, s.noDelay);
                    }
                }
                case 25 -> {
                    s.notSentLowat = v & 0xFFFFFFFFL; // TCP_NOTSENT_LOWAT, a u32
                    if (s.conn != null) {
                        s.conn.notSentLowat((int) Math.min(s.notSentLowat, Integer.MAX_VALUE));
                    }
                }
                case 3 -> {
                    s.cork = v != 0; // TCP_CORK
                    if (s.conn != null) {
                        s.conn.cork(nowNs, s.cork);
                    }
                }
                case 2 -> {
                    s.maxSegment = (int) v;
                    if (s.listener != null) {
                        s.listener.maxSegmentSize(s.maxSegment); // children created from now on inherit it
                    }
                    if (s.conn != null) {
                        s.conn.maxSegmentSize(s.maxSegment);
                    }
                }
                case 23 -> {
                    // TCP_FASTOPEN: the listener's Fast Open queue length (RFC 7413 §5.1).
                    s.fastOpenQueue = (int) Math.max(0, v);
                    if (s.listener != null) {
                        s.listener.fastOpen(s.fastOpenQueue);
                    }
                }
                case 30 -> s.fastOpenConnect = v != 0; // TCP_FASTOPEN_CONNECT
                case 36 -> s.inq = v != 0; // TCP_INQ, reported by recvmsg (JtcpSockets.inqMessage)
                case 4 -> {
                    // TCP_KEEPIDLE: seconds, 1..32767 (Linux's MAX_TCP_KEEPIDLE).
                    if (v < 1 || v > 32767) {
                        return SocketCall.Result.error("EINVAL");
                    }
                    s.keepAliveIdleSeconds = v;
                    if (s.conn != null) {
                        s.conn.keepAliveIdle(v * 1_000_000_000L);
                        if (s.keepAlive) {
                            s.conn.keepAlive(nowNs, true); // re-arms the timer with the new idle time
                        }
                    }
                }
                case 7 -> {
                    // TCP_SYNCNT: 1..127 SYN retransmissions (Linux's range), then ETIMEDOUT.
                    if (v < 1 || v > 127) {
                        return SocketCall.Result.error("EINVAL");
                    }
                    s.synCount = (int) Math.min(v, 30);
                    if (s.conn != null) {
                        s.conn.synRetransmitTimeout(JtcpSocket.synTimeoutNs(s.synCount));
                    }
                }
                case 12 -> {
                    // TCP_QUICKACK: 0 keeps delayed ACKs on (Linux's ping-pong mode), 1 allows quick ACKs.
                    s.quickAck = v != 0 ? Boolean.TRUE : Boolean.FALSE;
                    if (s.conn != null) {
                        s.conn.quickAck(v != 0);
                    }
                }
                case 18 -> {
                    s.userTimeoutMs = v;
                    if (s.conn != null) {
                        s.conn.userTimeout(v * 1_000_000L);
                    }
                }
                default -> throw unsupportedOption(c, level, name);
            }
            return SocketCall.Result.ok(0);
        }
        if (level == SOL_IP && name == IP_TOS || level == SOL_IPV6 && name == IPV6_TCLASS) {
            // The Diffserv bits of this socket's packets; TCP keeps the ECN bits its own (Linux
            // masks them out of the value, ip(7)).
            if (v < 0 || v > 255) {
                return SocketCall.Result.error("EINVAL");
            }
            s.tos = (int) v & ~ECN_MASK;
            if (s.conn != null) {
                s.conn.tos(s.tos);
            }
            return SocketCall.Result.ok(0);
        }
        if (level == SOL_IP && name == IP_MTU_DISCOVER || level == SOL_IPV6 && name == IPV6_MTU_DISCOVER) {
            // Recorded and read back only: jtcp always does path MTU discovery (DF set), whatever
            // the mode, so IP_PMTUDISC_DONT's packets still carry DF (packet lines do not check DF).
            if (v < 0 || v > 5) {
                return SocketCall.Result.error("EINVAL");
            }
            s.mtuDiscover = (int) v;
            return SocketCall.Result.ok(0);
        }
        throw unsupportedOption(c, level, name);
    }

    /**
     * getsockopt; with {@code doubled} (Linux), SO_SNDBUF and SO_RCVBUF read back twice what was set,
     * as Linux reserves the second half for its bookkeeping (socket(7)).
     */
    static SocketCall.Result getsockopt(JtcpSocket s, SocketCall c, TcpConfig config, boolean doubled) {
        int factor = doubled ? 2 : 1;
        long level = c.integer(1);
        long name = c.integer(2);
        TcpConnection conn = s.conn;
        if (level == SOL_SOCKET) {
            return switch ((int) name) {
                case 2, 15 -> SocketCall.Result.ok(0, (long) (s.reuseAddr ? 1 : 0));
                case 4 -> {
                    SocketCall.Result err = s.takeError();
                    yield SocketCall.Result.ok(0, err == null ? 0L : (long) Symbols.errno(err.errno()));
                }
                case 7 -> SocketCall.Result.ok(0, s.sendBuffer > 0 ? (long) factor * s.sendBuffer
                        : (long) (conn != null ? conn.sendBufferSize() : config.sendBufferBytes()));
                case 8 -> SocketCall.Result.ok(0, s.receiveBuffer > 0 ? (long) factor * s.receiveBuffer
                        : (long) (conn != null ? conn.receiveBufferSize() : config.receiveBufferBytes()));
                case 9 -> SocketCall.Result.ok(0, (long) (s.keepAlive ? 1 : 0));
                case 60 -> SocketCall.Result.ok(0, (long) (s.zeroCopyEnabled ? 1 : 0));
                case 37 -> SocketCall.Result.ok(0, s.timestamps.flags());
                case 13 -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("onoff", (long) (s.lingerOn ? 1 : 0));
                    m.put("linger", (long) s.lingerSeconds);
                    yield SocketCall.Result.ok(0, m);
                }
                default -> throw unsupportedOption(c, level, name);
            };
        }
        if (level == SOL_IP && name == IP_TOS || level == SOL_IPV6 && name == IPV6_TCLASS) {
            return SocketCall.Result.ok(0, (long) s.tos);
        }
        if (level == SOL_IP && name == IP_MTU_DISCOVER || level == SOL_IPV6 && name == IPV6_MTU_DISCOVER) {
            return SocketCall.Result.ok(0, (long) s.mtuDiscover);
        }
        if (level == IPPROTO_TCP) {
            return switch ((int) name) {
                case 1 -> SocketCall.Result.ok(0, (long) (s.noDelay ? 1 : 0));
                case 2 -> SocketCall.Result.ok(0, (long) (conn != null && conn.state().isSynchronized()
                        ? conn.maxSegmentSize() : s.maxSegment > 0 ? s.maxSegment : 536));
                case 18 -> SocketCall.Result.ok(0, s.userTimeoutMs);
                case 36 -> SocketCall.Result.ok(0, (long) (s.inq ? 1 : 0));
                case 3 -> SocketCall.Result.ok(0, (long) (s.cork ? 1 : 0));
                case 25 -> SocketCall.Result.ok(0, s.notSentLowat); // 0: the host's net.ipv4.tcp_notsent_lowat
                case 7 -> SocketCall.Result.ok(0, (long) (s.synCount > 0 ? s.synCount : 6));
                case 4 -> SocketCall.Result.ok(0, s.keepAliveIdleSeconds > 0 ? s.keepAliveIdleSeconds
                        : config.keepAliveIdleNs() / 1_000_000_000L);
                default -> throw unsupportedOption(c, level, name);
            };
        }
        throw unsupportedOption(c, level, name);
    }

    private static ScriptUnsupportedException unsupportedOption(SocketCall c, long level, long name) {
        return new ScriptUnsupportedException(c.line(), c.name() + " " + Symbols.optionName(level, name)
            + " is not supported on jtcp");
    }

    private static Map<?, ?> struct(SocketCall c, int i) {
        if (c.arg(i) instanceof Map<?, ?> m && m.get("onoff") instanceof Long && m.get("linger") instanceof Long) {
        return m;
        }
        throw new ScriptUnsupportedException(c.line(), c.name() + ": expected {onoff=N, linger=N}");
    }

    static SocketCall.Result ioctl(JtcpSocket s, SocketCall c) {
        long request = c.integer(1);
        if (s.conn == null) {
            return SocketCall.Result.error("EINVAL");
        }
        if (request == 0x541B) {
            return SocketCall.Result.ok(0, (long) s.conn.readable());
        }
        if (request == 0x5411) {
            ConnectionStatus st = s.conn.status();
            return SocketCall.Result.ok(0, (long) (st.unacknowledged() + st.unsent()));
        }
        throw new ScriptUnsupportedException(c.line(), "ioctl request " + request + " is not supported (only SIOCINQ, SIOCOUTQ)");
    }
}
