package dev.jtcp.script;

import dev.jtcp.wire.IpAddress;

/** Placeholder until the differential mode lands. */
final class LinuxTarget {
    private LinuxTarget() {
    }

    static Target start(Endpoints ends, int prefixLength, int mtu) {
        throw new ScriptUnsupportedException(0, "the Linux differential mode is not available yet");
    }

    static boolean isAllowed(IpAddress a) {
        return a != null;
    }
}
