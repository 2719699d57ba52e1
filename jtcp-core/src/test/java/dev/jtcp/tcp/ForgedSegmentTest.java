package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.link.impair.Impairments;
import dev.jtcp.testutil.TwoHosts;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Downloads with forged segments mixed into the client's packets: a blind or on-path attacker's
 * segment that passes the sequence and acknowledgment checks must not stall the transfer for good.
 */
class ForgedSegmentTest {
    private static final long MS = TwoHosts.MS;
    private static final int TOTAL = 2_000_000;

    /** A download in progress: the server sends, the client reads. */
    private static final class Download {
        final TwoHosts t;
        final TcpConnection client;
        final TcpConnection server;
        final byte[] data = new byte[TOTAL];
        final ByteBuffer received = ByteBuffer.allocate(TOTAL + 1);
        int sent;

        Download(long seed) {
            t = new TwoHosts(seed, TcpConfig.builder().timestamps(false).build(),
                    Impairments.builder().delayNs(5 * MS).build());
            new SplittableRandom(seed).nextBytes(data);
            TcpListener l = t.server.listen(t.now(), 80, 16);
            client = t.client.connect(t.now(), TwoHosts.SERVER, 80);
            t.runFor(100 * MS);
            server = l.accept();
        }

        /** Runs for {@code ns} of virtual time, 1 ms at a time, sending and reading. */
        void run(long ns) {
            long end = t.now() + ns;
            while (t.now() < end && received.position() < TOTAL) {
                if (sent < TOTAL) {
                    sent += server.send(t.now(), ByteBuffer.wrap(data, sent, Math.min(65_536, TOTAL - sent)));
                }
                t.runFor(MS);
                ByteBuffer view = received.slice(received.position(), received.remaining());
                int n = client.receive(t.now(), view);
                if (n > 0) {
                    received.position(received.position() + n);
                }
            }
        }

        /** Delivers a segment as if the client sent it. */
        void forge(TcpSegment seg) {
            seg.srcPort = client.key().localPort();
            seg.dstPort = 80;
            ByteBuffer b = ByteBuffer.allocate(2048);
            int n = new PacketWriter().writeTcp(b, 0, TwoHosts.CLIENT, TwoHosts.SERVER, 64, 0, seg);
            b.limit(n);
            t.server.onPacket(t.now(), b);
        }

        boolean intact() {
            return received.position() == TOTAL
                    && received.flip().equals(ByteBuffer.wrap(data));
        }
    }

    /**
     * An ACK at RCV.NXT + 1000 (in the window), with the current acknowledgment number and window 0:
     * RFC 9293's window-update rule taken literally makes it the newest window update (SND.WL1 moves
     * past every genuine segment), so no later ACK could reopen the window. Linux's rule (any ACK
     * that advances SND.UNA updates the window) recovers.
     */
    @Test
    void aForgedZeroWindowAckAheadOfRcvNxtDoesNotStallTheDownload() {
        Download d = new Download(1);
        d.run(50 * MS);
        ConnectionStatus s = d.server.status();
        assertThat(s.unacknowledged()).as("data in flight when the forgery arrives").isPositive();
        TcpSegment forged = new TcpSegment();
        forged.flags = TcpFlags.ACK;
        forged.seq = s.rcvNxt() + 1000;
        forged.ack = s.sndUna();
        forged.window = 0;
        d.forge(forged);
        assertThat(d.server.status().sndWnd()).as("the forgery was taken as a window update").isZero();
        d.run(30_000 * MS);
        assertThat(d.received.position()).isEqualTo(TOTAL);
        assertThat(d.intact()).isTrue();
    }

    /**
     * Sequence-aware mutated copies of the client's genuine state (forged windows, sequence and
     * acknowledgment numbers, flags) mixed into the download: it finishes, intact.
     */
    @Test
    void aDownloadWithMutatedSegmentsMixedInFinishesIntact() {
        for (long seed = 1; seed <= 5; seed++) {
            Download d = new Download(seed);
            SplittableRandom r = new SplittableRandom(seed * 31);
            while (d.received.position() < TOTAL && d.t.now() < 60_000 * MS) {
                d.run(3 * MS);
                if (d.server.state() != dev.jtcp.event.TcpState.ESTABLISHED) {
                    break;
                }
                ConnectionStatus s = d.server.status();
                TcpSegment m = new TcpSegment();
                m.flags = TcpFlags.ACK | (r.nextInt(8) == 0 ? TcpFlags.PSH : 0) | (r.nextInt(16) == 0 ? TcpFlags.URG : 0)
                        | (r.nextInt(16) == 0 ? TcpFlags.SYN : 0) | (r.nextInt(16) == 0 ? TcpFlags.FIN : 0);
                m.seq = s.rcvNxt() + switch (r.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> r.nextInt(1, 60_000);
                    case 2 -> -r.nextInt(1, 60_000);
                    default -> r.nextInt();
                };
                m.ack = s.sndUna() + switch (r.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> -r.nextInt(1, 100_000);
                    // Never an ACK of data in flight: that loses the data whatever the receiver does.
                    case 2 -> s.sndNxt() + r.nextInt(1, 100_000);
                    default -> r.nextInt();
                };
                m.window = r.nextInt(3) == 0 ? 0 : r.nextInt(65_536);
                d.forge(m);
            }
            d.run(30_000 * MS);
            assertThat(d.received.position()).as("seed %d", seed).isEqualTo(TOTAL);
            assertThat(d.intact()).as("seed %d", seed).isTrue();
        }
    }
}
