package dev.jtcp.link.tun;

import java.io.IOException;

/**
 * A system call failed: carries the {@code errno} and a message that says what was attempted and,
 * where there is one, what to do about it ("/dev/net/tun: operation not permitted (EPERM); run as
 * root or grant CAP_NET_ADMIN").
 */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ENOSPC = 28;
    public static final int EMSGSIZE = 90;
    public static final int ENOBUFS = 105;

    private final int errno;

    /**
     * @param what   what was attempted, e.g. "/dev/net/tun" or "TUNSETIFF jtcp0"
     * @param errno  the captured errno
     * @param advice what the user can do, or null
     */
    public ErrnoException(String what, int errno, String advice) {
        super(what + ": " + describe(errno) + (advice == null ? "" : "; " + advice));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code EPERM}, or {@code errno N}. */
    public String errnoName() {
        return name(errno);
    }

    /** "operation not permitted (EPERM)". */
    public static String describe(int errno) {
        return message(errno) + " (" + name(errno) + ")";
    }

    static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case ENXIO -> "ENXIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case EINVAL -> "EINVAL";
            case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE";
            case ENOTTY -> "ENOTTY";
            case ENOSPC -> "ENOSPC";
            case EMSGSIZE -> "EMSGSIZE";
            case ENOBUFS -> "ENOBUFS";
            default -> "errno " + errno;
        };
    }

    private static String message(int errno) {
        return switch (errno) {
            case EPERM -> "operation not permitted";
            case ENOENT -> "no such file or directory";
            case EINTR -> "interrupted system call";
            case EIO -> "input/output error";
            case ENXIO -> "no such device or address";
            case EBADF -> "bad file descriptor";
            case EAGAIN -> "resource temporarily unavailable";
            case ENOMEM -> "out of memory";
            case EACCES -> "permission denied";
            case EFAULT -> "bad address";
            case EBUSY -> "device or resource busy";
            case EEXIST -> "file exists";
            case ENODEV -> "no such device";
            case EINVAL -> "invalid argument";
            case ENFILE -> "too many open files in system";
            case EMFILE -> "too many open files";
            case ENOTTY -> "inappropriate ioctl for device";
            case ENOSPC -> "no space left on device";
            case EMSGSIZE -> "message too long";
            case ENOBUFS -> "no buffer space available";
            default -> "system error";
        };
    }
}
