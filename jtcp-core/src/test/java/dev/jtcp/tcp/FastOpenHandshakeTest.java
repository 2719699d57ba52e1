package dev.jtcp.tcp;

import static dev.jtcp.testutil.TwoHosts.MS;
import static dev.jtcp.testutil.TwoHosts.S;
import static dev.jtcp.testutil.TwoHosts.SERVER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.testutil.TwoHosts;
import dev.jtcp.wire.TcpFlags;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * TCP Fast Open (RFC 7413) end to end between two jtcp hosts on virtual time: the first connection
 * fetches a cookie, the second sends its request in the SYN and the server reads it one round trip
 * early; a refused cookie and a lost SYN with data fall back to the ordinary handshake.
 */
class FastOpenHandshakeTest {
    private static final byte[] REQUEST = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static TwoHosts hosts(Impairments toServer) {
        TwoHosts t = new TwoHosts(7, TcpConfig.defaults(), TcpConfig.defaults(), toServer,
                Impairments.builder().delayNs(10 * MS).build());
        t.client.fastOpen().mode(FastOpen.CLIENT);
        t.server.fastOpen().mode(FastOpen.SERVER);
        return t;
    }

    private static String read(TcpConnection c, TwoHosts t) {
        ByteBuffer b = ByteBuffer.allocate(1000);
        c.receive(t.now(), b);
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }

    @Test
    void secondConnectionCarriesItsDataInTheSyn() {
        TwoHosts t = hosts(Impairments.builder().delayNs(10 * MS).build());
        TcpListener l = t.server.listen(t.now(), 80, 8);
        l.fastOpen(8);

        // First connection: a cookie request; the data waits for the handshake.
        ByteBuffer first = ByteBuffer.wrap(REQUEST);
        TcpConnection c1 = t.client.connectFastOpen(t.now(), SERVER, 80, 0, first);
        assertThat(first.position()).as("no cookie yet: nothing rides on the SYN").isZero();
        t.runFor(30 * MS);
        assertThat(c1.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(t.client.fastOpen().cachedCookie(SERVER)).hasSize(FastOpen.COOKIE_BYTES);
        TcpConnection s1 = l.accept();
        assertThat(s1.synDataAccepted()).isFalse();
        c1.close(t.now());
        s1.close(t.now());
        t.runFor(1 * S);

        // Second connection: SYN + cookie + data; the server has the request before the handshake ends.
        int before = t.events.size();
        ByteBuffer second = ByteBuffer.wrap(REQUEST);
        TcpConnection c2 = t.client.connectFastOpen(t.now(), SERVER, 80, 0, second);
        assertThat(second.position()).isEqualTo(REQUEST.length);
        t.runFor(10 * MS); // one way: the SYN has arrived, the SYN,ACK not yet
        TcpConnection s2 = l.accept();
        assertThat(s2).as("accepted while in SYN-RECEIVED").isNotNull();
        assertThat(s2.state()).isEqualTo(TcpState.SYN_RECEIVED);
        assertThat(read(s2, t)).isEqualTo(new String(REQUEST, StandardCharsets.US_ASCII));
        assertThat(s2.synDataAccepted()).isTrue();
        t.runFor(20 * MS);
        assertThat(c2.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(c2.synDataAccepted()).isTrue();
        assertThat(c2.status().unsent()).isZero();
        assertThat(l.fastOpenAccepted()).isEqualTo(1);
        assertThat(t.events.size()).isGreaterThan(before);
    }

    @Test
    void aStaleCookieIsRefusedAndTheDataSentAgainAfterTheHandshake() {
        TwoHosts t = hosts(Impairments.builder().delayNs(10 * MS).build());
        TcpListener l = t.server.listen(t.now(), 80, 8);
        l.fastOpen(8);
        t.client.fastOpen().cacheCookie(SERVER, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        ByteBuffer data = ByteBuffer.wrap(REQUEST);
        TcpConnection c = t.client.connectFastOpen(t.now(), SERVER, 80, 0, data);
        assertThat(data.position()).isEqualTo(REQUEST.length);
        t.runFor(25 * MS);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(c.synDataAccepted()).as("the SYN,ACK acknowledged only the SYN").isFalse();
        assertThat(t.client.fastOpen().cachedCookie(SERVER)).as("the server's fresh cookie replaced the stale one")
                .isNotEqualTo(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}).hasSize(8);
        t.runFor(100 * MS);
        TcpConnection s = l.accept();
        assertThat(s.synDataAccepted()).isFalse();
        assertThat(read(s, t)).as("sent again after the handshake, once").isEqualTo(new String(REQUEST, StandardCharsets.US_ASCII));
        assertThat(l.fastOpenAccepted()).isZero();
    }

    @Test
    void aLostSynWithDataFallsBackToAPlainSyn() {
        // RFC 7413 §4.1.3.1: the SYN with data times out; the retransmitted SYN carries neither data
        // nor cookie, and the data goes after the handshake.
        ScriptedPeer p = new ScriptedPeer(TcpConfig.defaults(), 1000);
        p.host.fastOpen().mode(FastOpen.CLIENT);
        p.host.fastOpen().cacheCookie(ScriptedPeer.REMOTE, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        TcpConnection c = p.host.connectFastOpen(p.now(), ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80,
                ByteBuffer.wrap(REQUEST));
        ScriptedPeer.Sent syn = p.next();
        assertThat(syn.payload()).hasSize(REQUEST.length);
        assertThat(syn.h().options().toString()).contains("opt-34 0102030405060708");
        p.advance(1100 * MS);
        ScriptedPeer.Sent again = p.next();
        assertThat(again.is(TcpFlags.SYN)).isTrue();
        assertThat(again.payload()).isEmpty();
        assertThat(again.h().options().toString()).doesNotContain("opt-34");
        p.inject(ScriptedPeer.seg(TcpFlags.SYN | TcpFlags.ACK).ports(ScriptedPeer.REMOTE_PORT, 80).seq(5000)
                .ack(1001).mss(1460));
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        ScriptedPeer.Sent data = p.next();
        assertThat(data.seq()).isEqualTo(1001);
        assertThat(data.payload()).hasSize(REQUEST.length);
        assertThat(c.synDataAccepted()).isFalse();
    }

    @Test
    void withoutFastOpenOnTheListenerNothingChanges() {
        TwoHosts t = hosts(Impairments.builder().delayNs(10 * MS).build());
        TcpListener l = t.server.listen(t.now(), 80, 8);
        t.client.fastOpen().cacheCookie(SERVER, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        t.client.connectFastOpen(t.now(), SERVER, 80, 0, ByteBuffer.wrap(REQUEST));
        t.runFor(10 * MS);
        assertThat(l.accept()).as("no Fast Open queue: the connection waits for the handshake").isNull();
        assertThat(l.fastOpenQueueLimit()).isZero();
        t.runFor(200 * MS);
        TcpConnection s = l.accept();
        assertThat(read(s, t)).isEqualTo(new String(REQUEST, StandardCharsets.US_ASCII));
    }

    @Test
    void aResetFastOpenConnectionIsResetNotReturnedToListen() {
        TwoHosts t = hosts(Impairments.builder().delayNs(10 * MS).build());
        TcpListener l = t.server.listen(t.now(), 80, 8);
        l.fastOpen(8);
        byte[] cookie = new byte[8];
        t.server.fastOpen().cookie(TwoHosts.CLIENT, SERVER, cookie);
        t.client.fastOpen().cacheCookie(SERVER, cookie);
        TcpConnection c = t.client.connectFastOpen(t.now(), SERVER, 80, 0, ByteBuffer.wrap(REQUEST));
        t.runFor(10 * MS);
        TcpConnection s = l.accept();
        assertThat(s.state()).isEqualTo(TcpState.SYN_RECEIVED);
        c.abort(t.now()); // SYN-SENT: nothing sent; the SYN,ACK then meets no connection and gets a RST
        t.runFor(30 * MS);
        assertThat(s.state()).isEqualTo(TcpState.CLOSED);
        assertThat(s.error()).isEqualTo(TcpError.RESET);
    }
}
