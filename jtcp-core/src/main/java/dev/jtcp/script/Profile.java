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
    LINUX,
    /**
     * What scripts written for FreeBSD (tcp(4), FreeBSD 13/14) assume: {@code net.inet.tcp.recvspace}
     * 65536 and {@code sendspace} 32768, IW 10 ({@code initcwnd_segments}), delayed ACK 40 ms
     * ({@code delacktime}), MSL 30 s, initial RTO 1 s ({@code rexmit_initial}), minimum RTO 230 ms
     * (FreeBSD's {@code rexmit_min} 30 ms plus its {@code rexmit_slop} 200 ms, which jtcp has no
     * separate term for), SACK, RFC 7323 and ECN accepted ({@code ecn.enable=2}), the first loss resent
     * on DupThresh SACKs (no {@link TcpConfig#rackFirstLossWait()}). FreeBSD lays out
     * its SYN options differently ({@code mss,nop,wscale,sackOK,TS}), so outbound options are
     * compared as a set unless the script says otherwise.
     */
    FREEBSD;

    public TcpConfig config() {
        return switch (this) {
            case DEFAULT -> TcpConfig.defaults();
            case RFC -> TcpConfig.rfc();
            case LINUX -> TcpConfig.linux().toBuilder().receiveBufferBytes(6 << 20).sendBufferBytes(4 << 20).build();
            case FREEBSD -> TcpConfig.defaults().toBuilder().receiveBufferBytes(65536).sendBufferBytes(32768)
                    .initialWindowSegments(10).delayedAck(java.time.Duration.ofMillis(40))
                    .msl(java.time.Duration.ofSeconds(30)).initialRto(java.time.Duration.ofSeconds(1))
                    .minRto(java.time.Duration.ofMillis(230)).ecn(TcpConfig.EcnMode.ACCEPT).rackFirstLossWait(false)
                    .rackNoDupThresh(false).rackRecoveryProbe(false).build();
        };
    }

    /** Whether the socket API doubles SO_SNDBUF/SO_RCVBUF as Linux does (socket(7)). */
    boolean doublesSocketBuffers() {
        return this == LINUX;
    }

    /** Parses {@code linux}, {@code freebsd}, {@code rfc} or {@code default}. */
    public static Profile parse(String s) {
        return valueOf(s.strip().toUpperCase(java.util.Locale.ROOT));
    }
}
