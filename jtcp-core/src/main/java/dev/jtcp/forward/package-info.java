/**
 * The forwarder: jtcp as the network stack of a VPN or transparent proxy (tun2socks). Read {@link
 * dev.jtcp.forward.Forwarder} first, then {@link dev.jtcp.forward.Upstream}. Uses the socket API
 * ({@code api}: {@code AnyAddressListener}, {@code TcpSocket}) and the JDK's sockets; nothing below.
 *
 * <p>Thread-safety: every class is safe from any thread.
 */
package dev.jtcp.forward;
