package dev.jtcp.link.tun;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library calls the TUN link needs, as {@code java.lang.foreign} downcall handles (no JNI, no
 * JNA). Every handle captures {@code errno} right after the call (the JVM may clobber it before Java
 * code could read it), so each takes a leading {@link Errno} capture segment.
 *
 * <p>Constants are Linux's generic values (x86-64 and arm64 agree on all of them), from the man
 * pages: open(2), ioctl_tun (linux/if_tun.h), epoll_ctl(2), eventfd(2), setns(2).
 *
 * <p>Thread-safety: the handles are immutable and safe from any thread; the capture segment passed
 * in must not be shared between threads during a call.
 */
final class LibC {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;

    /** {@code _IOW('T', 202, int)}: attach to (or create) a TUN/TAP interface. */
    static final long TUNSETIFF = 0x400454caL;
    static final short IFF_TUN = 0x0001;
    static final short IFF_NO_PI = 0x1000;
    /** Every packet read or written starts with a {@code struct virtio_net_hdr} (offloads). */
    static final short IFF_VNET_HDR = 0x4000;
    /** {@code _IOW('T', 208, unsigned int)}: the offloads this reader accepts; the argument is the value. */
    static final long TUNSETOFFLOAD = 0x400454d0L;
    /** {@code _IOW('T', 216, int)}: the virtio-net header's size (10 by default; 12 with num_buffers). */
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    /** Reserved for multi-queue devices (one fd per queue); not used yet. */
    static final short IFF_MULTI_QUEUE = 0x0100;
    /** {@code struct ifreq}: 16 bytes of name, then a 24-byte union whose first member is the short flags. */
    static final int IFREQ_SIZE = 40;
    static final int IFNAMSIZ = 16;
    static final int IFREQ_FLAGS = 16;

    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLLIN = 0x001;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    /** {@code struct epoll_event} is packed (12 bytes) on x86-64 only; 16 bytes elsewhere. */
    static final boolean EPOLL_EVENT_PACKED = isX86_64();
    static final int EPOLL_EVENT_SIZE = EPOLL_EVENT_PACKED ? 12 : 16;
    static final int EPOLL_EVENT_DATA = EPOLL_EVENT_PACKED ? 4 : 8;

    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;

    static final int CLONE_NEWNET = 0x40000000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle READ = downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    /** {@code int ioctl(int fd, unsigned long request, ...)}, called with one pointer argument. */
    static final MethodHandle IOCTL = downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));
    /** {@code int fcntl(int fd, int cmd, ...)} with one integer argument (F_GETFL ignores it, F_SETFL). */
    static final MethodHandle FCNTL = downcall("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    /** {@code ioctl} with one integer argument passed by value (TUNSETOFFLOAD). */
    static final MethodHandle IOCTL_VALUE = downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(2));
    static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle EPOLL_CTL = downcall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle EPOLL_WAIT = downcall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle EVENTFD = downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle SETNS = downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private LibC() {
    }

    /** Restricted by design: this package is where jtcp's native access lives (the launcher enables it). */
    @SuppressWarnings("restricted")
    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("C library has no " + name));
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** A segment to capture errno into; one per thread of use. */
    static MemorySegment newCapture(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** The errno the last call through {@code capture} left. */
    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static boolean isX86_64() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64");
    }
}
