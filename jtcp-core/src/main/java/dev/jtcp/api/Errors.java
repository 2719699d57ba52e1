package dev.jtcp.api;

import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;

/**
 * Turns the engine's {@link TcpError}s into the {@code java.net} exceptions, with the messages,
 * that Java programs already handle for kernel sockets on Linux: "Connection refused", "Connection
 * reset", "Connection timed out", "No route to host", "Address already in use".
 *
 * <p>Thread-safety: stateless.
 */
final class Errors {
    private Errors() {
    }

    /** The exception for a connection that ended with {@code error} (while connecting if {@code connecting}). */
    static IOException of(TcpError error, boolean connecting) {
        return switch (error) {
            case REFUSED -> new ConnectException("Connection refused");
            case RESET -> connecting ? new ConnectException("Connection reset") : new SocketException("Connection reset");
            case TIMED_OUT -> connecting ? new ConnectException("Connection timed out")
                    : new SocketException("Connection timed out");
            case UNREACHABLE -> new NoRouteToHostException("No route to host");
            case NO_ROUTE -> connecting ? new ConnectException("Network is unreachable")
                    : new SocketException("Network is unreachable");
            case ABORTED -> new SocketException("Socket closed");
            case CLOSING -> new SocketException("Broken pipe");
            case NOT_CONNECTED -> new SocketException("Socket is not connected");
            case ALREADY_OPEN -> new SocketException("Already connected");
            case ADDRESS_IN_USE -> new BindException("Address already in use");
            case BAD_ADDRESS -> connecting ? new ConnectException("Cannot assign requested address")
                    : new SocketException("Cannot assign requested address");
            case INSUFFICIENT_RESOURCES -> new BindException("Cannot assign requested address (no free ephemeral port)");
        };
    }

    /** The exception for a refused call, keeping the engine's detailed message as the cause. */
    static IOException of(TcpException e, boolean connecting) {
        IOException io = of(e.error(), connecting);
        io.initCause(e);
        return io;
    }

    /** A copy of {@code e} with the caller's stack trace (terminal errors are rethrown from many calls). */
    static IOException copy(IOException e) {
        IOException c;
        if (e instanceof ConnectException) {
            c = new ConnectException(e.getMessage());
        } else if (e instanceof NoRouteToHostException) {
            c = new NoRouteToHostException(e.getMessage());
        } else if (e instanceof BindException) {
            c = new BindException(e.getMessage());
        } else if (e instanceof SocketException) {
            c = new SocketException(e.getMessage());
        } else {
            c = new IOException(e.getMessage());
        }
        c.initCause(e.getCause());
        return c;
    }
}
