package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.tcp.Scripted.S;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static dev.jtcp.wire.TcpFlags.RST;
import static dev.jtcp.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * LISTEN with its two queues (RFC 9293 §3.10.7.2) and SYN cookies (RFC 4987 §3.6): both queues
 * bounded by the backlog, cookies once the SYN queue is full, what a cookie carries (MSS, and window
 * scale and SACK-permitted inside the timestamp), forged cookies, and a flood of spoofed SYNs.
 */
class ListenerTest {
    private static final TcpConfig COOKIES_OFF = Scripted.PLAIN.toBuilder().synCookies(TcpConfig.SynCookieMode.OFF).build();
    private static final TcpConfig COOKIES_ON = Scripted.PLAIN.toBuilder()
            .synCookies(TcpConfig.SynCookieMode.ON_OVERFLOW).build();

    private static ScriptedPeer.Seg syn(int port) {
        return seg(SYN).seq(IRS).mss(1460).ports(port, 80);
    }

    private static ScriptedPeer.Seg ack(int port, int ack) {
        return seg(ACK).seq(IRS + 1).ack(ack).ports(port, 80);
    }

    @Test
    void dropsSynsBeyondTheBacklogWhenCookiesAreOff() {
        ScriptedPeer p = Scripted.peer(COOKIES_OFF);
        TcpListener l = p.host.listen(0, 80, 4);
        for (int i = 0; i < 6; i++) {
            p.inject(syn(40000 + i));
        }
        assertThat(Scripted.drain(p)).hasSize(4).allMatch(s -> s.is(SYN | ACK));
        assertThat(l.synQueueLength()).isEqualTo(4);
        assertThat(p.host.connectionCount()).isEqualTo(4);
        assertThat(l.synsDropped()).isEqualTo(2);
        assertThat(p.host.drops().get(DropReason.TCP_LISTEN_OVERFLOW)).isEqualTo(2);
    }

    @Test
    void boundsTheAcceptQueueAndLetsAWaitingHandshakeFinishOnceThereIsRoom() {
        ScriptedPeer p = Scripted.peer(COOKIES_OFF);
        TcpListener l = p.host.listen(0, 80, 2);
        p.inject(syn(40000)).inject(syn(40001));
        p.inject(ack(40000, ISS + 1));
        p.inject(syn(40002));
        p.inject(ack(40001, ISS + 1));
        assertThat(l.acceptQueueLength()).isEqualTo(2);
        p.clearSent();
        // Accept queue full: the completing ACK is dropped, the child stays in SYN-RECEIVED.
        p.inject(ack(40002, ISS + 1));
        assertThat(l.acceptQueueLength()).isEqualTo(2);
        assertThat(l.synQueueLength()).isEqualTo(1);
        // ... and new SYNs are not answered at all.
        p.inject(syn(40003));
        p.expectNothingSent();
        assertThat(l.synsDropped()).isEqualTo(1);
        assertThat(l.accept().key().remotePort()).isEqualTo(40000);
        p.inject(ack(40002, ISS + 1));
        assertThat(l.acceptQueueLength()).isEqualTo(2);
        assertThat(l.synQueueLength()).isZero();
    }

    @ParameterizedTest(name = "peer MSS {0} → cookie MSS {1}")
    @CsvSource({"1460, 1460", "1300, 1300", "1440, 1440", "1000, 536", "536, 536", "9000, 1460"})
    void answersWithACookieWhenTheSynQueueIsFullAndRebuildsTheConnectionFromIt(int peerMss, int cookieMss) {
        ScriptedPeer p = Scripted.peer(COOKIES_ON);
        TcpListener l = p.host.listen(0, 80, 1);
        p.inject(syn(40000));
        p.clearSent();
        p.inject(seg(SYN).seq(IRS).mss(peerMss).ports(40001, 80));
        ScriptedPeer.Sent cookie = p.next();
        assertThat(cookie.is(SYN | ACK)).as("%s", cookie).isTrue();
        assertThat(cookie.ack()).as("%s", cookie).isEqualTo(IRS + 1);
        assertThat(l.cookiesSent()).isEqualTo(1);
        assertThat(p.host.connectionCount()).as("no state kept for the cookie").isEqualTo(1);
        p.inject(ack(40001, cookie.seq() + 1));
        TcpConnection c = l.accept();
        assertThat(c.key().remotePort()).isEqualTo(40001);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(c.status().iss()).isEqualTo(cookie.seq());
        assertThat(c.status().peerMss()).isEqualTo(cookieMss);
        assertThat(l.cookiesAccepted()).isEqualTo(1);
        c.send(p.now(), Scripted.bytes(100));
        ScriptedPeer.Sent data = p.next();
        assertThat(data.seq()).as("%s", data).isEqualTo(cookie.seq() + 1);
        assertThat(data.ack()).as("%s", data).isEqualTo(IRS + 1);
    }

    @Test
    void cookieKeepsWindowScaleAndSackPermittedInTheTimestamp() {
        TcpConfig cfg = TcpConfig.builder().synCookies(TcpConfig.SynCookieMode.ON_OVERFLOW).build();
        ScriptedPeer p = Scripted.peer(cfg);
        TcpListener l = p.host.listen(0, 80, 1);
        p.inject(syn(40000));
        p.clearSent();
        p.inject(seg(SYN).seq(IRS).mss(1460).ports(40001, 80).ts(777, 0).wscale(7).sackOk());
        ScriptedPeer.Sent cookie = p.next();
        // The scale the rebuilt connection will use: from the 6 MiB autotuning maximum.
        assertThat(cookie.h().option(TcpOption.WindowScale.class)).isEqualTo(new TcpOption.WindowScale(7));
        assertThat(cookie.h().option(TcpOption.SackPermitted.class)).isNotNull();
        TcpOption.Timestamps ts = cookie.h().option(TcpOption.Timestamps.class);
        assertThat(ts.tsEcr()).isEqualTo(777);
        p.inject(ack(40001, cookie.seq() + 1).ts(800, ts.tsVal()).window(100));
        TcpConnection c = l.accept();
        ConnectionStatus st = c.status();
        assertThat(st.timestamps()).isTrue();
        assertThat(st.sackPermitted()).isTrue();
        assertThat(st.sndWndScale()).isEqualTo(7);
        assertThat(st.rcvWndScale()).isEqualTo(7);
        assertThat(st.sndWnd()).isEqualTo(100 << 7);
        assertThat(st.effectiveSendMss()).isEqualTo(1448);

        // Without timestamps the cookie has nowhere to keep them: neither is offered (RFC 4987 §3.6).
        p.inject(seg(SYN).seq(IRS).mss(1460).ports(40002, 80).wscale(7).sackOk());
        ScriptedPeer.Sent plain = p.next();
        assertThat(plain.h().option(TcpOption.WindowScale.class)).isNull();
        assertThat(plain.h().option(TcpOption.SackPermitted.class)).isNull();
        p.inject(ack(40002, plain.seq() + 1).window(100));
        ConnectionStatus st2 = l.accept().status();
        assertThat(List.of(st2.sndWndScale(), st2.sndWnd())).containsExactly(0, 100);
        assertThat(st2.sackPermitted()).isFalse();
    }

    @Test
    void aValidCookieAckWaitsLikeAnyHandshakeWhileTheAcceptQueueIsFull() {
        ScriptedPeer p = Scripted.peer(COOKIES_ON);
        TcpListener l = p.host.listen(0, 80, 1);
        p.inject(syn(40000));
        p.inject(syn(40001));
        ScriptedPeer.Sent cookie = Scripted.drain(p).getLast();
        p.inject(ack(40000, ISS + 1));
        assertThat(l.acceptQueueLength()).isEqualTo(1);
        // The cookie is good but there is no room: dropped, not reset; the peer will send again.
        p.inject(ack(40001, cookie.seq() + 1).data("GET /"));
        p.expectNothingSent();
        assertThat(l.accept().key().remotePort()).isEqualTo(40000);
        p.inject(ack(40001, cookie.seq() + 1).data("GET /"));
        TcpConnection c = l.accept();
        assertThat(c.key().remotePort()).isEqualTo(40001);
        assertThat(c.readable()).isEqualTo(5);
    }

    @Test
    void aPeerThatCompletedACookieHandshakeIsNotResetByTheChildOfItsRetransmittedSyn() {
        // A connection storm: the SYN drew a cookie (SYN queue full); its retransmitted copy found
        // room and made a child with an ISN of its own; the peer took the cookie's SYN,ACK.
        ScriptedPeer p = Scripted.peer(COOKIES_ON);
        TcpListener l = p.host.listen(0, 80, 1);
        p.inject(syn(40000));
        p.inject(syn(40001));
        ScriptedPeer.Sent cookie = Scripted.drain(p).getLast();
        p.inject(ack(40000, ISS + 1));
        assertThat(l.accept().key().remotePort()).isEqualTo(40000);
        p.inject(syn(40001));
        ScriptedPeer.Sent stateful = p.next();
        assertThat(stateful.seq()).as("a child with its own ISN").isNotEqualTo(cookie.seq());
        assertThat(l.synQueueLength()).isEqualTo(1);

        p.inject(ack(40001, cookie.seq() + 1).data("GET /"));
        assertThat(Scripted.drain(p)).as("no RST").noneMatch(s -> s.is(RST));
        TcpConnection c = l.accept();
        assertThat(c.key().remotePort()).isEqualTo(40001);
        assertThat(c.status().iss()).isEqualTo(cookie.seq());
        assertThat(c.readable()).isEqualTo(5);
        assertThat(l.synQueueLength()).isZero();
        assertThat(p.host.connectionCount()).isEqualTo(2);
    }

    @Test
    void aChildChecksALaterSegmentAgainstTheCookieWithThePeersIsnItKnows() {
        // The peer's cookie ACK and its data were lost; what reaches the child is the duplicate ACK
        // its SYN,ACK retransmission drew, past the data (sequence number IRS + 1 + 5).
        ScriptedPeer p = Scripted.peer(COOKIES_ON);
        TcpListener l = p.host.listen(0, 80, 1);
        p.inject(syn(40000));
        p.inject(syn(40001));
        ScriptedPeer.Sent cookie = Scripted.drain(p).getLast();
        p.inject(ack(40000, ISS + 1));
        l.accept();
        p.inject(syn(40001));
        Scripted.drain(p);
        p.inject(seg(ACK).seq(IRS + 6).ack(cookie.seq() + 1).ports(40001, 80));
        assertThat(Scripted.drain(p)).as("no RST").noneMatch(s -> s.is(RST));
        TcpConnection c = l.accept();
        assertThat(c.status().iss()).isEqualTo(cookie.seq());
        // The lost data comes again at IRS + 1 and is taken.
        p.inject(ack(40001, cookie.seq() + 1).data("GET /"));
        assertThat(c.readable()).isEqualTo(5);
    }

    @Test
    void whileCookiesAreInUseABareAckThatIsNoCookieIsDroppedNotReset() {
        ScriptedPeer p = Scripted.peer(COOKIES_ON);
        TcpListener l = p.host.listen(0, 80, 1);
        p.inject(syn(40000));
        p.inject(syn(40001));
        ScriptedPeer.Sent cookie = Scripted.drain(p).getLast();
        // A duplicate ACK from past the ISN (the cookie ACK and data before it were lost).
        p.inject(seg(ACK).seq(IRS + 6).ack(cookie.seq() + 1).ports(40001, 80));
        p.expectNothingSent();
        assertThat(p.host.drops().get(DropReason.TCP_BAD_COOKIE)).isEqualTo(1);
        // The data, sent again at the ISN, validates.
        p.inject(ack(40001, cookie.seq() + 1).data("GET /"));
        assertThat(l.cookiesAccepted()).isEqualTo(1);
        assertThat(p.host.connectionCount()).isEqualTo(2);
    }

    @Test
    void anAckOfNeitherTheChildNorACookieStillDrawsRst() {
        ScriptedPeer p = Scripted.peer(COOKIES_ON);
        TcpListener l = p.host.listen(0, 80, 1);
        p.inject(syn(40000));
        p.inject(syn(40001));
        Scripted.drain(p);
        p.inject(ack(40000, ISS + 7));
        ScriptedPeer.Sent rst = p.next();
        assertThat(rst.is(RST)).as("%s", rst).isTrue();
        assertThat(rst.seq()).isEqualTo(ISS + 7);
        assertThat(l.synQueueLength()).isEqualTo(1);
    }

    @Test
    void answersAForgedCookieAckWithRst() {
        ScriptedPeer p = Scripted.peer(COOKIES_ON);
        TcpListener l = p.host.listen(0, 80, 1);
        p.inject(syn(40000));
        p.inject(syn(40001));
        ScriptedPeer.Sent cookie = Scripted.drain(p).getLast();
        p.inject(ack(40001, cookie.seq() + 2).data("GET /"));
        p.inject(ack(40002, 0x1234_5678).data("GET /"));
        List<ScriptedPeer.Sent> rsts = Scripted.drain(p);
        assertThat(rsts).extracting(ScriptedPeer.Sent::seq).containsExactly(cookie.seq() + 2, 0x1234_5678);
        assertThat(rsts).allMatch(s -> s.is(RST));
        assertThat(l.cookiesAccepted()).isZero();
        assertThat(l.acceptQueueLength()).isZero();
        assertThat(p.host.connectionCount()).isEqualTo(1);
    }

    @Test
    void aFloodOfSpoofedSynsLeavesMemoryBoundedAndARealClientGetsIn() {
        ScriptedPeer p = Scripted.peer(COOKIES_ON);
        p.host.tracer(null);
        int backlog = 64;
        TcpListener l = p.host.listen(0, 80, backlog);
        for (int i = 0; i < 100_000; i++) {
            IpAddress spoofed = IpAddress.ofV4(10, (i >>> 16) & 0xFF, (i >>> 8) & 0xFF, i & 0xFF);
            p.inject(seg(SYN).seq(IRS + i).mss(1460).ports(1024 + i % 60_000, 80), spoofed, ScriptedPeer.LOCAL);
            if (i % 1000 == 0) {
                p.clearSent();
            }
            assertThat(l.synQueueLength()).isLessThanOrEqualTo(backlog);
        }
        p.clearSent();
        assertThat(l.synQueueLength()).isEqualTo(backlog);
        assertThat(p.host.connectionCount()).isEqualTo(backlog);
        assertThat(l.cookiesSent()).isEqualTo(100_000 - backlog);
        // The real client, in the middle of the flood, is answered with a cookie and gets in.
        p.inject(syn(40000));
        ScriptedPeer.Sent cookie = p.next();
        p.inject(ack(40000, cookie.seq() + 1));
        TcpConnection c = l.accept();
        assertThat(c.key().remoteAddress()).isEqualTo(ScriptedPeer.REMOTE);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        // The spoofed half-open connections give up after five SYN,ACK retransmissions (63 s); only the real one is left.
        p.advance(181 * S);
        assertThat(l.synQueueLength()).isZero();
        assertThat(p.host.connectionCount()).isEqualTo(1);
    }

    /**
     * As Linux (tcp_synack_retries 5): a half-open connection whose ACK never comes retransmits its
     * SYN,ACK five times with backoff from 1 s (at 1, 3, 7, 15 and 31 s) and is gone at 63 s, not after
     * R2's three minutes; the cookies a flood caused stop once its half-open entries are gone.
     */
    @Test
    void aHalfOpenConnectionGivesUpAfterFiveSynAckRetransmissions() {
        ScriptedPeer p = Scripted.peer(COOKIES_ON);
        int backlog = 4;
        TcpListener l = p.host.listen(0, 80, backlog);
        long t0 = p.now();
        for (int i = 0; i < backlog + 2; i++) {
            p.inject(seg(SYN).seq(IRS + i).mss(1460).ports(2000 + i, 80), IpAddress.ofV4(10, 0, 0, i + 1),
                    ScriptedPeer.LOCAL);
        }
        assertThat(l.synQueueLength()).isEqualTo(backlog);
        assertThat(l.cookiesSent()).isEqualTo(2);
        p.clearSent();
        java.util.List<Long> synAckTimes = new java.util.ArrayList<>();
        for (int ms = 0; ms < 62_500; ms += 100) {
            p.advance(100 * Scripted.MS);
            for (ScriptedPeer.Sent sent : p.pending()) {
                if (sent.is(SYN | ACK) && sent.h().dstPort() == 2000) {
                    synAckTimes.add((sent.timeNs() - t0) / S);
                }
            }
            p.clearSent();
        }
        assertThat(synAckTimes).containsExactly(1L, 3L, 7L, 15L, 31L);
        assertThat(l.synQueueLength()).as("at 62.5 s").isEqualTo(backlog);
        p.advance(600 * Scripted.MS);
        assertThat(p.now() - t0).isGreaterThanOrEqualTo(63 * S);
        assertThat(l.synQueueLength()).as("at 63.1 s").isZero();
        assertThat(p.host.connectionCount()).isZero();
        // The queue has room again: a new SYN gets a SYN-RECEIVED entry, not a cookie.
        p.inject(syn(40000));
        assertThat(l.synQueueLength()).isEqualTo(1);
        assertThat(l.cookiesSent()).isEqualTo(2);
    }
}
