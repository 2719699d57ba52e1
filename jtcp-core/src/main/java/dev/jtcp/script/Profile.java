package dev.jtcp.script;

import dev.jtcp.tcp.TcpConfig;

/**
 * The defaults a family of scripts assumes. A profile changes configuration, never the rules of the
 * state machine.
 */
public enum Profile {
    /** jtcp's own defaults ({@link TcpConfig#defaults()}). */
    DEFAULT,
    /** The RFCs' numbers: minimum RTO 1 s, IW 3, delayed ACK 200 ms, MSL 2 min ({@link TcpConfig#rfc()}). */
    RFC,
    /**
     * What scripts written for Linux assume: IW 10, minimum RTO 200 ms, SYN options {@code
     * mss,sackOK,TS,nop,wscale} (jtcp's layout already), and Linux's largest buffers (6 MiB receive, so
     * the SYN offers window scale 7; 4 MiB send) ({@link TcpConfig#linux()}).
     */
    LINUX;

    public TcpConfig config() {
        return switch (this) {
            case DEFAULT -> TcpConfig.defaults();
            case RFC -> TcpConfig.rfc();
            case LINUX -> TcpConfig.linux().toBuilder().receiveBufferBytes(6 << 20).sendBufferBytes(4 << 20).build();
        };
    }

    /** Parses {@code linux}, {@code rfc} or {@code default}. */
    public static Profile parse(String s) {
        return valueOf(s.strip().toUpperCase(java.util.Locale.ROOT));
    }
}
