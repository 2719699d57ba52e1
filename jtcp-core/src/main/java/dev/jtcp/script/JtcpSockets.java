package dev.jtcp.script;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.FastOpen;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The socket API a script calls, emulated over jtcp's host, listener and connection calls: a file
 * descriptor table with Linux's numbering (lowest free from 3), blocking and non-blocking
 * semantics, pending errors reported once (SO_ERROR, then read/write/connect), and the errno names
 * Linux returns.
 *
 * <p>Mapping: socket/bind record the endpoint; listen is {@link Host#listen}; connect is {@link
 * Host#connect} (OPEN); accept is {@link TcpListener#accept}; read/recv is RECEIVE; write/send is
 * SEND (zero bytes, as packetdrill writes); shutdown(SHUT_WR) is CLOSE; close is a full close
 * ({@link TcpConnection#closeFully}, MAY-1 with SHLD-3), or ABORT with {@code SO_LINGER {onoff=1,
 * linger=0}}. Socket options, fcntl and ioctl are {@link JtcpSocketOptions}; the state of one
 * descriptor is a {@link JtcpSocket}. What a jtcp connection cannot do the way Linux does raises
 * {@link ScriptUnsupportedException}.
 *
 * <p>Not thread-safe: driven by the interpreter's thread.
 */
final class JtcpSockets {
    static final int O_NONBLOCK = 04000;
    private static final long MSG_FASTOPEN = 0x20000000L;
    /** MSG_EOR: the data ends a record, which no segment extends past ({@link TcpConnection#markRecordEnd}). */
    private static final long MSG_EOR = 0x80L;
    private static final long MSG_MORE = 0x8000L;

    /** A call that would block, retried after everything the stack does. */
    private record Blocked(PendingCall pending, Supplier<SocketCall.Result> retry, long deadlineNs,
                           SocketCall.Result onDeadline) {}

    private final JtcpTarget target;
    private final Endpoints ends;
    private final TreeMap<Integer, JtcpSocket> fds = new TreeMap<>();
    /** The emulated files (path to size in zero bytes) that {@code open} and {@code sendfile} use. */
    private final Map<String, Long> files = new java.util.HashMap<>();
    /** Every connection a socket has had, so STATUS still answers after close(). */
    private final List<TcpConnection> known = new ArrayList<>();
    private Blocked blocked;
    private int nextEphemeral = 50_000;

    JtcpSockets(JtcpTarget target, Endpoints ends) {
        this.target = target;
        this.ends = ends;
    }

    private long now() {
        return target.nowNs();
    }

    // =============================================================================================
    // Dispatch and blocking
    // =============================================================================================

    PendingCall call(SocketCall c) {
        Supplier<SocketCall.Result> attempt = switch (c.name()) {
            case "socket" -> () -> socket(c);
            case "bind" -> () -> bind(c);
            case "listen" -> () -> listen(c);
            case "accept" -> () -> accept(c);
            case "connect" -> connect(c);
            case "read", "recv", "recvfrom" -> () -> read(c);
            case "write", "send", "sendto" -> write(c);
            case "recvmsg" -> {
                if (c.argCount() > 2 && (c.integer(2) & ZeroCopy.MSG_ERRQUEUE) != 0) {
                    yield () -> errorQueue(c);
                }
                SocketCall plain = vectored(c, "read");
                yield () -> withInq(plain, read(plain));
            }
            case "readv" -> {
                SocketCall plain = vectored(c, "read");
                yield () -> read(plain);
            }
            case "writev", "sendmsg" -> write(vectored(c, "write"), zeroCopySkbEnds(c));
            case "close" -> () -> close(c);
            case "shutdown" -> () -> shutdown(c);
            case "fcntl" -> () -> guarded(() -> JtcpSocketOptions.fcntl(sock(c), c));
            case "setsockopt" -> () -> guarded(() -> fastOpenConnectOff(c)
                    ? SocketCall.Result.error("EOPNOTSUPP")
                    : JtcpSocketOptions.setsockopt(sock(c), c, now()));
            case "getsockopt" -> () -> guarded(() -> JtcpSocketOptions.getsockopt(sock(c), c, target.config(),
                    target.profile().doublesSocketBuffers()));
            case "ioctl" -> () -> guarded(() -> JtcpSocketOptions.ioctl(sock(c), c));
            case "poll" -> poll(c);
            case "epoll_create", "epoll_create1" -> () -> {
                JtcpSocket e = fds.get((int) socket(new SocketCall("socket", List.of(), c.line(), false)).value());
                e.epoll = new EpollSet();
                return SocketCall.Result.ok(e.fd);
            };
            case "epoll_ctl" -> () -> guarded(() -> epollControl(c));
            case "open" -> () -> openFile(c);
            case "sendfile" -> sendfile(c);
            case "epoll_wait" -> epollWait(c);
            default -> throw new ScriptUnsupportedException(c.line(), "system call " + c.name()
                    + "() is not supported on jtcp");
        };
        SocketCall.Result r = attempt.get();
        long nowUs = target.nowUs();
        if (r != null) {
            return PendingCall.done(c, r, nowUs);
        }
        long deadline = c.name().equals("poll") || c.name().equals("epoll_wait") ? pollDeadline(c) : Long.MAX_VALUE;
        blocked = new Blocked(new PendingCall(c, nowUs), attempt, deadline, SocketCall.Result.ok(0, pollTimeoutRevents(c)));
        return blocked.pending();
    }

    /** Retries a blocked call after the stack did something; completes it if it can now. */
    void poll() {
        for (JtcpSocket s : fds.values()) {
            if (s.conn != null && s.timestamps.isActive()) {
                s.timestamps.onAcknowledged(s.conn.status().sndUna(), now());
            }
        }
        if (blocked == null) {
            return;
        }
        SocketCall.Result r = blocked.retry().get();
        if (r == null && now() >= blocked.deadlineNs()) {
            r = blocked.onDeadline();
        }
        if (r != null) {
            blocked.pending().complete(r, target.nowUs());
            blocked = null;
        }
    }

    /** When a blocked call times out by itself (poll with a timeout), or {@link Long#MAX_VALUE}. */
    long nextDeadlineNs() {
        return blocked == null ? Long.MAX_VALUE : blocked.deadlineNs();
    }

    private JtcpSocket sock(SocketCall c) {
        JtcpSocket s = fds.get((int) c.integer(0));
        if (s == null) {
            throw new BadFd();
        }
        return s;
    }

    /** A call on an fd that is not open: EBADF. */
    private static final class BadFd extends RuntimeException {
        BadFd() {
            super(null, null, false, false);
        }
    }

    private static SocketCall.Result guarded(Supplier<SocketCall.Result> body) {
        try {
            return body.get();
        } catch (BadFd e) {
            return SocketCall.Result.error("EBADF");
        } catch (TcpException e) {
            return SocketCall.Result.error(e.error().errno());
        } catch (IllegalArgumentException | IllegalStateException e) {
            return SocketCall.Result.error("EINVAL");
        }
    }

    // =============================================================================================
    // socket, bind, listen, accept, connect
    // =============================================================================================

    private SocketCall.Result socket(SocketCall c) {
        long type = c.isDefault(1) ? 1 : c.integer(1);
        if ((type & 0xF) != 1) {
            throw new ScriptUnsupportedException(c.line(), "only SOCK_STREAM sockets are supported");
        }
        int fd = 3;
        while (fds.containsKey(fd)) {
            fd++;
        }
        JtcpSocket s = new JtcpSocket(fd);
        s.nonBlocking = (type & O_NONBLOCK) != 0;
        fds.put(fd, s);
        return SocketCall.Result.ok(fd);
    }

    private SocketCall.Result bind(SocketCall c) {
        return guarded(() -> {
            JtcpSocket s = sock(c);
            Addr a = address(c, 1, ends.local);
            for (JtcpSocket o : fds.values()) {
                if (o != s && o.boundPort == a.port && o.listener != null && !(s.reuseAddr && o.reuseAddr)) {
                    return SocketCall.Result.error("EADDRINUSE");
                }
            }
            s.boundAddress = a.address;
            s.boundPort = a.port;
            return SocketCall.Result.ok(0);
        });
    }

    private SocketCall.Result listen(SocketCall c) {
        return guarded(() -> {
            JtcpSocket s = sock(c);
            if (s.conn != null) {
                return SocketCall.Result.error("EINVAL");
            }
            if (s.listener != null) {
                return SocketCall.Result.ok(0);
            }
            if (s.boundPort < 0) {
                throw new ScriptUnsupportedException(c.line(), "listen() on an unbound socket (automatic port) is not supported");
            }
            int backlog = (int) Math.max(1, c.integer(1));
            if (s.receiveBuffer > 0) {
                // Children of a listener take the host's receive buffer size.
                target.configureBeforeStart(c.line(), "SO_RCVBUF on a listener", b -> b.receiveBufferBytes(s.receiveBuffer)
                        .receiveBufferMaxBytes(s.receiveBuffer)); // explicit: no autotuning, as Linux
            }
            Host host = target.host();
            IpAddress addr = s.boundAddress == null || s.boundAddress.isUnspecified() ? IpAddress.ANY_V4 : s.boundAddress;
            s.listener = host.listen(now(), addr, s.boundPort, backlog);
            s.listener.fastOpen(s.fastOpenQueue);
            if (s.fastOpenKey != null) {
                s.listener.fastOpenKey(s.fastOpenKey);
            }
            if (s.maxSegment > 0) {
                s.listener.maxSegmentSize(s.maxSegment); // TCP_MAXSEG set before listen()
            }
            ends.localPort = s.boundPort;
            ends.remotePort = ends.remotePortForListen();
            return SocketCall.Result.ok(0);
        });
    }

    private SocketCall.Result accept(SocketCall c) {
        return guarded(() -> {
            JtcpSocket s = sock(c);
            if (s.listener == null) {
                return SocketCall.Result.error("EINVAL");
            }
            TcpConnection conn = s.listener.accept();
            if (conn == null) {
                return s.nonBlocking ? SocketCall.Result.error("EAGAIN") : null;
            }
            int fd = (int) socket(new SocketCall("socket", List.of(), c.line(), false)).value();
            JtcpSocket child = fds.get(fd);
            child.conn = conn;
            child.connectReported = true;
            child.noDelay = s.noDelay;
            child.cork = s.cork;
            child.notSentLowat = s.notSentLowat;
            child.zeroCopyEnabled = s.zeroCopyEnabled;
            child.keepAlive = s.keepAlive;
            child.keepAliveIdleSeconds = s.keepAliveIdleSeconds;
            child.userTimeoutMs = s.userTimeoutMs;
            child.tos = s.tos;
            child.maxSegment = s.maxSegment;
            child.sendBuffer = s.sendBuffer;
            child.lingerOn = s.lingerOn;
            child.lingerSeconds = s.lingerSeconds;
            child.applyOptions(now());
            known.add(conn);
            ends.remotePort = conn.key().remotePort();
            return SocketCall.Result.ok(fd);
        });
    }

    /**
     * The buffer argument is NULL (packetdrill passes it as given): a copy through it fails with
     * EFAULT. The emulation moves byte counts, not memory, so only this one invalid address is known
     * to fault.
     */
    private static boolean nullBuffer(SocketCall c) {
        return c.arg(1) instanceof Long p && p == 0;
    }

    /** Returns the first attempt's closure: it opens the connection once, later attempts wait for it. */
    private Supplier<SocketCall.Result> connect(SocketCall c) {
        boolean[] first = {true};
        return () -> guarded(() -> {
            JtcpSocket s = sock(c);
            boolean starting = first[0];
            first[0] = false;
            if (starting && s.conn == null) {
                if (s.listener != null || s.deferredAddress != null) {
                    // Linux: a deferred TCP_FASTOPEN_CONNECT left the socket SS_CONNECTED.
                    return SocketCall.Result.error("EISCONN");
                }
                Addr a = address(c, 1, ends.remote);
                if (s.fastOpenConnect) {
                    // TCP_FASTOPEN_CONNECT: with a cookie cached, connect() succeeds at once and the
                    // first write sends SYN and data; without one, the SYN asks for a cookie.
                    FastOpen fo = target.host().fastOpen();
                    if (fo.has(FastOpen.CLIENT) && (fo.cachedCookie(a.address()) != null
                            || fo.has(FastOpen.CLIENT_NO_COOKIE))) {
                        s.deferredAddress = a.address();
                        s.deferredPort = a.port();
                        s.connectReported = true;
                        return SocketCall.Result.ok(0);
                    }
                    open(s, a, c.line(), ByteBuffer.allocate(0));
                    return s.nonBlocking ? SocketCall.Result.error("EINPROGRESS") : waitConnected(s);
                }
                open(s, a, c.line());
                return s.nonBlocking ? SocketCall.Result.error("EINPROGRESS") : waitConnected(s);
            }
            if (starting && isOpening(s.conn)) {
                return SocketCall.Result.error("EALREADY");
            }
            if (!starting) {
                return waitConnected(s);
            }
            SocketCall.Result err = s.takeError();
            if (err != null) {
                return err;
            }
            if (!s.connectReported && s.conn.state() != TcpState.CLOSED) {
                s.connectReported = true;
                return SocketCall.Result.ok(0);
            }
            return SocketCall.Result.error(s.conn.state() == TcpState.CLOSED ? "ECONNABORTED" : "EISCONN");
        });
    }

    private SocketCall.Result waitConnected(JtcpSocket s) {
        if (isOpening(s.conn)) {
            return null;
        }
        SocketCall.Result err = s.takeError();
        if (err != null) {
            return err;
        }
        s.connectReported = true;
        return SocketCall.Result.ok(0);
    }

    private static boolean isOpening(TcpConnection c) {
        return c.state() == TcpState.SYN_SENT || c.state() == TcpState.SYN_RECEIVED && c.error() == null;
    }

    private void open(JtcpSocket s, Addr to, int line) {
        open(s, to, line, null);
    }

    /** OPEN; with {@code fastOpenData}, a Fast Open one (RFC 7413): returns the bytes the SYN took. */
    private int open(JtcpSocket s, Addr to, int line, ByteBuffer fastOpenData) {
        Host host = target.host();
        TcpConnection conn;
        int taken = 0;
        if (s.maxSegment > 0 || s.receiveBuffer > 0 || s.tos != 0 || fastOpenData != null) {
            // Options that shape the SYN (its MSS option, its window and scale, its TOS) must be set before
            // OPEN, which Host.connect does at once; so build the connection the way it does.
            IpAddress local = s.boundAddress != null && !s.boundAddress.isUnspecified() ? s.boundAddress : ends.local;
            int port = s.boundPort > 0 ? s.boundPort : ephemeralPort(host);
            conn = new TcpConnection(host, new ConnectionKey(local, port, to.address, to.port));
            if (s.maxSegment > 0) {
                conn.maxSegmentSize(s.maxSegment);
            }
            if (s.receiveBuffer > 0) {
                conn.receiveBufferSize(s.receiveBuffer);
            }
            conn.tos(s.tos);
            host.register(conn);
            if (fastOpenData != null) {
                taken = conn.openFastOpen(now(), fastOpenData);
            } else {
                conn.open(now());
            }
        } else {
            conn = host.connect(now(), to.address, to.port, Math.max(s.boundPort, 0));
        }
        s.conn = conn;
        known.add(conn);
        s.applyOptions(now());
        ends.localPort = conn.key().localPort();
        ends.remotePort = to.port;
        return taken;
    }

    private int ephemeralPort(Host host) {
        while (true) {
            int p = nextEphemeral++;
            boolean used = false;
            for (TcpConnection c : host.connections()) {
                used |= c.key().localPort() == p;
            }
            if (!used) {
                return p;
            }
        }
    }

    /** An address argument: {@code ...} means the default; else a sockaddr struct. */
    private record Addr(IpAddress address, int port) {}

    /** TCP_FASTOPEN_CONNECT while the host's Fast Open client bit is off: Linux says EOPNOTSUPP. */
    private boolean fastOpenConnectOff(SocketCall c) {
        return c.integer(1) == 6 && c.integer(2) == 30 && !target.host().fastOpen().has(FastOpen.CLIENT);
    }

    private Addr address(SocketCall c, int i, IpAddress fallback) {
        Object a = c.arg(i);
        if (a == SocketCall.DEFAULT) {
            return new Addr(fallback, Endpoints.DEFAULT_PORT);
        }
        if (a instanceof Map<?, ?> m) {
            Object port = m.containsKey("sin_port") ? m.get("sin_port") : m.get("sin6_port");
            Object addr = m.containsKey("sin_addr") ? m.get("sin_addr") : m.get("sin6_addr");
            IpAddress ip = fallback;
            if (addr instanceof String text) {
                ip = IpAddress.parse(text);
            } else if (addr instanceof Long n) {
                ip = n == 0 ? (fallback.isV4() ? IpAddress.ANY_V4 : IpAddress.ANY_V6) : IpAddress.ofV4(n.intValue());
            }
            return new Addr(ip, port instanceof Long p ? p.intValue() : Endpoints.DEFAULT_PORT);
        }
        throw new ScriptUnsupportedException(c.line(), c.name() + ": address argument " + a + " is not supported");
    }

    /**
     * readv/writev ({@code fd, [iovec...], n}) and recvmsg/sendmsg ({@code fd, {msg_iov=[...]},
     * flags}) as the plain call over the total length: the emulation moves byte counts, not bytes.
     */
    private static SocketCall vectored(SocketCall c, String plain) {
        boolean msg = c.name().endsWith("msg");
        Object iov = c.arg(1);
        long flags = 0;
        if (msg) {
            if (!(iov instanceof Map<?, ?> m)) {
                throw new ScriptUnsupportedException(c.line(), c.name() + ": expected a struct msghdr");
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                boolean empty = e.getValue() == SocketCall.DEFAULT || Long.valueOf(0).equals(e.getValue())
                        || e.getValue() instanceof List<?> l && l.isEmpty();
                boolean inqControl = e.getKey().equals("msg_control") && plain.equals("read");
                if (!e.getKey().equals("msg_iov") && !e.getKey().equals("msg_flags") && !inqControl && !empty) {
                    throw new ScriptUnsupportedException(c.line(), c.name() + " with " + e.getKey()
                            + " (addresses, control messages) is not supported on jtcp");
                }
            }
            iov = m.get("msg_iov");
            flags = c.argCount() > 2 ? c.integer(2) : 0;
        }
        if (!(iov instanceof List<?> list)) {
            throw new ScriptUnsupportedException(c.line(), c.name() + ": expected an array of iovecs");
        }
        long total = 0;
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> v) || !(v.get("iov_len") instanceof Long len)) {
                throw new ScriptUnsupportedException(c.line(), c.name() + ": expected {..., len} iovecs");
            }
            total += len;
        }
        return new SocketCall(plain, List.of(c.arg(0), SocketCall.DEFAULT, total, flags), c.line(),
                c.scriptBlocking());
    }

    /**
     * recvmsg's {@code msg_control} after a read: with TCP_INQ on, one TCP_CM_INQ message with the
     * bytes still queued, as Linux's tcp_inq_hint counts them (1 once the peer's FIN is in and
     * nothing is left, so that the reader knows to read the end); with it off, no message.
     */
    private SocketCall.Result withInq(SocketCall c, SocketCall.Result r) {
        if (r == null || r.errno() != null) {
            return r;
        }
        JtcpSocket s = fds.get((int) c.integer(0));
        if (s == null || !s.inq || s.conn == null) {
            return SocketCall.Result.ok(r.value(), List.of());
        }
        long queued = s.conn.readable();
        if (queued == 0 && s.conn.isEndOfStream()) {
            queued = 1;
        }
        Map<String, Object> cmsg = new LinkedHashMap<>();
        cmsg.put("cmsg_level", 6L);
        cmsg.put("cmsg_type", 36L);
        cmsg.put("cmsg_data", queued);
        return SocketCall.Result.ok(r.value(), List.of(cmsg));
    }

    /**
     * recvmsg(MSG_ERRQUEUE): a zerocopy completion ({@link ZeroCopy}) or else a transmit timestamp
     * ({@link TxTimestamps}) in {@code msg_control}, or EAGAIN.
     */
    private SocketCall.Result errorQueue(SocketCall c) {
        return guarded(() -> {
            JtcpSocket s = sock(c);
            boolean v6 = s.conn != null && !s.conn.key().remoteAddress().isV4();
            List<Object> control = s.conn == null ? null : s.zeroCopy.takeNotification(s.conn.status(), v6);
            if (control == null && s.conn != null) {
                control = s.timestamps.take(v6);
            }
            return control == null ? SocketCall.Result.error("EAGAIN") : SocketCall.Result.ok(0, control);
        });
    }

    // =============================================================================================
    // read, write, close, shutdown
    // =============================================================================================

    private SocketCall.Result read(SocketCall c) {
        return guarded(() -> {
            JtcpSocket s = sock(c);
            long flags = c.argCount() > 3 ? c.integer(3) : 0;
            if ((flags & ~(0x40L | 0x100L)) != 0) {
                throw new ScriptUnsupportedException(c.line(), c.name() + " flags " + flags + " (MSG_PEEK, MSG_OOB) are not supported");
            }
            if (s.conn == null && s.deferredAddress != null) {
                // Linux: SYN-SENT with the connect deferred (TCP_FASTOPEN_CONNECT); nothing to read yet.
                return s.nonBlocking || (flags & 0x40) != 0 ? SocketCall.Result.error("EAGAIN") : null;
            }
            if (s.conn == null) {
                return SocketCall.Result.error("ENOTCONN");
            }
            TcpConnection conn = s.conn;
            if (conn.readable() > 0 && nullBuffer(c) && c.integer(2) > 0) {
                return SocketCall.Result.error("EFAULT"); // the copy to the user's buffer fails; data stays
            }
            if (conn.readable() > 0) {
                // Linux reads what is queued even after shutdown(SHUT_RD), and queues data that
                // arrives later (tcp_recvmsg checks RCV_SHUTDOWN only once the queue is empty); data
                // a reset left (TcpConfig.failureKeepsReceived) comes before the error too.
                int n = (int) Math.min(c.integer(2), conn.readable());
                return SocketCall.Result.ok(conn.receive(now(), ByteBuffer.allocate(n)));
            }
            SocketCall.Result err = s.takeError();
            if (err != null) {
                return err;
            }
            if (s.readShutdown) {
                return SocketCall.Result.ok(0);
            }
            if (conn.isEndOfStream() || conn.state() == TcpState.CLOSED || conn.state() == TcpState.TIME_WAIT) {
                return SocketCall.Result.ok(0);
            }
            return s.nonBlocking || (flags & 0x40) != 0 ? SocketCall.Result.error("EAGAIN") : null;
        });
    }

    /** write, send, sendto: n zero bytes; a blocking write returns once all are queued. */
    private Supplier<SocketCall.Result> write(SocketCall c) {
        return write(c, null);
    }

    /**
     * The same, with {@code skbEnds} (offsets into the data, ascending, or null) where the data is
     * cut into records ({@link TcpConnection#markRecordEnd}), as Linux's zerocopy skbs are.
     */
    private Supplier<SocketCall.Result> write(SocketCall c, long[] skbEnds) {
        Supplier<SocketCall.Result> attempt = writeAttempt(c, skbEnds);
        return () -> {
            SocketCall.Result r = attempt.get();
            long flags = c.argCount() > 3 ? c.integer(3) : 0;
            JtcpSocket s = r != null && r.value() > 0 ? fds.get((int) c.integer(0)) : null;
            if (s != null && s.conn != null) {
                if ((flags & MSG_EOR) != 0 && r.value() == c.integer(2)) {
                    // Linux marks the record's last skb only once the whole message is queued.
                    s.conn.markRecordEnd();
                }
                if ((flags & ZeroCopy.MSG_ZEROCOPY) != 0 && s.zeroCopyEnabled) {
                    s.zeroCopy.sent(s.conn.status());
                }
                s.timestamps.onSend(s.conn.status(), now());
            }
            return r;
        };
    }

    /** Linux's MAX_SKB_FRAGS: the page fragments one skb holds. */
    private static final int MAX_SKB_FRAGS = 17;
    private static final int PAGE_BYTES = 4096;

    /**
     * A zerocopy sendmsg (MSG_ZEROCOPY on a socket with SO_ZEROCOPY) pins the application's pages:
     * each iovec takes at least one page fragment of an skb, an skb holds at most {@link
     * #MAX_SKB_FRAGS}, and a full skb is pushed and closed (Linux's tcp_sendmsg). Returns the
     * offsets where full skbs end, or null when the iovecs fit in one (or the send copies).
     */
    private long[] zeroCopySkbEnds(SocketCall c) {
        if (!c.name().equals("sendmsg") || c.argCount() <= 2 || (c.integer(2) & ZeroCopy.MSG_ZEROCOPY) == 0
                || !(c.arg(1) instanceof Map<?, ?> m) || !(m.get("msg_iov") instanceof List<?> iov)) {
            return null;
        }
        JtcpSocket s = fds.get((int) c.integer(0));
        if (s == null || !s.zeroCopyEnabled) {
            return null;
        }
        List<Long> ends = new ArrayList<>();
        long offset = 0;
        int frags = 0;
        for (Object o : iov) {
            long len = o instanceof Map<?, ?> v && v.get("iov_len") instanceof Long l ? l : 0;
            long left = len;
            while (left > 0) {
                if (frags == MAX_SKB_FRAGS) {
                    ends.add(offset);
                    frags = 0;
                }
                long piece = Math.min(left, PAGE_BYTES);
                frags++;
                offset += piece;
                left -= piece;
            }
        }
        return ends.isEmpty() ? null : ends.stream().mapToLong(Long::longValue).toArray();
    }

    /** The first of {@code skbEnds} past {@code written}, or {@code total}. */
    private static long nextSkbEnd(long[] skbEnds, long written, long total) {
        if (skbEnds != null) {
            for (long end : skbEnds) {
                if (end > written) {
                    return end;
                }
            }
        }
        return total;
    }

    private Supplier<SocketCall.Result> writeAttempt(SocketCall c, long[] skbEnds) {
        long[] written = {0};
        return () -> guarded(() -> {
            JtcpSocket s = sock(c);
            long total = c.integer(2);
            long flags = c.argCount() > 3 ? c.integer(3) : 0;
            long supported = 0x1L | 0x40L | 0x4000L | MSG_MORE | MSG_EOR | MSG_FASTOPEN | ZeroCopy.MSG_ZEROCOPY;
            if ((flags & ~supported) != 0) {
                throw new ScriptUnsupportedException(c.line(), c.name() + " flag " + Symbols.messageFlags(
                        flags & ~supported) + " is not supported on jtcp");
            }
            boolean dontWait = s.nonBlocking || (flags & 0x40) != 0;
            boolean deferred = s.deferredAddress != null;
            if (nullBuffer(c) && total > 0 && written[0] == 0) {
                if (((flags & MSG_FASTOPEN) != 0 || deferred) && s.conn == null && s.listener == null
                        && (deferred || target.host().fastOpen().has(FastOpen.CLIENT))) {
                    // Linux (tcp_send_syn_data): the copy into the SYN fails, a SYN without data goes.
                    Addr a = deferred ? new Addr(s.deferredAddress, s.deferredPort)
                            : c.name().equals("sendto") ? address(c, 4, ends.remote) : new Addr(ends.remote, Endpoints.DEFAULT_PORT);
                    s.deferredAddress = null;
                    open(s, a, c.line(), ByteBuffer.allocate(0));
                    return SocketCall.Result.error(dontWait ? "EINPROGRESS" : "EFAULT");
                }
                if (s.conn != null && !s.writeShutdown) {
                    SocketCall.Result err = s.takeError();
                    return err != null ? err : SocketCall.Result.error("EFAULT"); // the copy from the buffer fails
                }
            }
            if ((flags & MSG_FASTOPEN) != 0 && s.conn != null && written[0] == 0 && isOpening(s.conn)) {
                return SocketCall.Result.error("EALREADY");
            }
            if (((flags & MSG_FASTOPEN) != 0 || deferred) && s.conn == null && written[0] == 0) {
                // RFC 7413 §4.2.1, Linux's sendto(MSG_FASTOPEN): OPEN with the data in the SYN.
                if (s.listener != null) {
                    return SocketCall.Result.error("EISCONN");
                }
                if (!deferred && !target.host().fastOpen().has(FastOpen.CLIENT)) {
                    return SocketCall.Result.error("EOPNOTSUPP"); // Linux, with the client bit off
                }
                if (!deferred && c.name().equals("sendto") && c.arg(4) instanceof Long family && family == 0) {
                    // packetdrill passes a bare family as a zeroed sockaddr; Linux refuses AF_UNSPEC
                    // for Fast Open (tcp_sendmsg_fastopen).
                    return SocketCall.Result.error("EOPNOTSUPP");
                }
                Addr a = deferred ? new Addr(s.deferredAddress, s.deferredPort)
                        : c.name().equals("sendto") ? address(c, 4, ends.remote) : new Addr(ends.remote, Endpoints.DEFAULT_PORT);
                s.deferredAddress = null;
                int taken = open(s, a, c.line(), ByteBuffer.allocate((int) total));
                written[0] = taken;
                if (dontWait) {
                    return taken > 0 ? SocketCall.Result.ok(taken) : SocketCall.Result.error("EINPROGRESS");
                }
                // Blocking: the rest waits in the send buffer and goes with the handshake's ACK.
                written[0] += s.conn.send(now(), ByteBuffer.allocate((int) (total - taken)));
                return null;
            } else if (c.name().equals("sendto") && !c.isDefault(4) && c.arg(4) instanceof Map<?, ?> && (flags & MSG_FASTOPEN) == 0) {
                throw new ScriptUnsupportedException(c.line(), "sendto() with an address is not supported");
            }
            SocketCall.Result err = s.takeError();
            if (err != null) {
                return err;
            }
            TcpConnection conn = s.conn;
            if (conn == null || s.writeShutdown) {
                return SocketCall.Result.error("EPIPE");
            }
            boolean fastOpen = conn.isFastOpenChild() && conn.state() == TcpState.SYN_RECEIVED;
            if (isOpening(conn) && !fastOpen) {
                return dontWait ? SocketCall.Result.error("EAGAIN") : null;
            }
            if (conn.state() != TcpState.ESTABLISHED && conn.state() != TcpState.CLOSE_WAIT && !fastOpen) {
                return SocketCall.Result.error("EPIPE");
            }
            if (nullBuffer(c) && total > written[0]) {
                // Linux: nothing can be copied from a NULL buffer; EFAULT unless some bytes were sent.
                return written[0] > 0 ? SocketCall.Result.ok(written[0]) : SocketCall.Result.error("EFAULT");
            }
            while (true) {
                long upTo = nextSkbEnd(skbEnds, written[0], total);
                ByteBuffer data = ByteBuffer.allocate((int) (upTo - written[0]));
                int n = (flags & MSG_MORE) != 0 && (flags & 0x1) == 0 ? conn.sendMore(now(), data)
                        : conn.send(now(), data, (flags & 0x1) != 0);
                written[0] += n;
                if (written[0] < upTo || upTo == total) {
                    break;
                }
                conn.markRecordEnd(); // a full zerocopy skb: closed and pushed
            }
            if (written[0] == total) {
                return SocketCall.Result.ok(total);
            }
            if (dontWait) {
                return written[0] > 0 ? SocketCall.Result.ok(written[0]) : SocketCall.Result.error("EAGAIN");
            }
            return null;
        });
    }

    /** A file the script made ({@code bytes} zero bytes) or removed ({@code bytes} -1). */
    void writeFile(String path, long bytes) {
        if (bytes < 0) {
            files.remove(path);
        } else {
            files.put(path, bytes);
        }
    }

    /** open(path, O_RDONLY) of an emulated file: the lowest free descriptor, or ENOENT. */
    private SocketCall.Result openFile(SocketCall c) {
        if (!(c.arg(0) instanceof String path) || (c.integer(1) & 3) != 0) {
            throw new ScriptUnsupportedException(c.line(), "open() is supported for reading a file the script made");
        }
        Long size = files.get(path);
        if (size == null) {
            return SocketCall.Result.error("ENOENT");
        }
        int fd = (int) socket(new SocketCall("socket", List.of(), c.line(), false)).value();
        fds.get(fd).fileBytes = size;
        return SocketCall.Result.ok(fd);
    }

    /**
     * sendfile(out, in, [offset], count): the file's zero bytes from the offset, at most {@code
     * count}, written to the socket as write() would (blocking alike).
     */
    private Supplier<SocketCall.Result> sendfile(SocketCall c) {
        JtcpSocket in = fds.get((int) c.integer(1));
        if (in == null || in.fileBytes < 0) {
            return () -> SocketCall.Result.error("EBADF");
        }
        long offset = c.arg(2) instanceof List<?> l && l.size() == 1 && l.getFirst() instanceof Long o ? o
                : c.isDefault(2) || c.arg(2) instanceof Long ? 0 : -1;
        if (offset < 0) {
            throw new ScriptUnsupportedException(c.line(), "sendfile: expected [offset], NULL or ...");
        }
        long n = Math.max(0, Math.min(c.integer(3), in.fileBytes - offset));
        if (n == 0) {
            return () -> SocketCall.Result.ok(0);
        }
        return write(new SocketCall("write", List.of(c.arg(0), SocketCall.DEFAULT, n), c.line(), false));
    }

    private SocketCall.Result close(SocketCall c) {
        return guarded(() -> {
            JtcpSocket s = sock(c);
            fds.remove(s.fd);
            if (s.listener != null) {
                target.host().closeListener(now(), s.listener);
            }
            if (s.conn != null && s.conn.state() != TcpState.CLOSED) {
                if (s.lingerOn && s.lingerSeconds == 0) {
                    s.conn.abort(now());
                } else {
                    s.conn.closeFully(now());
                }
            }
            return SocketCall.Result.ok(0);
        });
    }

    private SocketCall.Result shutdown(SocketCall c) {
        return guarded(() -> {
            JtcpSocket s = sock(c);
            long how = c.integer(1);
            if (s.conn == null || s.conn.state() == TcpState.CLOSED) {
                return SocketCall.Result.error("ENOTCONN");
            }
            if (how == 0 || how == 2) {
                s.readShutdown = true;
            }
            if ((how == 1 || how == 2) && !s.writeShutdown) {
                s.writeShutdown = true;
                s.conn.close(now());
            }
            return SocketCall.Result.ok(0);
        });
    }

    // =============================================================================================
    // fcntl, setsockopt, getsockopt, ioctl, poll
    // =============================================================================================

    /** poll(fds, nfds, timeout): revents per pollfd in {@code out}; blocks until one is ready or the timeout. */
    private Supplier<SocketCall.Result> poll(SocketCall c) {
        return () -> {
            List<?> pfds = pollFds(c);
            List<Long> revents = new ArrayList<>();
            int ready = 0;
            for (Object o : pfds) {
                Map<?, ?> m = (Map<?, ?>) o;
                long fd = (Long) m.get("fd");
                long events = m.get("events") instanceof Long e ? e : 0;
                long r = JtcpSocket.revents(fds.get((int) fd), events);
                revents.add(r);
                if (r != 0) {
                    ready++;
                }
            }
            long timeout = c.integer(2);
            if (ready > 0 || timeout == 0) {
                return SocketCall.Result.ok(ready, revents);
            }
            return null;
        };
    }

    private static List<?> pollFds(SocketCall c) {
        if (c.arg(0) instanceof List<?> l && l.stream().allMatch(o -> o instanceof Map<?, ?> m && m.get("fd") instanceof Long)) {
            return l;
        }
        throw new ScriptUnsupportedException(c.line(), "poll: expected [{fd=N, events=...}, ...]");
    }

    /** epoll_ctl(epfd, op, fd, {events=..., fd=N}) on an {@link EpollSet}. */
    private SocketCall.Result epollControl(SocketCall c) {
        JtcpSocket e = sock(c);
        JtcpSocket s = fds.get((int) c.integer(2));
        if (e.epoll == null) {
            return SocketCall.Result.error("EINVAL");
        }
        if (s == null) {
            return SocketCall.Result.error("EBADF");
        }
        long events = 0;
        Object data = null;
        if (c.arg(3) instanceof Map<?, ?> m) {
            events = m.get("events") instanceof Long v ? v : 0;
            data = m.containsKey("fd") ? m.get("fd") : m.containsKey("u64") ? m.get("u64") : m.get("ptr");
        } else if (c.integer(1) != 2) {
            throw new ScriptUnsupportedException(c.line(), "epoll_ctl: expected {events=..., fd=N}");
        }
        String err = e.epoll.control((int) c.integer(1), s, events, data);
        return err == null ? SocketCall.Result.ok(0) : SocketCall.Result.error(err);
    }

    /** epoll_wait(epfd, {events=..., fd=N}, maxevents, timeout): the first event in {@code out}; blocks like poll. */
    private Supplier<SocketCall.Result> epollWait(SocketCall c) {
        return () -> guarded(() -> {
            JtcpSocket e = sock(c);
            if (e.epoll == null) {
                return SocketCall.Result.error("EINVAL");
            }
            int[] count = new int[1];
            Map<String, Object> first = e.epoll.take((int) Math.max(1, c.integer(2)), count);
            if (first != null) {
                return SocketCall.Result.ok(count[0], first);
            }
            if (c.integer(3) == 0) {
                Map<String, Object> none = new java.util.LinkedHashMap<>();
                none.put("events", 0L);
                return SocketCall.Result.ok(0, none);
            }
            return null;
        });
    }

    private long pollDeadline(SocketCall c) {
        if (c.name().equals("epoll_wait")) {
            long timeoutMs = c.integer(3);
            return timeoutMs < 0 ? Long.MAX_VALUE : now() + timeoutMs * 1_000_000L;
        }
        long timeoutMs = c.integer(2);
        return timeoutMs < 0 ? Long.MAX_VALUE : now() + timeoutMs * 1_000_000L;
    }

    private static List<Long> pollTimeoutRevents(SocketCall c) {
        if (!c.name().equals("poll")) {
            return null;
        }
        List<Long> zeros = new ArrayList<>();
        for (int k = 0; k < pollFds(c).size(); k++) {
            zeros.add(0L);
        }
        return zeros;
    }

    // =============================================================================================
    // STATUS for tcpi_* assertions
    // =============================================================================================

    /** The connection (live, in TIME-WAIT, or closed) with this 4-tuple that a socket had, or null. */
    TcpConnection knownConnection(ConnectionKey key) {
        for (int k = known.size() - 1; k >= 0; k--) {
            if (known.get(k).key().equals(key)) {
                return known.get(k);
            }
        }
        return null;
    }

    /** The stack sent a segment: a socket timestamping its sends learns which bytes left when. */
    void onSegmentSent(LivePacket p) {
        for (JtcpSocket s : fds.values()) {
            if (s.conn != null && s.timestamps.isActive() && s.conn.key().localPort() == p.srcPort()
                    && s.conn.key().remotePort() == p.dstPort()) {
                s.timestamps.onSegmentSent(p.seq(), p.payloadLength(), now());
            }
        }
    }

    /** Whether a listener is open on {@code port}. */
    boolean listening(int port) {
        for (JtcpSocket s : fds.values()) {
            if (s.listener != null && s.listener.port() == port) {
                return true;
            }
        }
        return false;
    }

    /** Every socket of the host as a listing shows it: listeners, connections, TIME-WAIT records. */
    List<StateChecks.Row> rows(dev.jtcp.stack.Host host) {
        List<StateChecks.Row> rows = new ArrayList<>();
        if (host == null) {
            return rows;
        }
        for (dev.jtcp.tcp.TcpListener l : host.listeners()) {
            rows.add(new StateChecks.Row(l.localAddress() == null ? ends.local : l.localAddress(), l.port(), null, 0,
                    dev.jtcp.event.TcpState.LISTEN));
        }
        java.util.Set<ConnectionKey> seen = new java.util.HashSet<>();
        for (TcpConnection c : host.connections()) {
            ConnectionKey k = c.key();
            seen.add(k);
            rows.add(new StateChecks.Row(k.localAddress(), k.localPort(), k.remoteAddress(), k.remotePort(),
                    c.status().state()));
        }
        for (TcpConnection c : known) {
            ConnectionKey k = c.key();
            if (seen.add(k) && host.timeWait(k) != null) {
                rows.add(new StateChecks.Row(k.localAddress(), k.localPort(), k.remoteAddress(), k.remotePort(),
                        dev.jtcp.event.TcpState.TIME_WAIT));
            }
        }
        return rows;
    }
}
