package dev.jtcp.link.tun;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An epoll(7) instance: level-triggered readiness for a few descriptors, each registered with a
 * caller-chosen {@code long} token that {@link #await} hands back.
 *
 * <p>Thread-safety: {@link #add} and {@link #remove} may be called from any thread (the kernel
 * serialises them); {@link #await} and the result accessors belong to one thread, the loop's.
 */
public final class Epoll implements AutoCloseable {
    private static final int MAX_EVENTS = 64;

    private final int epfd;
    private final MemorySegment events;
    private final MemorySegment waitErrno;
    private final AtomicBoolean closed = new AtomicBoolean();
    private int ready;

    private Epoll(int epfd, Arena arena) {
        this.epfd = epfd;
        this.events = arena.allocate((long) MAX_EVENTS * LibC.EPOLL_EVENT_SIZE, 8);
        this.waitErrno = LibC.newCapture(arena);
    }

    public static Epoll open() throws IOException {
        Arena arena = Arena.ofAuto();
        MemorySegment capture = LibC.newCapture(arena);
        int fd;
        try {
            fd = (int) LibC.EPOLL_CREATE1.invokeExact(capture, LibC.EPOLL_CLOEXEC);
        } catch (Throwable t) {
            throw TunDevice.rethrow(t);
        }
        if (fd < 0) {
            throw new ErrnoException("epoll_create1", LibC.errno(capture), null);
        }
        return new Epoll(fd, arena);
    }

    /** Watches {@code fd} for input (and errors); {@link #token} reports {@code token} when it is ready. */
    public void add(int fd, long token) throws IOException {
        control(LibC.EPOLL_CTL_ADD, fd, token);
    }

    public void remove(int fd) throws IOException {
        control(LibC.EPOLL_CTL_DEL, fd, 0);
    }

    private void control(int op, int fd, long token) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ev = a.allocate(LibC.EPOLL_EVENT_SIZE, 8);
            ev.set(JAVA_INT, 0, LibC.EPOLLIN);
            ev.set(JAVA_LONG_UNALIGNED, LibC.EPOLL_EVENT_DATA, token);
            MemorySegment capture = LibC.newCapture(a);
            int r = (int) LibC.EPOLL_CTL.invokeExact(capture, epfd, op, fd, ev);
            if (r < 0) {
                throw new ErrnoException("epoll_ctl fd " + fd, LibC.errno(capture), null);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw TunDevice.rethrow(t);
        }
    }

    /**
     * Waits until a descriptor is ready or {@code timeoutMs} passes (0: poll, -1: forever).
     *
     * @return how many descriptors are ready; read them with {@link #token}
     */
    public int await(int timeoutMs) throws IOException {
        int n;
        try {
            n = (int) LibC.EPOLL_WAIT.invokeExact(waitErrno, epfd, events, MAX_EVENTS, timeoutMs);
        } catch (Throwable t) {
            throw TunDevice.rethrow(t);
        }
        if (n < 0) {
            int errno = LibC.errno(waitErrno);
            if (errno == ErrnoException.EINTR) {
                n = 0;
            } else {
                throw new ErrnoException("epoll_wait", errno, null);
            }
        }
        ready = n;
        return n;
    }

    /** The token of the {@code i}-th ready descriptor of the last {@link #await}. */
    public long token(int i) {
        if (i < 0 || i >= ready) {
            throw new IndexOutOfBoundsException(i);
        }
        return events.get(JAVA_LONG_UNALIGNED, (long) i * LibC.EPOLL_EVENT_SIZE + LibC.EPOLL_EVENT_DATA);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            TunDevice.closeQuietly(epfd);
        }
    }
}
