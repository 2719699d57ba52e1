package dev.jtcp.tcp;

import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpOptions;
import dev.jtcp.wire.TcpPacket;
import dev.jtcp.wire.TcpSegment;

/**
 * The options of the handshake: what our SYN or SYN,ACK offers, and what both ends agree on from
 * the peer's (RFC 9293 §3.7.1 MSS, MUST-14..16 and MUST-67; RFC 7323 §1.3, §2.2 window scale and
 * §3.2 timestamps; RFC 2018 §2 SACK-permitted; RFC 3168 §6.1.1 ECN). The results go into the
 * {@link Tcb}, with the congestion controller, whose initial window depends on the MSS.
 *
 * <p>Functions over the TCB: nothing here is kept per connection (a connection's heap stays small).
 */
final class SynOptions {
    static final int MAX_WINDOW = 65535;
    private static final int MAX_WINDOW_SCALE = TcpOptions.MAX_WINDOW_SCALE;

    private SynOptions() {}

    /** Option negotiation from the peer's SYN or SYN,ACK (MUST-14..16, RFC 7323 §1.3, RFC 2018 §2). */
    static void negotiate(TcpContext ctx, Tcb t, ConnectionOptions options, IpAddress remoteAddress, TcpOptions peer,
                          boolean passive) {
        TcpConfig cfg = ctx.config();
        boolean v6 = !remoteAddress.isV4();
        t.peerMss = peer.mss >= 0 ? Math.max(peer.mss, 64) : (v6 ? cfg.defaultMssV6() : cfg.defaultMssV4());
        if (passive) {
            t.localMss = localMss(ctx, options, remoteAddress);
        }
        boolean weOfferScale = passive ? cfg.windowScaling() : t.offeredRcvWndScale >= 0;
        t.wsOk = weOfferScale && peer.windowScale >= 0;
        if (t.wsOk) {
            t.sndWndScale = peer.windowScale;
            t.rcvWndScale = passive ? chooseWindowScale(t) : t.offeredRcvWndScale;
        } else {
            t.sndWndScale = 0;
            t.rcvWndScale = 0;
        }
        t.tsOk = cfg.timestamps() && peer.hasTimestamps;
        t.sackOk = cfg.sack() && peer.sackPermitted;
        established(ctx, t, options, remoteAddress);
    }

    /**
     * The options a SYN cookie carried (RFC 4987 §3.6): the listener answered the SYN without state,
     * so what the peer offered comes back encoded in the cookie.
     */
    static void negotiateFromCookie(TcpContext ctx, Tcb t, ConnectionOptions options, IpAddress remoteAddress,
                                    int peerMssFromCookie, int peerWindowScale, boolean peerSack, boolean peerTs) {
        TcpConfig cfg = ctx.config();
        t.localMss = localMss(ctx, options, remoteAddress);
        t.peerMss = peerMssFromCookie;
        t.tsOk = peerTs && cfg.timestamps();
        t.sackOk = peerSack && cfg.sack();
        t.wsOk = peerWindowScale >= 0 && cfg.windowScaling();
        if (t.wsOk) {
            t.sndWndScale = Math.min(peerWindowScale, MAX_WINDOW_SCALE);
            t.rcvWndScale = chooseWindowScale(t);
        }
    }

    /**
     * What follows agreement: the effective MSS, a congestion controller with its initial window, and
     * the first advertised right edge.
     */
    static void established(TcpContext ctx, Tcb t, ConnectionOptions options, IpAddress remoteAddress) {
        updateEffectiveMss(ctx, t, options, remoteAddress);
        t.cc = CongestionControl.forConnection(ctx.config(), initialWindow(ctx.config(), t), t.iss);
        t.rcvAdvertisedEdge = t.rcvNxt + Math.min(t.rcvBuf.window(), MAX_WINDOW);
    }

    /** MUST-67: the MSS option is MMS_R minus the TCP header, capped by TCP_MAXSEG. */
    static int localMss(TcpContext ctx, ConnectionOptions options, IpAddress remoteAddress) {
        int mss = ctx.maxReceiveSegmentSize(remoteAddress) - TcpPacket.HEADER_LENGTH;
        return options.userMss > 0 ? Math.min(mss, options.userMss) : mss;
    }

    /**
     * MUST-16: Eff.snd.MSS = min(SendMSS + 20, MMS_S) − TCPhdrsize − IPoptionsize, where TCPhdrsize
     * includes the options every segment carries (timestamps: 12 bytes).
     */
    static void updateEffectiveMss(TcpContext ctx, Tcb t, ConnectionOptions options, IpAddress remoteAddress) {
        int mmsS = ctx.maxSendSegmentSize(remoteAddress);
        int eff = Math.min(t.peerMss + TcpPacket.HEADER_LENGTH, mmsS) - TcpPacket.HEADER_LENGTH;
        if (t.tsOk) {
            eff -= 12;
        }
        if (options.userMss > 0) {
            eff = Math.min(eff, options.userMss);
        }
        t.effMss = Math.max(eff, 1);
    }

    /**
     * The smallest shift that lets the whole receive buffer be advertised (RFC 7323 §2.3): the
     * largest it may become, as autotuning grows it after the handshake fixed the scale (as Linux
     * chooses it from tcp_rmem's maximum).
     */
    static int chooseWindowScale(Tcb t) {
        int shift = 0;
        while (shift < MAX_WINDOW_SCALE && (t.rcvBuf.maxCapacity() >> shift) > MAX_WINDOW) {
            shift++;
        }
        return shift;
    }

    /** The initial congestion window (RFC 6928, RFC 5681 §3.1: IW), in bytes. */
    static int initialWindow(TcpConfig cfg, Tcb t) {
        return cfg.initialWindowSegments() * Math.max(t.effMss, 1);
    }

    /**
     * Our options on a SYN (active open) or SYN,ACK (passive and simultaneous open): MSS always
     * (MUST-14); on a SYN, every option we support; on a SYN,ACK, window scale, SACK-permitted and
     * timestamps only if the peer's SYN carried them (RFC 7323 §2.2, §3.2; RFC 2018 §2). Also the
     * ECN-setup flags (RFC 3168 §6.1.1).
     */
    static void writeSynOptions(TcpConfig cfg, Tcb t, TcpSegment out, boolean withAck, long nowNs) {
        out.options.mss = t.localMss;
        if (withAck) {
            if (t.ecnOk) {
                out.flags |= TcpFlags.ECE;
            }
            out.options.windowScale = t.wsOk ? t.rcvWndScale : -1;
            out.options.sackPermitted = t.sackOk;
            if (t.tsOk) {
                out.options.timestamps(t.tsNow(nowNs), t.tsRecent);
            }
            if (t.fastOpenCookie != null) {
                // RFC 7413 §4.2.1: the server offers a cookie when the SYN asked or carried a stale one.
                out.options.fastOpen(t.fastOpenCookie, t.fastOpenCookie.length, t.fastOpenExperimental);
            }
        } else {
            // RFC 3168 §6.1.1: ask for ECN with ECE and CWR. §6.1.1.1: a SYN sent again goes
            // without them, in case the first was dropped for its ECN bits; an ECN-setup SYN,ACK
            // still means the peer saw the first one, so it still counts (Linux does the same).
            if (t.retransmits == 0) {
                t.ecnRequested = cfg.ecn() == TcpConfig.EcnMode.ON;
            }
            if (t.ecnRequested && t.retransmits == 0) {
                out.flags |= TcpFlags.ECE | TcpFlags.CWR;
            }
            if (cfg.windowScaling()) {
                t.offeredRcvWndScale = chooseWindowScale(t);
                out.options.windowScale = t.offeredRcvWndScale;
            }
            out.options.sackPermitted = cfg.sack();
            if (cfg.timestamps()) {
                out.options.timestamps(t.tsNow(nowNs), 0);
            }
            // RFC 7413 §4.2.2: a cookie request or the cached cookie. Linux sends it on the first
            // SYN only: a retransmitted SYN goes without data or option, in case a middlebox ate it.
            if (t.fastOpenCookie != null && t.retransmits == 0) {
                out.options.fastOpen(t.fastOpenCookie, t.fastOpenCookie.length, t.fastOpenExperimental);
            }
        }
    }
}
