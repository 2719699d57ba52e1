package dev.jtcp.forward;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Forwarder} reaches a flow's destination: the OS's own sockets ({@link #direct()})
 * or a SOCKS5 proxy's CONNECT (RFC 1928, with RFC 1929 username/password if given). A refused
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
            handshake(s.getInputStream(), s.getOutputStream(), destination, user, password, socks5.toString());
            s.setSoTimeout(0);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * RFC 1928 method negotiation, RFC 1929 authentication ({@code user} null for none), then
     * CONNECT, over a connection to the proxy {@code proxy} names. Whatever the proxy answers ends
     * in an IOException with a message or in a return, never in another exception.
     */
    static void handshake(InputStream rawIn, OutputStream out, InetSocketAddress destination, String user,
                          String password, String proxy) throws IOException {
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
        req[1] = 1; // CONNECT
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
        int skip = switch (atyp) {
            case 1 -> 4;
            case 4 -> 16;
            case 3 -> in.readUnsignedByte();
            default -> throw new IOException("SOCKS5 proxy " + proxy + " sent address type " + atyp);
        };
        // readFully: a reply cut short is an EOFException, not a success (readNBytes returned what there was).
        in.readFully(new byte[skip + 2]);
        switch (rep) {
            case 0 -> {
            }
            case 5 -> throw new ConnectException("Connection refused");
            case 3, 4, 6 -> throw new NoRouteToHostException("No route to host (SOCKS5 reply " + rep + ")");
            default -> throw new ConnectException("SOCKS5 proxy " + proxy + " failed the CONNECT (reply " + rep + ")");
        }
    }

    @Override
    public String toString() {
        return socks5 == null ? "direct" : "socks5 " + socks5 + (user == null ? "" : " as " + user);
    }
}
