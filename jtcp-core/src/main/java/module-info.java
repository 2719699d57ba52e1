/**
 * jtcp: a userspace TCP/IP stack for the JVM, on the JDK alone. Start with {@link
 * dev.jtcp.api.NetStack} (a stack on a link, with {@code java.net}-shaped sockets), {@link
 * dev.jtcp.link.MemoryLink} (two stacks in one process) or {@link dev.jtcp.link.tun.TunLink} (a
 * Linux TUN device); docs/embedding.md walks through them.
 *
 * <p>Exported: the socket API and forwarder ({@code api}, {@code forward}), the links ({@code link},
 * {@code link.tun}, {@code link.impair}), the simulator for deterministic tests ({@code link.sim},
 * {@code sim}, {@code stack}), the engine and its configuration ({@code tcp}), what can be observed
 * and drawn ({@code event}, {@code trace}, {@code pcap}) and packet formats ({@code wire}).
 * Internal: the {@code jtcp demo} stories ({@code scenario}) and the packetdrill-language runner
 * ({@code script}), tools of the {@code jtcp} command, exported to it alone.
 *
 * <p>The TUN link calls {@code libc} through {@code java.lang.foreign}: run with {@code
 * --enable-native-access=dev.jtcp} on the module path ({@code ALL-UNNAMED} on the class path).
 */
@SuppressWarnings("module") // the qualified exports name dev.jtcp.cli, which is compiled after this module
module dev.jtcp {
    exports dev.jtcp.api;
    exports dev.jtcp.event;
    exports dev.jtcp.forward;
    exports dev.jtcp.link;
    exports dev.jtcp.link.impair;
    exports dev.jtcp.link.sim;
    exports dev.jtcp.link.tun;
    exports dev.jtcp.pcap;
    exports dev.jtcp.sim;
    exports dev.jtcp.stack;
    exports dev.jtcp.tcp;
    exports dev.jtcp.trace;
    exports dev.jtcp.wire;

    exports dev.jtcp.scenario to dev.jtcp.cli;
    exports dev.jtcp.script to dev.jtcp.cli;
}
