package dev.jtcp.link.tun;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An eventfd(2) counter used to wake an event loop blocked in {@link Epoll#await}: any thread may
 * {@link #signal}; the loop {@link #drain}s it when it wakes. Non-blocking.
 *
 * <p>Thread-safety: {@link #signal} is safe from any thread (it allocates its small buffer per
 * call, off the hot path: callers signal only when the loop may be asleep); {@link #drain} is for
 * the loop thread alone.
 */
public final class EventFd implements AutoCloseable {
    private final int fd;
    private final MemorySegment drainBuffer;
    private final MemorySegment drainErrno;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EventFd(int fd, Arena arena) {
        this.fd = fd;
        this.drainBuffer = arena.allocate(JAVA_LONG);
        this.drainErrno = LibC.newCapture(arena);
    }

    public static EventFd open() throws IOException {
        Arena arena = Arena.ofAuto();
        MemorySegment capture = LibC.newCapture(arena);
        int fd;
        try {
            fd = (int) LibC.EVENTFD.invokeExact(capture, 0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        } catch (Throwable t) {
            throw TunDevice.rethrow(t);
        }
        if (fd < 0) {
            throw new ErrnoException("eventfd", LibC.errno(capture), null);
        }
        return new EventFd(fd, arena);
    }

    public int fd() {
        return fd;
    }

    /** Adds one to the counter, making the descriptor readable. */
    public void signal() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            long ignored = (long) LibC.WRITE.invokeExact(LibC.newCapture(a), fd, one, 8L);
        } catch (Throwable t) {
            throw TunDevice.rethrow(t);
        }
    }

    /** Resets the counter to zero (reads it), so the descriptor is no longer readable. */
    public void drain() {
        try {
            long ignored = (long) LibC.READ.invokeExact(drainErrno, fd, drainBuffer, 8L);
        } catch (Throwable t) {
            throw TunDevice.rethrow(t);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            TunDevice.closeQuietly(fd);
        }
    }
}
