/**
 * The socket API, where the single-threaded stack meets application threads: {@link
 * dev.jtcp.api.NetStack} runs a host on a link with one {@code EventLoop} thread; {@link
 * dev.jtcp.api.TcpSocket} and {@link dev.jtcp.api.TcpServerSocket} are shaped like {@link
 * java.net.Socket} and {@link java.net.ServerSocket} (streams, half-close, abort, timeouts, options,
 * futures), and raise the {@code java.net} exceptions a kernel socket raises ({@code Errors});
 * {@link dev.jtcp.api.UdpSocket} is shaped like {@link java.net.DatagramSocket}; {@link
 * dev.jtcp.api.AnyAddressListener} terminates flows to any address (a VPN's or proxy's stack).
 *
 * <p>Read first: {@link dev.jtcp.api.NetStack} (its class comment shows the threading model), then
 * {@link dev.jtcp.api.TcpSocket} and its loop half, {@code SocketLoopSide}.
 *
 * <p>Uses {@code stack}, {@code tcp}, {@code link} and {@code link.tun} (the loop sleeps in epoll and
 * is woken through an eventfd), and the vocabulary below them ({@code event}, {@code wire}).
 *
 * <p>Thread-safety: the public classes are safe from any threads. Everything below this package is
 * single-threaded: only the loop thread touches the host, the engine and the link; applications
 * queue commands to it and wait on locks or futures the loop completes.
 */
package dev.jtcp.api;
