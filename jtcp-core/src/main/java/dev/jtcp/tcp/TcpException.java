package dev.jtcp.tcp;

/** A user call the engine refused, carrying the {@link TcpError} a socket API maps to an errno. */
public final class TcpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final TcpError error;

    public TcpException(TcpError error) {
        this(error, error.message());
    }

    public TcpException(TcpError error, String message) {
        super(message);
        this.error = error;
    }

    public TcpError error() {
        return error;
    }
}
