package dev.jtcp.script;

import dev.jtcp.tcp.ConnectionStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoll instance of {@link JtcpSockets} (epoll(7)): the descriptors registered with their
 * event masks, and Linux's ready list. A descriptor joins the list when registered or modified
 * while ready, and whenever its socket is woken: data or a FIN arrives, the state changes, an error
 * or a zerocopy completion is queued, a connection waits to be accepted, or it becomes writable
 * again. epoll_wait reports each listed descriptor's current events; level-triggered ones stay
 * listed while they have any, EPOLLET ones leave the list, EPOLLONESHOT ones are disabled until
 * EPOLL_CTL_MOD. Wakeups between two waits are seen as changes of what the socket shows, so
 * several of them count as one (as Linux's list holds a descriptor once). Not thread-safe.
 */
final class EpollSet {
    static final long EPOLLET = 1L << 31;
    static final long EPOLLONESHOT = 1L << 30;

    private static final class Item {
        /** The registered socket. */
        final JtcpSocket sock;
        /** The events asked for, with EPOLLET and EPOLLONESHOT. */
        long events;
        /** epoll_event's data as registered (the fd the script wrote). */
        Object data;
        /** On Linux's ready list. */
        boolean ready;
        /** An EPOLLONESHOT registration that has reported, until EPOLL_CTL_MOD. */
        boolean disabled;
        /** What the socket showed at the last look: received up to, state, writable, completions, error, accept queue. */
        final long[] seen = new long[6];

        Item(JtcpSocket sock) {
            this.sock = sock;
        }
    }

    /** Registrations by fd, in the order they were added. */
    private final Map<Integer, Item> items = new LinkedHashMap<>();

    /** epoll_ctl: ADD (1), DEL (2) or MOD (3); an errno name, or null on success. */
    String control(int op, JtcpSocket s, long events, Object data) {
        Item it = items.get(s.fd);
        switch (op) {
            case 1 -> {
                if (it != null) {
                    return "EEXIST";
                }
                it = new Item(s);
                items.put(s.fd, it);
            }
            case 2 -> {
                return items.remove(s.fd) == null ? "ENOENT" : null;
            }
            case 3 -> {
                if (it == null) {
                    return "ENOENT";
                }
            }
            default -> {
                return "EINVAL";
            }
        }
        it.events = events;
        it.data = data;
        it.disabled = false;
        look(it);
        it.ready = current(it) != 0;
        return null;
    }

    /**
     * epoll_wait with room for {@code max} events: the first event reported ({@code events}, and the
     * registration's data) and how many, or null if none is ready.
     */
    Map<String, Object> take(int max, int[] count) {
        Map<String, Object> first = null;
        count[0] = 0;
        for (Item it : items.values()) {
            if (it.disabled) {
                continue;
            }
            if (look(it)) {
                it.ready = true;
            }
            if (!it.ready || count[0] >= max) {
                continue;
            }
            long revents = current(it);
            if (revents == 0) {
                it.ready = false;
                continue;
            }
            if (first == null) {
                first = new LinkedHashMap<>();
                first.put("events", revents);
                first.put("data", it.data);
            }
            count[0]++;
            if ((it.events & (EPOLLET | EPOLLONESHOT)) != 0) {
                it.ready = false;
            }
            if ((it.events & EPOLLONESHOT) != 0) {
                it.disabled = true;
            }
        }
        return first;
    }

    private static long current(Item it) {
        return JtcpSocket.revents(it.sock, it.events & 0xFFFF);
    }

    /** Records what the socket shows now; true if that is a wakeup since the last look. */
    private static boolean look(Item it) {
        JtcpSocket s = it.sock;
        long[] now = new long[6];
        if (s.conn != null) {
            ConnectionStatus st = s.conn.status();
            now[0] = st.rcvNxt() + (s.conn.isEndOfStream() ? 1L << 40 : 0);
            now[1] = st.state().ordinal();
            now[2] = s.conn.writable() > 0 ? 1 : 0;
            now[3] = s.zeroCopy.completed(st) + s.timestamps.reported();
            now[4] = s.conn.error() != null ? 1 : 0;
        }
        if (s.listener != null) {
            now[5] = s.listener.acceptQueueLength();
        }
        long[] was = it.seen;
        boolean woken = now[0] != was[0] || now[1] != was[1] || now[2] > was[2] || now[3] > was[3]
                || now[4] > was[4] || now[5] > was[5];
        System.arraycopy(now, 0, was, 0, now.length);
        return woken;
    }
}
