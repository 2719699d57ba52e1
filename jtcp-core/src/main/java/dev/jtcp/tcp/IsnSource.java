package dev.jtcp.tcp;

/**
 * Where initial sequence numbers come from. Hosts use {@link IsnGenerator} (RFC 6528); tests and
 * teaching scenarios substitute fixed values so segments match the RFC's figures exactly.
 */
@FunctionalInterface
public interface IsnSource {
    /** The ISN for a connection from the local to the remote endpoint at time {@code nowNs}. */
    int isn(long nowNs, long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort);
}
