package dev.jtcp.link.tun;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Linux TUN device: a layer-3 interface whose packets this process reads and writes as raw IPv4
 * or IPv6 bytes (no link-layer header, no packet-information prefix).
 *
 * <p>Opening follows ioctl_tun: {@code open("/dev/net/tun", O_RDWR|O_NONBLOCK|O_CLOEXEC)}, then
 * {@code ioctl(TUNSETIFF)} with {@code IFF_TUN|IFF_NO_PI} and the wanted name. The device is not
 * made persistent, so the kernel removes it when the descriptor is closed (by {@link #close} or
 * by the process exiting). Addresses and the link state are set separately ({@link
 * InterfaceConfig}).
 *
 * <p>Each {@link #read} or {@link #write} moves exactly one packet. The descriptor is
 * non-blocking: a read with nothing queued returns 0 at once, and readiness comes from {@link
 * Epoll}. {@code IFF_VNET_HDR} (offloads) and {@code IFF_MULTI_QUEUE} (one descriptor per queue)
 * slot in here as open flags; neither is used yet.
 *
 * <p>Thread-safety: reads may run on one thread and writes on another (each direction has its own
 * errno capture); {@link #close} is idempotent and safe from any thread, but must not race with
 * a read or write in progress (the event loop closes the device after it stops).
 */
public final class TunDevice implements AutoCloseable {
    public static final String CLONE_DEVICE = "/dev/net/tun";

    private final int fd;
    private final String name;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment readErrno = LibC.newCapture(arena);
    private final MemorySegment writeErrno = LibC.newCapture(arena);
    private final AtomicBoolean closed = new AtomicBoolean();

    private TunDevice(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /**
     * Creates (or attaches to) the TUN interface {@code name} in this thread's network namespace.
     *
     * @param name the interface name, at most 15 characters; may contain {@code %d} for the kernel to
     *             number it ("jtcp%d")
     * @throws ErrnoException with advice: not root (EPERM), no TUN support (ENOENT), name taken by a
     *                        device of another kind or already open (EBUSY, EINVAL)
     */
    public static TunDevice open(String name) throws IOException {
        checkName(name);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = LibC.newCapture(a);
            int fd = (int) LibC.OPEN.invokeExact(capture, a.allocateFrom(CLONE_DEVICE),
                    LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            if (fd < 0) {
                int errno = LibC.errno(capture);
                throw new ErrnoException(CLONE_DEVICE, errno, switch (errno) {
                    case ErrnoException.ENOENT, ErrnoException.ENODEV, ErrnoException.ENXIO ->
                            "this kernel has no TUN support; load it with 'modprobe tun'";
                    case ErrnoException.EACCES, ErrnoException.EPERM -> "run as root or grant CAP_NET_ADMIN";
                    default -> null;
                });
            }
            MemorySegment ifr = a.allocate(LibC.IFREQ_SIZE);
            ifr.asSlice(0, LibC.IFNAMSIZ).copyFrom(MemorySegment.ofArray(nameBytes(name)));
            ifr.set(JAVA_SHORT, LibC.IFREQ_FLAGS, (short) (LibC.IFF_TUN | LibC.IFF_NO_PI));
            int r = (int) LibC.IOCTL.invokeExact(capture, fd, LibC.TUNSETIFF, ifr);
            if (r < 0) {
                int errno = LibC.errno(capture);
                closeQuietly(fd);
                throw new ErrnoException(CLONE_DEVICE + ": TUNSETIFF " + name, errno, switch (errno) {
                    case ErrnoException.EPERM, ErrnoException.EACCES -> "run as root or grant CAP_NET_ADMIN";
                    case ErrnoException.EBUSY -> "interface " + name + " is already open in another process";
                    case ErrnoException.EINVAL -> "interface " + name
                            + " exists and is not a TUN device (or has other flags); pick another --tun name";
                    default -> null;
                });
            }
            return new TunDevice(fd, ifr.getString(0, StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    private static void checkName(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (name.isEmpty() || bytes.length >= LibC.IFNAMSIZ || name.contains("/") || name.contains(" ")
                || !StandardCharsets.US_ASCII.newEncoder().canEncode(name)) {
            throw new IllegalArgumentException("bad interface name '" + name
                    + "': use 1 to 15 ASCII characters without '/' or spaces");
        }
    }

    private static byte[] nameBytes(String name) {
        byte[] b = new byte[LibC.IFNAMSIZ];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, b, 0, n.length);
        return b;
    }

    /** The interface name the kernel gave (differs from the requested one only if that had {@code %d}). */
    public String name() {
        return name;
    }

    /** The descriptor, for readiness polling. */
    public int fd() {
        return fd;
    }

    /**
     * Reads one packet into {@code dst}.
     *
     * @return the packet's length; 0 if none is queued. A packet longer than {@code dst} is
     *     truncated by the kernel (size buffers for the MTU).
     * @throws ErrnoException on errors other than EAGAIN/EINTR
     */
    public int read(MemorySegment dst) throws ErrnoException {
        while (true) {
            long n;
            try {
                n = (long) LibC.READ.invokeExact(readErrno, fd, dst, dst.byteSize());
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n >= 0) {
                return (int) n;
            }
            int errno = LibC.errno(readErrno);
            if (errno == ErrnoException.EAGAIN) {
                return 0;
            }
            if (errno != ErrnoException.EINTR) {
                throw new ErrnoException("read from " + name, errno, null);
            }
        }
    }

    /**
     * Writes one packet: the first {@code length} bytes of {@code src}.
     *
     * @return true if the kernel took it, false if it had no room (EAGAIN/ENOBUFS: the packet is
     *     lost, as on a full NIC queue)
     * @throws ErrnoException on other errors (EIO: the interface is down; EINVAL: not an IP packet)
     */
    public boolean write(MemorySegment src, long length) throws ErrnoException {
        while (true) {
            long n;
            try {
                n = (long) LibC.WRITE.invokeExact(writeErrno, fd, src, length);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n >= 0) {
                return true;
            }
            int errno = LibC.errno(writeErrno);
            if (errno == ErrnoException.EAGAIN || errno == ErrnoException.ENOBUFS) {
                return false;
            }
            if (errno != ErrnoException.EINTR) {
                throw new ErrnoException("write to " + name, errno,
                        errno == ErrnoException.EIO ? "is the interface up?" : null);
            }
        }
    }

    /** Closes the descriptor; the kernel removes the (non-persistent) interface. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(fd);
        }
    }

    static void closeQuietly(int fd) {
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) LibC.CLOSE.invokeExact(LibC.newCapture(a), fd);
        } catch (Throwable t) {
            // Nothing useful can be done about a failed close.
        }
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }

    @Override
    public String toString() {
        return "TUN " + name;
    }
}
