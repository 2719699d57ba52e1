/**
 * The Linux TUN device as a {@link dev.jtcp.link.Link}, through {@code java.lang.foreign} (no JNI):
 * {@code LibC} (downcall handles capturing {@code errno}), {@link dev.jtcp.link.tun.TunDevice}
 * (open, read and write one packet), {@link dev.jtcp.link.tun.Epoll} and {@link
 * dev.jtcp.link.tun.EventFd} (sleeping and being woken), {@link dev.jtcp.link.tun.Netns} (opening
 * inside a named network namespace), {@link dev.jtcp.link.tun.InterfaceConfig} (the kernel's end,
 * through {@code ip}), and {@link dev.jtcp.link.tun.TunLink} (batches through native buffers
 * allocated once). Failures are {@link dev.jtcp.link.tun.ErrnoException}s that say what to do.
 *
 * <p>Read first: {@link dev.jtcp.link.tun.TunLink}, then {@link dev.jtcp.link.tun.TunDevice}.
 *
 * <p>Uses {@code link} only. Linux only; opening a device needs root or CAP_NET_ADMIN.
 *
 * <p>Thread-safety: a {@code TunLink} belongs to the event loop that drives it; {@code
 * EventFd.signal} may be called from any thread (that is its purpose).
 */
package dev.jtcp.link.tun;
