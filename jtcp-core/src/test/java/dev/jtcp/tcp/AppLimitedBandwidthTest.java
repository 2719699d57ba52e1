package dev.jtcp.tcp;

import static dev.jtcp.testutil.TwoHosts.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.link.impair.Impairments;
import dev.jtcp.testutil.TwoHosts;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The send loop marks rate samples app-limited when it stops for lack of data (Linux's
 * tcp_rate_check_app_limited): a BBR connection whose application writes small bursts does not
 * take the bursts' rate for the path's, so it neither ends Startup on their plateau nor keeps a
 * bandwidth estimate below what a later bulk transfer finds at once. The same when the peer's
 * receive window stops the loop (a deviation from Linux, see {@code Sender.outputData}).
 */
class AppLimitedBandwidthTest {
    @Test
    void smallBurstsDoNotEndBbrStartup() {
        TcpConfig cfg = TcpConfig.defaults().toBuilder().congestionControl(TcpConfig.CongestionAlgorithm.BBR).build();
        TwoHosts t = new TwoHosts(5, cfg, Impairments.parse("delay=10ms,rate=20mbit,queue=200"));
        TcpListener l = t.server.listen(t.now(), 80, 4);
        TcpConnection c = t.client.connect(t.now(), TwoHosts.SERVER, 80);
        t.runFor(100 * MS);
        TcpConnection s = l.accept();
        Bbr bbr = (Bbr) s.tcb().cc;
        ByteBuffer src = ByteBuffer.allocate(64 * 1024);
        ByteBuffer dst = ByteBuffer.allocate(256 * 1024);
        // Two seconds (some 40 round trips at a flat rate) of 4 KB every 50 ms: all app-limited.
        long start = t.now();
        while (t.now() - start < 2_000 * MS) {
            if ((t.now() - start) % (50 * MS) < MS) {
                src.clear().limit(4096);
                s.send(t.now(), src);
            }
            t.runFor(MS);
            dst.clear();
            c.receive(t.now(), dst);
        }
        assertThat(bbr.fullBwReached()).as("a plateau of app-limited samples is not a full pipe").isFalse();
        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.STARTUP);
        // Then bulk data: Startup goes on from where it was and finds the 2.5 MB/s bottleneck.
        start = t.now();
        while (t.now() - start < 1_000 * MS) {
            src.clear();
            s.send(t.now(), src);
            t.runFor(MS);
            dst.clear();
            c.receive(t.now(), dst);
        }
        assertThat(bbr.maxBw()).as("estimate after 1 s of bulk data, bytes/s").isBetween(2.2e6, 2.8e6);
    }

    @Test
    void aReceiveWindowPlateauDoesNotEndBbrStartup() {
        TcpConfig cfg = TcpConfig.defaults().toBuilder().congestionControl(TcpConfig.CongestionAlgorithm.BBR).build();
        // The receiver starts with 16 KB (a Linux receiver offers 64 KB and opens its window only as
        // data arrives in order). No bottleneck on the path, as over the TUN device of jtcp bench
        // tun-loss: what limits the sender is the receiver.
        TcpConfig receiver = cfg.toBuilder().receiveBufferBytes(16 * 1024).build();
        Impairments path = Impairments.parse("delay=10ms");
        TwoHosts t = new TwoHosts(5, receiver, cfg, path, path);
        TcpListener l = t.server.listen(t.now(), 80, 4);
        TcpConnection c = t.client.connect(t.now(), TwoHosts.SERVER, 80);
        t.runFor(100 * MS);
        TcpConnection s = l.accept();
        Bbr bbr = (Bbr) s.tcb().cc;
        // The receiving application takes 16 KB every 20 ms, and the window opens by what it reads:
        // a plateau of the receiver's making, round after round.
        ByteBuffer src = ByteBuffer.allocate(64 * 1024);
        ByteBuffer dst = ByteBuffer.allocate(1 << 20);
        long start = t.now();
        while (t.now() - start < 2_000 * MS) {
            src.clear();
            s.send(t.now(), src);
            t.runFor(MS);
            if ((t.now() - start) % (20 * MS) < MS) {
                dst.clear().limit(16 * 1024);
                c.receive(t.now(), dst);
            }
        }
        assertThat(bbr.fullBwReached()).as("a plateau the receive window makes is not a full pipe").isFalse();
        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.STARTUP);
        // Then the application reads all it gets: Startup goes on, doubling, far past the plateau.
        start = t.now();
        while (t.now() - start < 500 * MS) {
            src.clear();
            s.send(t.now(), src);
            t.runFor(MS);
            dst.clear();
            c.receive(t.now(), dst);
        }
        assertThat(bbr.maxBw()).as("estimate after 0.5 s with the window open, bytes/s").isGreaterThan(20e6);
    }
}
