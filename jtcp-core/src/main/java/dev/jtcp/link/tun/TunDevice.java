package dev.jtcp.link.tun;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
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
 * Epoll}.
 *
 * <p>Offloads: {@link #open(String, boolean)} with {@code vnetHeader} adds {@code IFF_VNET_HDR},
 * so every packet read or written starts with a {@link VirtioNetHeader} ({@link
 * VirtioNetHeader#LENGTH} bytes); {@link #enableOffloads} then tells the kernel with {@code
 * TUNSETOFFLOAD} what this reader accepts: packets with only a partial checksum ({@link
 * #OFFLOAD_CSUM}) and TCP super-packets up to 64 KiB ({@link #OFFLOAD_TSO4}, {@link #OFFLOAD_TSO6}).
 * Writing super-packets needs nothing but the header.
 *
 * <p>Multi-queue: {@link #open(String, boolean, boolean)} with {@code multiQueue} adds {@code
 * IFF_MULTI_QUEUE}; every further {@code open} of the same name with the same flags attaches one
 * more queue (descriptor) to the interface, up to 256. The kernel picks a queue for each packet it
 * sends to the device (tun's "automq", {@code tun_automq_select_queue}): the queue a packet of the
 * same flow (by the symmetric flow hash) was last written from, while that record is younger than
 * three seconds ({@code TUN_FLOW_EXPIRE}) and the table has room (4,096 flows, {@code
 * MAX_TAP_FLOWS}), else the hash scaled to the number of queues.
 *
 * <p>Thread-safety: reads may run on one thread and writes on another (each direction has its own
 * errno capture); {@link #close} is idempotent and safe from any thread, but must not race with
 * a read or write in progress (the event loop closes the device after it stops).
 */
public final class TunDevice implements AutoCloseable {
    public static final String CLONE_DEVICE = "/dev/net/tun";
    /** linux/if_tun.h {@code TUN_F_CSUM}: the reader accepts packets whose checksum is only partial. */
    public static final int OFFLOAD_CSUM = 0x01;
    /** {@code TUN_F_TSO4}: IPv4 TCP super-packets (needs {@link #OFFLOAD_CSUM}). */
    public static final int OFFLOAD_TSO4 = 0x02;
    /** {@code TUN_F_TSO6}: IPv6 TCP super-packets (needs {@link #OFFLOAD_CSUM}). */
    public static final int OFFLOAD_TSO6 = 0x04;
    /** {@code TUN_F_TSO_ECN}: super-packets whose first segment carries CWR. */
    public static final int OFFLOAD_TSO_ECN = 0x08;
    /** {@code TUN_F_USO4}, {@code TUN_F_USO6}: UDP super-packets (Linux 6.2 and later). */
    public static final int OFFLOAD_USO4 = 0x20;
    public static final int OFFLOAD_USO6 = 0x40;
    /** Everything jtcp can take, in the order {@link #enableOffloads} gives it up when the kernel refuses. */
    public static final int OFFLOAD_ALL = OFFLOAD_CSUM | OFFLOAD_TSO4 | OFFLOAD_TSO6 | OFFLOAD_TSO_ECN
            | OFFLOAD_USO4 | OFFLOAD_USO6;

    private final int fd;
    private final String name;
    /** Bytes of virtio-net header before every packet: 0 without {@code IFF_VNET_HDR}. */
    private final int vnetHeaderLength;
    /** Whether the device was opened with {@code IFF_MULTI_QUEUE} (this descriptor is one of its queues). */
    private final boolean multiQueue;
    /** The {@code OFFLOAD_} flags the kernel accepted (0 until {@link #enableOffloads}). */
    private volatile int offloads;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment readErrno = LibC.newCapture(arena);
    private final MemorySegment writeErrno = LibC.newCapture(arena);
    private final AtomicBoolean closed = new AtomicBoolean();

    private TunDevice(int fd, String name, int vnetHeaderLength, boolean multiQueue) {
        this.fd = fd;
        this.multiQueue = multiQueue;
        this.name = name;
        this.vnetHeaderLength = vnetHeaderLength;
    }

    /**
     * A TUN descriptor the application already holds (an Android {@code VpnService}'s, one passed
     * over a Unix socket, one opened by a privileged helper): it must carry plain IP packets
     * ({@code IFF_TUN | IFF_NO_PI}, no virtio-net header). It is made non-blocking; the device
     * owns it from now on and {@link #close} closes it.
     */
    public static TunDevice adopt(int fd, String name) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = LibC.newCapture(a);
            int flags = (int) LibC.FCNTL.invokeExact(capture, fd, LibC.F_GETFL, 0);
            if (flags < 0 || (int) LibC.FCNTL.invokeExact(capture, fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0) {
                throw new ErrnoException("fcntl(" + fd + ", O_NONBLOCK)", LibC.errno(capture),
                        "is it an open TUN descriptor of this process?");
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return new TunDevice(fd, Objects.requireNonNull(name), 0, false);
    }

    /** As {@link #open(String, boolean)} without the virtio-net header: plain IP packets, no offloads. */
    public static TunDevice open(String name) throws IOException {
        return open(name, false);
    }

    /**
     * Creates (or attaches to) the TUN interface {@code name} in this thread's network namespace.
     *
     * @param name the interface name, at most 15 characters; may contain {@code %d} for the kernel to
     *             number it ("jtcp%d")
     * @throws ErrnoException with advice: not root (EPERM), no TUN support (ENOENT), name taken by a
     *                        device of another kind or already open (EBUSY, EINVAL)
     * @param vnetHeader whether every packet carries a {@link VirtioNetHeader} ({@code IFF_VNET_HDR},
     *                   needed for offloads)
     */
    public static TunDevice open(String name, boolean vnetHeader) throws IOException {
        return open(name, vnetHeader, false);
    }

    /**
     * As {@link #open(String, boolean)}; with {@code multiQueue} the device is (or joins, when it
     * exists) a multi-queue TUN and this descriptor is one of its queues ({@code IFF_MULTI_QUEUE}).
     */
    public static TunDevice open(String name, boolean vnetHeader, boolean multiQueue) throws IOException {
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
            ifr.set(JAVA_SHORT, LibC.IFREQ_FLAGS, (short) (LibC.IFF_TUN | LibC.IFF_NO_PI
                    | (vnetHeader ? LibC.IFF_VNET_HDR : 0) | (multiQueue ? LibC.IFF_MULTI_QUEUE : 0)));
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
            return new TunDevice(fd, ifr.getString(0, StandardCharsets.US_ASCII),
                    vnetHeader ? VirtioNetHeader.LENGTH : 0, multiQueue);
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

    /** Whether this descriptor is one queue of a multi-queue device. */
    public boolean isMultiQueue() {
        return multiQueue;
    }

    /** Bytes of {@link VirtioNetHeader} before each packet read or written; 0 when opened without it. */
    public int vnetHeaderLength() {
        return vnetHeaderLength;
    }

    /** The {@code OFFLOAD_} flags in force (see {@link #enableOffloads}). */
    public int offloads() {
        return offloads;
    }

    /**
     * Asks the kernel for the {@code wanted} offloads ({@code TUNSETOFFLOAD}), giving up what it
     * refuses: on EINVAL, first UDP segmentation (kernels before 6.2 do not know it), then ECN, then
     * TCP segmentation, then checksums, until a set is accepted.
     *
     * @return the flags now in force, a subset of {@code wanted} (0: none)
     * @throws IllegalStateException if the device was opened without the virtio-net header
     * @throws ErrnoException on errors other than EINVAL
     */
    public int enableOffloads(int wanted) throws ErrnoException {
        if (vnetHeaderLength == 0) {
            throw new IllegalStateException(name + " was opened without IFF_VNET_HDR; offloads need it");
        }
        int[] giveUp = {OFFLOAD_USO4 | OFFLOAD_USO6, OFFLOAD_TSO_ECN, OFFLOAD_TSO4 | OFFLOAD_TSO6, OFFLOAD_CSUM};
        int flags = wanted;
        for (int i = 0; ; i++) {
            int errno = setOffload(flags);
            if (errno == 0) {
                offloads = flags;
                return flags;
            }
            if (errno != ErrnoException.EINVAL) {
                throw new ErrnoException(name + ": TUNSETOFFLOAD", errno, null);
            }
            if (i == giveUp.length) {
                offloads = 0;
                return 0;
            }
            flags &= ~giveUp[i];
        }
    }

    /** {@code ioctl(TUNSETOFFLOAD, flags)}; returns 0 or the errno. */
    private int setOffload(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = LibC.newCapture(a);
            int r = (int) LibC.IOCTL_VALUE.invokeExact(capture, fd, LibC.TUNSETOFFLOAD, (long) flags);
            return r < 0 ? LibC.errno(capture) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Names the {@code OFFLOAD_} flags, e.g. "csum tso4 tso6", or "none". */
    public static String describeOffloads(int flags) {
        StringBuilder b = new StringBuilder();
        String[] names = {"csum", "tso4", "tso6", "tso-ecn", "ufo", "uso4", "uso6"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                b.append(b.isEmpty() ? "" : " ").append(names[i]);
            }
        }
        return b.isEmpty() ? "none" : b.toString();
    }

    /** The descriptor, for readiness polling. */
    public int fd() {
        return fd;
    }

    /**
     * Reads one packet into {@code dst}.
     *
     * @return the packet's length (with the virtio-net header, if the device has one); 0 if none is
     *     queued. A packet longer than {@code dst} is truncated by the kernel (size buffers for the
     *     MTU, or for 64 KiB plus the header with segmentation offloads).
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
     * Writes one packet: the first {@code length} bytes of {@code src} (starting with the
     * virtio-net header, if the device has one).
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
