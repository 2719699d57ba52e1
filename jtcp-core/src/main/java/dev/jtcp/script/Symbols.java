package dev.jtcp.script;

import java.util.HashMap;
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

        errno("EPERM", 1); errno("ENOENT", 2); errno("EINTR", 4); errno("EBADF", 9); errno("EAGAIN", 11);
        errno("ENOMEM", 12); errno("EACCES", 13); errno("EFAULT", 14); errno("EBUSY", 16); errno("EEXIST", 17);
        errno("EINVAL", 22); errno("EPIPE", 32); errno("ENOTSOCK", 88); errno("EDESTADDRREQ", 89);
        errno("EMSGSIZE", 90); errno("EPROTOTYPE", 91); errno("ENOPROTOOPT", 92); errno("EPROTONOSUPPORT", 93);
        errno("EOPNOTSUPP", 95); errno("EAFNOSUPPORT", 97); errno("EADDRINUSE", 98); errno("EADDRNOTAVAIL", 99);
        errno("ENETDOWN", 100); errno("ENETUNREACH", 101); errno("ECONNABORTED", 103); errno("ECONNRESET", 104);
        errno("ENOBUFS", 105); errno("EISCONN", 106); errno("ENOTCONN", 107); errno("ESHUTDOWN", 108);
        errno("ETIMEDOUT", 110); errno("ECONNREFUSED", 111); errno("EHOSTDOWN", 112); errno("EHOSTUNREACH", 113);
        errno("EALREADY", 114); errno("EINPROGRESS", 115);
        ERRNOS.put("EWOULDBLOCK", 11);
        VALUES.put("EWOULDBLOCK", 11L);
    }

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
