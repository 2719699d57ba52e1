package dev.jtcp.forward;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Forwarder} reaches a flow's destination: the OS's own sockets ({@link #direct()})
 * or a SOCKS5 proxy's CONNECT and UDP ASSOCIATE (RFC 1928, with RFC 1929 username/password if
 * given). A refused
 * connection throws {@link ConnectException} "Connection refused"; an unreachable destination
 * {@link NoRouteToHostException} (or a timeout), so the forwarder answers the client in kind.
 *
 * <p>Thread-safety: immutable; {@link #connect} blocks (run it on a virtual thread).
 */
public final class Upstream {
    private final InetSocketAddress socks5;
    private final String user;
    private final String password;

    private Upstream(InetSocketAddress socks5, String user, String password) {
        this.socks5 = socks5;
        this.user = user;
        this.password = password;
    }

    /** Connections straight through the OS's sockets. */
    public static Upstream direct() {
        return new Upstream(null, null, null);
    }

    /** Connections through the SOCKS5 proxy at {@code proxy}; {@code user} null for none. */
    public static Upstream socks5(InetSocketAddress proxy, String user, String password) {
        if (user != null && (user.length() > 255 || password == null || password.length() > 255)) {
            throw new IllegalArgumentException("SOCKS5 username and password are 1 to 255 bytes each (RFC 1929)");
        }
        return new Upstream(Objects.requireNonNull(proxy), user, password);
    }

    public boolean isDirect() {
        return socks5 == null;
    }

    /** A connected socket to {@code destination}. */
    public Socket connect(InetSocketAddress destination, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            if (socks5 == null) {
                s.connect(destination, ms);
                return s;
            }
            s.connect(socks5, ms);
            s.setSoTimeout(ms);
            handshake(s, CONNECT, destination);
            s.setSoTimeout(0);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * A SOCKS5 UDP association (RFC 1928 §7): the TCP connection that keeps it alive (the proxy
     * ends the association when it closes) and the proxy's relay address, to which {@code udp} is
     * now connected. Datagrams to and from the relay carry the header {@link #writeUdpHeader} writes.
     */
    public record Association(SocketChannel control, InetSocketAddress relay) {}

    /**
     * Opens a UDP association through the SOCKS5 proxy for datagrams sent from {@code udp}, an
     * unbound channel: it is bound to the control connection's local address (the address the
     * proxy accepts datagrams from) and connected to the relay. Blocks.
     *
     * @throws IllegalStateException if this upstream is {@link #direct()}
     */
    public Association associate(DatagramChannel udp, Duration timeout) throws IOException {
        if (socks5 == null) {
            throw new IllegalStateException("UDP ASSOCIATE needs a SOCKS5 upstream");
        }
        SocketChannel control = SocketChannel.open();
        try {
            int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            Socket s = control.socket();
            s.connect(socks5, ms);
            s.setSoTimeout(ms);
            InetSocketAddress local = (InetSocketAddress) control.getLocalAddress();
            udp.bind(new InetSocketAddress(local.getAddress(), 0));
            InetSocketAddress relay = handshake(s, UDP_ASSOCIATE, (InetSocketAddress) udp.getLocalAddress());
            if (relay.getAddress().isAnyLocalAddress()) {
                // RFC 1928 leaves BND.ADDR 0.0.0.0 to mean "the address you reached me at".
                relay = new InetSocketAddress(socks5.getAddress(), relay.getPort());
            }
            udp.connect(relay);
            s.setSoTimeout(0);
            return new Association(control, relay);
        } catch (IOException | RuntimeException e) {
            control.close();
            throw e;
        }
    }

    /**
     * The RFC 1928 §7 header of a relayed datagram to or from {@code address} (RSV 0, FRAG 0, the
     * address and port), written at the start of {@code dst}; returns its length.
     */
    public static int writeUdpHeader(byte[] dst, InetSocketAddress address) {
        byte[] a = address.getAddress().getAddress();
        dst[0] = 0;
        dst[1] = 0;
        dst[2] = 0;
        dst[3] = (byte) (a.length == 4 ? 1 : 4);
        System.arraycopy(a, 0, dst, 4, a.length);
        dst[4 + a.length] = (byte) (address.getPort() >> 8);
        dst[5 + a.length] = (byte) address.getPort();
        return 6 + a.length;
    }

    /**
     * The length of the RFC 1928 §7 header at the start of a datagram from the relay ({@code
     * length} bytes of {@code b}), or -1 if it is malformed or a fragment (FRAG not 0: jtcp, as
     * most clients, does not reassemble).
     */
    public static int udpHeaderLength(byte[] b, int length) {
        if (length < 4 || b[0] != 0 || b[1] != 0 || b[2] != 0) {
            return -1;
        }
        int n = switch (b[3]) {
            case 1 -> 10;
            case 4 -> 22;
            case 3 -> length > 4 ? 7 + (b[4] & 0xFF) : -1;
            default -> -1;
        };
        return n > length ? -1 : n;
    }

    private static final int CONNECT = 1;
    private static final int UDP_ASSOCIATE = 3;

    /**
     * RFC 1928 method negotiation, RFC 1929 authentication ({@code user} null for none), then
     * CONNECT, over a connection to the proxy {@code proxy} names. Whatever the proxy answers ends
     * in an IOException with a message or in a return, never in another exception.
     */
    static void handshake(InputStream in, OutputStream out, InetSocketAddress destination, String user,
                          String password, String proxy) throws IOException {
        handshake(in, out, CONNECT, destination, user, password, proxy);
    }

    /** {@link #handshake(Socket, int, InetSocketAddress)} over this upstream's proxy, resolving a named BND.ADDR. */
    private InetSocketAddress handshake(Socket s, int command, InetSocketAddress destination) throws IOException {
        InetSocketAddress bound = handshake(s.getInputStream(), s.getOutputStream(), command, destination, user,
                password, socks5.toString());
        if (bound.isUnresolved()) {
            bound = new InetSocketAddress(InetAddress.getByName(bound.getHostString()), bound.getPort());
        }
        return bound;
    }

    /**
     * RFC 1928 method negotiation, RFC 1929 authentication, then {@code command}; returns BND.ADDR and
     * BND.PORT (unresolved when the proxy names a host). A reply cut short is an EOFException.
     */
    private static InetSocketAddress handshake(InputStream rawIn, OutputStream out, int command,
                                               InetSocketAddress destination, String user, String password,
                                               String proxy) throws IOException {
        DataInputStream in = new DataInputStream(rawIn);
        out.write(user == null ? new byte[] {5, 1, 0} : new byte[] {5, 2, 0, 2});
        out.flush();
        if (in.readUnsignedByte() != 5) {
            throw new IOException("SOCKS5 proxy " + proxy + " answered with another version");
        }
        int method = in.readUnsignedByte();
        if (method == 2 && user != null) {
            byte[] u = user.getBytes(StandardCharsets.UTF_8);
            byte[] p = password.getBytes(StandardCharsets.UTF_8);
            byte[] auth = new byte[3 + u.length + p.length];
            auth[0] = 1;
            auth[1] = (byte) u.length;
            System.arraycopy(u, 0, auth, 2, u.length);
            auth[2 + u.length] = (byte) p.length;
            System.arraycopy(p, 0, auth, 3 + u.length, p.length);
            out.write(auth);
            out.flush();
            in.readUnsignedByte();
            if (in.readUnsignedByte() != 0) {
                throw new IOException("SOCKS5 proxy " + proxy + " rejected the username and password");
            }
        } else if (method != 0) {
            throw new IOException("SOCKS5 proxy " + proxy + " accepts none of our methods");
        }
        byte[] addr = destination.getAddress().getAddress();
        byte[] req = new byte[6 + addr.length];
        req[0] = 5;
        req[1] = (byte) command;
        req[3] = (byte) (destination.getAddress() instanceof Inet4Address ? 1 : 4);
        System.arraycopy(addr, 0, req, 4, addr.length);
        req[4 + addr.length] = (byte) (destination.getPort() >> 8);
        req[5 + addr.length] = (byte) destination.getPort();
        out.write(req);
        out.flush();
        in.readUnsignedByte();
        int rep = in.readUnsignedByte();
        in.readUnsignedByte();
        int atyp = in.readUnsignedByte();
        // readFully: a reply cut short is an EOFException, not a success (readNBytes returns what there was).
        InetSocketAddress bound = switch (atyp) {
            case 1, 4 -> {
                byte[] a = new byte[atyp == 1 ? 4 : 16];
                in.readFully(a);
                yield new InetSocketAddress(InetAddress.getByAddress(a), in.readUnsignedShort());
            }
            case 3 -> {
                byte[] name = new byte[in.readUnsignedByte()];
                in.readFully(name);
                yield InetSocketAddress.createUnresolved(new String(name, StandardCharsets.US_ASCII),
                        in.readUnsignedShort());
            }
            default -> throw new IOException("SOCKS5 proxy " + proxy + " sent address type " + atyp);
        };
        switch (rep) {
            case 0 -> {
            }
            case 5 -> throw new ConnectException("Connection refused");
            case 3, 4, 6 -> throw new NoRouteToHostException("No route to host (SOCKS5 reply " + rep + ")");
            default -> throw new ConnectException("SOCKS5 proxy " + proxy + " failed the "
                    + (command == CONNECT ? "CONNECT" : "UDP ASSOCIATE") + " (reply " + rep + ")");
        }
        return bound;
    }

    @Override
    public String toString() {
        return socks5 == null ? "direct" : "socks5 " + socks5 + (user == null ? "" : " as " + user);
    }
}
