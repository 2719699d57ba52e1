package dev.jtcp.link.tun;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a task inside a named network namespace (one made by {@code ip netns add NAME}, so
 * {@code /var/run/netns/NAME} exists), without moving the process: a fresh platform thread joins
 * the namespace with setns(2) and runs the task, then ends. A TUN device opened by that task lives
 * in the namespace, while its descriptor works from any thread of the process.
 *
 * <p>The thread must not start other threads (they would inherit the namespace); opening a device
 * does not.
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
public final class Netns {
    public static final String RUN_DIR = "/var/run/netns/";

    private Netns() {
    }

    /** Runs {@code task} in namespace {@code name}, or on the calling thread if {@code name} is null. */
    public static <T> T call(String name, Callable<T> task) throws IOException {
        if (name == null) {
            try {
                return task.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        if (name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("bad network namespace name '" + name + "'");
        }
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + name).start(() -> {
            try {
                enter(name);
                result.set(task.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while entering network namespace " + name, e);
        }
        Throwable e = failure.get();
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IOException(e);
        }
        return result.get();
    }

    private static void enter(String name) throws IOException {
        String path = RUN_DIR + name;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = LibC.newCapture(a);
            int fd = (int) LibC.OPEN.invokeExact(capture, a.allocateFrom(path), LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (fd < 0) {
                int errno = LibC.errno(capture);
                throw new ErrnoException("network namespace " + name, errno,
                        errno == ErrnoException.ENOENT ? "create it with 'ip netns add " + name + "'" : null);
            }
            int r = (int) LibC.SETNS.invokeExact(capture, fd, LibC.CLONE_NEWNET);
            int errno = LibC.errno(capture);
            TunDevice.closeQuietly(fd);
            if (r < 0) {
                throw new ErrnoException("setns " + path, errno,
                        errno == ErrnoException.EPERM ? "run as root or grant CAP_SYS_ADMIN" : null);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw TunDevice.rethrow(t);
        }
    }
}
