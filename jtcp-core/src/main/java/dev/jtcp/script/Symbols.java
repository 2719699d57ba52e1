package dev.jtcp.script;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The symbolic names of system-call arguments and errno values, with their Linux numbers: the
 * script language is Linux's, so the in-process emulation uses the same numbers, and the
 * differential mode can hand them to the kernel unchanged.
 */
final class Symbols {
    private static final Map<String, Long> VALUES = new HashMap<>();
    private static final Map<String, Integer> ERRNOS = new HashMap<>();
    private static final Map<Integer, String> ERRNO_NAMES = new HashMap<>();

    static {
        value("AF_INET", 2); value("AF_INET6", 10); value("PF_INET", 2); value("PF_INET6", 10);
        value("SOCK_STREAM", 1); value("SOCK_DGRAM", 2); value("SOCK_NONBLOCK", 04000); value("SOCK_CLOEXEC", 02000000);
        value("IPPROTO_IP", 0); value("IPPROTO_TCP", 6); value("IPPROTO_UDP", 17); value("IPPROTO_IPV6", 41);
        value("SOL_SOCKET", 1); value("SOL_TCP", 6); value("SOL_IP", 0); value("SOL_IPV6", 41);
        value("SO_DEBUG", 1); value("SO_REUSEADDR", 2); value("SO_TYPE", 3); value("SO_ERROR", 4);
        value("SO_DONTROUTE", 5); value("SO_BROADCAST", 6); value("SO_SNDBUF", 7); value("SO_RCVBUF", 8);
        value("SO_KEEPALIVE", 9); value("SO_OOBINLINE", 10); value("SO_LINGER", 13); value("SO_REUSEPORT", 15);
        value("SO_RCVLOWAT", 18); value("SO_SNDLOWAT", 19); value("SO_RCVTIMEO", 20); value("SO_SNDTIMEO", 21);
        value("TCP_NODELAY", 1); value("TCP_MAXSEG", 2); value("TCP_CORK", 3); value("TCP_KEEPIDLE", 4);
        value("TCP_KEEPINTVL", 5); value("TCP_KEEPCNT", 6); value("TCP_SYNCNT", 7); value("TCP_LINGER2", 8);
        value("TCP_DEFER_ACCEPT", 9); value("TCP_WINDOW_CLAMP", 10); value("TCP_INFO", 11); value("TCP_QUICKACK", 12);
        value("TCP_CONGESTION", 13); value("TCP_USER_TIMEOUT", 18); value("TCP_FASTOPEN", 23);
        value("TCP_FASTOPEN_CONNECT", 30); value("IP_TOS", 1); value("IPV6_TCLASS", 67);
        value("F_GETFL", 3); value("F_SETFL", 4); value("O_RDONLY", 0); value("O_WRONLY", 1); value("O_RDWR", 2);
        value("O_NONBLOCK", 04000);
        value("SHUT_RD", 0); value("SHUT_WR", 1); value("SHUT_RDWR", 2);
        value("MSG_OOB", 1); value("MSG_PEEK", 2); value("MSG_DONTROUTE", 4); value("MSG_DONTWAIT", 0x40);
        value("MSG_WAITALL", 0x100); value("MSG_NOSIGNAL", 0x4000); value("MSG_MORE", 0x8000);
        value("MSG_FASTOPEN", 0x20000000); value("MSG_ZEROCOPY", 0x4000000);
        value("POLLIN", 0x1); value("POLLPRI", 0x2); value("POLLOUT", 0x4); value("POLLERR", 0x8);
        value("POLLHUP", 0x10); value("POLLNVAL", 0x20); value("POLLRDNORM", 0x40); value("POLLRDBAND", 0x80);
        value("POLLWRNORM", 0x100); value("POLLWRBAND", 0x200); value("POLLRDHUP", 0x2000);
        value("SIOCINQ", 0x541B); value("FIONREAD", 0x541B); value("SIOCOUTQ", 0x5411); value("TIOCOUTQ", 0x5411);
        value("INADDR_ANY", 0);
        // Known to packetdrill (Linux numbers); the emulation decides per option whether jtcp supports it.
        value("AF_UNSPEC", 0); value("NULL", 0); value("SO_PRIORITY", 12); value("SO_BINDTODEVICE", 25);
        value("SO_TIMESTAMP", 29); value("SO_ACCEPTCONN", 30); value("SO_SNDBUFFORCE", 32);
        value("SO_RCVBUFFORCE", 33); value("SO_MARK", 36); value("SO_TIMESTAMPING", 37); value("SO_PROTOCOL", 38);
        value("SO_DOMAIN", 39); value("SO_MAX_PACING_RATE", 47); value("SO_INCOMING_CPU", 49);
        value("SO_ZEROCOPY", 60); value("SCM_TIMESTAMPING", 37);
        value("TCP_MD5SIG", 14); value("TCP_THIN_LINEAR_TIMEOUTS", 16); value("TCP_THIN_DUPACK", 17);
        value("TCP_REPAIR", 19); value("TCP_TIMESTAMP", 24); value("TCP_NOTSENT_LOWAT", 25); value("TCP_SAVE_SYN", 27);
        value("TCP_SAVED_SYN", 28); value("TCP_ULP", 31); value("TCP_FASTOPEN_KEY", 33);
        value("TCP_FASTOPEN_NO_COOKIE", 34); value("TCP_ZEROCOPY_RECEIVE", 35); value("TCP_INQ", 36);
        value("TCP_CM_INQ", 36); value("TCP_TX_DELAY", 37);
        // FreeBSD's TCP_NOOPT has no Linux number; one that no Linux option uses.
        value("TCP_NOOPT", 0x1008);
        value("IP_TTL", 2); value("IP_MTU_DISCOVER", 10); value("IP_RECVERR", 11); value("IP_MTU", 14);
        value("IP_FREEBIND", 15); value("IP_PMTUDISC_DONT", 0); value("IP_PMTUDISC_WANT", 1); value("IP_PMTUDISC_DO", 2);
        value("IP_PMTUDISC_PROBE", 3); value("IPV6_UNICAST_HOPS", 16); value("IPV6_MTU_DISCOVER", 23);
        value("IPV6_MTU", 24); value("IPV6_RECVERR", 25); value("IPV6_V6ONLY", 26);
        value("MSG_TRUNC", 0x20); value("MSG_EOR", 0x80); value("MSG_ERRQUEUE", 0x2000);
        value("EPOLLIN", 0x1); value("EPOLLPRI", 0x2); value("EPOLLOUT", 0x4); value("EPOLLERR", 0x8);
        value("EPOLLHUP", 0x10); value("EPOLLRDNORM", 0x40); value("EPOLLWRNORM", 0x100); value("EPOLLRDHUP", 0x2000);
        value("EPOLLEXCLUSIVE", 1L << 28); value("EPOLLWAKEUP", 1L << 29); value("EPOLLONESHOT", 1L << 30);
        value("EPOLLET", 1L << 31); value("EPOLL_CTL_ADD", 1); value("EPOLL_CTL_DEL", 2); value("EPOLL_CTL_MOD", 3);
        value("SCM_TSTAMP_SND", 0); value("SCM_TSTAMP_SCHED", 1); value("SCM_TSTAMP_ACK", 2);
        value("SOF_TIMESTAMPING_TX_HARDWARE", 0x1); value("SOF_TIMESTAMPING_TX_SOFTWARE", 0x2);
        value("SOF_TIMESTAMPING_RX_HARDWARE", 0x4); value("SOF_TIMESTAMPING_RX_SOFTWARE", 0x8);
        value("SOF_TIMESTAMPING_SOFTWARE", 0x10); value("SOF_TIMESTAMPING_SYS_HARDWARE", 0x20);
        value("SOF_TIMESTAMPING_RAW_HARDWARE", 0x40); value("SOF_TIMESTAMPING_OPT_ID", 0x80);
        value("SOF_TIMESTAMPING_TX_SCHED", 0x100); value("SOF_TIMESTAMPING_TX_ACK", 0x200);
        value("SOF_TIMESTAMPING_OPT_CMSG", 0x400); value("SOF_TIMESTAMPING_OPT_TSONLY", 0x800);
        value("SOF_TIMESTAMPING_OPT_STATS", 0x1000);
        value("SO_EE_ORIGIN_NONE", 0); value("SO_EE_ORIGIN_LOCAL", 1); value("SO_EE_ORIGIN_ICMP", 2);
        value("SO_EE_ORIGIN_ICMP6", 3); value("SO_EE_ORIGIN_TIMESTAMPING", 4); value("SO_EE_ORIGIN_ZEROCOPY", 5);
        value("SO_EE_CODE_ZEROCOPY_COPIED", 1);
        value("F_GETFD", 1); value("F_SETFD", 2); value("FD_CLOEXEC", 1); value("O_CLOEXEC", 02000000);
        value("FIONBIO", 0x5421);

        errno("EPERM", 1); errno("ENOENT", 2); errno("EINTR", 4); errno("EBADF", 9); errno("EAGAIN", 11);
        errno("ENOMEM", 12); errno("EACCES", 13); errno("EFAULT", 14); errno("EBUSY", 16); errno("EEXIST", 17);
        errno("EINVAL", 22); errno("EPIPE", 32); errno("ENOTSOCK", 88); errno("EDESTADDRREQ", 89);
        errno("EMSGSIZE", 90); errno("EPROTOTYPE", 91); errno("ENOPROTOOPT", 92); errno("EPROTONOSUPPORT", 93);
        errno("EOPNOTSUPP", 95); errno("EAFNOSUPPORT", 97); errno("EADDRINUSE", 98); errno("EADDRNOTAVAIL", 99);
        errno("ENETDOWN", 100); errno("ENETUNREACH", 101); errno("ECONNABORTED", 103); errno("ECONNRESET", 104);
        errno("ENOBUFS", 105); errno("EISCONN", 106); errno("ENOTCONN", 107); errno("ESHUTDOWN", 108);
        errno("ETIMEDOUT", 110); errno("ECONNREFUSED", 111); errno("EHOSTDOWN", 112); errno("EHOSTUNREACH", 113);
        errno("EALREADY", 114); errno("EINPROGRESS", 115); errno("ESRCH", 3); errno("E2BIG", 7);
        errno("ENOSPC", 28); errno("ERANGE", 34); errno("ENOSYS", 38); errno("ENOMSG", 42); errno("ENODATA", 61);
        errno("ETIME", 62); errno("EPROTO", 71); errno("EBADMSG", 74); errno("EOVERFLOW", 75);
        errno("ESOCKTNOSUPPORT", 94); errno("EPFNOSUPPORT", 96); errno("ENETRESET", 102); errno("ETOOMANYREFS", 109);
        ERRNOS.put("EWOULDBLOCK", 11);
        ERRNOS.put("ENOTSUP", 95);
        VALUES.put("ENOTSUP", 95L);
        VALUES.put("EWOULDBLOCK", 11L);
    }

    /** packetdrill's system calls; any other name is a mistake in the script (packetdrill rejects it). */
    static final java.util.Set<String> SYSCALLS = java.util.Set.of("socket", "bind", "listen", "accept", "connect",
            "read", "readv", "recv", "recvfrom", "recvmsg", "write", "writev", "send", "sendto", "sendmsg", "fcntl",
            "ioctl", "close", "shutdown", "getsockopt", "setsockopt", "poll", "cap_set", "open", "sendfile",
            "epoll_create", "epoll_ctl", "epoll_wait", "pipe", "splice", "psp_rx_assoc", "psp_tx_assoc");

    private Symbols() {
    }

    private static void value(String name, long v) {
        VALUES.put(name, v);
    }

    private static void errno(String name, int v) {
        ERRNOS.put(name, v);
        ERRNO_NAMES.put(v, name);
        VALUES.put(name, (long) v);
    }

    /** A socket option's name ({@code SOL_TCP TCP_FASTOPEN}), or its numbers when unknown. */
    static String optionName(long level, long name) {
        String prefix = level == 1 ? "SO_" : level == 6 ? "TCP_" : level == 0 ? "IP_" : level == 41 ? "IPV6_" : null;
        String levelName = level == 1 ? "SOL_SOCKET" : level == 6 ? "SOL_TCP" : level == 0 ? "SOL_IP"
                : level == 41 ? "SOL_IPV6" : "level " + level;
        if (prefix != null) {
            String best = null;
            for (Map.Entry<String, Long> e : VALUES.entrySet()) {
                if (e.getKey().startsWith(prefix) && e.getValue() == name && !e.getKey().startsWith("IP_PMTUDISC")
                        && (best == null || e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                }
            }
            if (best != null) {
                return levelName + " " + best;
            }
        }
        return levelName + " option " + name;
    }

    /** The MSG_* names of the bits in {@code flags}, joined with '|'. */
    static String messageFlags(long flags) {
        List<String> out = new java.util.ArrayList<>();
        for (long bit = 1; bit != 0 && bit <= flags; bit <<= 1) {
            if ((flags & bit) != 0) {
                String name = "0x" + Long.toHexString(bit);
                for (Map.Entry<String, Long> e : VALUES.entrySet()) {
                    if (e.getKey().startsWith("MSG_") && e.getValue() == bit) {
                        name = e.getKey();
                    }
                }
                out.add(name);
            }
        }
        return String.join("|", out);
    }

    /** The value of a symbol, or null if unknown. Errno names are symbols too ({@code [ECONNREFUSED]}). */
    static Long value(String name) {
        return VALUES.get(name);
    }

    /** The number of an errno name, or -1. EWOULDBLOCK is EAGAIN. */
    static int errno(String name) {
        return ERRNOS.getOrDefault(name, -1);
    }

    /** The name of an errno number ({@code EAGAIN} for 11), or {@code errno N}. */
    static String errnoName(int errno) {
        return ERRNO_NAMES.getOrDefault(errno, "errno " + errno);
    }

    /** Whether two errno names mean the same error (EAGAIN and EWOULDBLOCK do). */
    static boolean sameErrno(String a, String b) {
        if (a == null || b == null) {
            return a == b;
        }
        int x = errno(a);
        return x >= 0 ? x == errno(b) : a.equals(b);
    }
}
