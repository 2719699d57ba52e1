package dev.jtcp.script;

import dev.jtcp.wire.IpAddress;

/**
 * The connection under test as the script sees it: the stack's address and port ("local") and the
 * script's ("remote"). Ports change as the script binds, connects and accepts.
 */
final class Endpoints {
    /** packetdrill's default: bind and connect use port 8080. */
    static final int DEFAULT_PORT = 8080;
    /** The port the script's side uses for passive opens. */
    static final int DEFAULT_REMOTE_PORT = 40_000;

    final IpAddress local;
    final IpAddress remote;
    /** The stack's port; -1 while unknown (a kernel connect() in flight), then learnt from its SYN. */
    int localPort = DEFAULT_PORT;
    int remotePort = DEFAULT_REMOTE_PORT;

    /** listen() calls so far. */
    private int listens;

    /**
     * The script side's port for the connections of a new listener: 40000, then 40001, ... As
     * packetdrill (a fresh ephemeral port for the first SYN to each listening socket under test), so
     * a script that listens again after an earlier connection starts a new 4-tuple rather than
     * hitting the old connection.
     */
    int remotePortForListen() {
        return DEFAULT_REMOTE_PORT + listens++;
    }

    Endpoints(IpAddress local, IpAddress remote) {
        this.local = local;
        this.remote = remote;
    }

    boolean isV4() {
        return local.isV4();
    }
}
