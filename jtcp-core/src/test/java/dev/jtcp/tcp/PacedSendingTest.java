package dev.jtcp.tcp;

import static dev.jtcp.testutil.TwoHosts.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TimerKind;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.testutil.TwoHosts;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A controller that paces (BBR) spaces its data segments on the PACING timer; the others send as the window allows. */
class PacedSendingTest {
    private static List<Long> dataSendTimes(TcpConfig.CongestionAlgorithm cc, int[] pacingFired) {
        TcpConfig cfg = TcpConfig.defaults().toBuilder().congestionControl(cc).build();
        TwoHosts t = new TwoHosts(3, cfg, Impairments.parse("delay=10ms,rate=20mbit,queue=200"));
        TcpListener l = t.server.listen(t.now(), 80, 4);
        TcpConnection c = t.client.connect(t.now(), TwoHosts.SERVER, 80);
        t.runFor(100 * MS);
        TcpConnection s = l.accept();
        int total = 1_000_000;
        int sent = 0;
        long received = 0;
        ByteBuffer src = ByteBuffer.allocate(64 * 1024);
        ByteBuffer dst = ByteBuffer.allocate(256 * 1024);
        long start = t.now();
        while (received < total && t.now() - start < 30_000 * MS) {
            if (sent < total) {
                src.clear().limit(Math.min(src.capacity(), total - sent));
                sent += s.send(t.now(), src);
            }
            t.runFor(MS);
            dst.clear();
            received += Math.max(0, c.receive(t.now(), dst));
        }
        assertThat(received).as("everything delivered").isEqualTo(total);
        List<Long> times = new ArrayList<>();
        for (TraceEvent e : t.events) {
            if (e instanceof TraceEvent.SegmentEvent seg && seg.host().equals("server")
                    && seg.direction() == TraceEvent.Direction.SENT && seg.payloadLength() > 0) {
                times.add(seg.timeNs());
            }
            if (e instanceof TraceEvent.TimerEvent te && te.timer() == TimerKind.PACING
                    && te.action() == TraceEvent.TimerAction.FIRED) {
                pacingFired[0]++;
            }
        }
        return times;
    }

    /** The most data segments the server sent at one instant, after the first 200 ms. */
    private static int largestBurst(List<Long> times) {
        int best = 0;
        int run = 0;
        long first = times.getFirst();
        for (int i = 1; i < times.size(); i++) {
            run = times.get(i).equals(times.get(i - 1)) ? run + 1 : 1;
            if (times.get(i) - first > 200 * MS) {
                best = Math.max(best, run);
            }
        }
        return best;
    }

    @Test
    void bbrSpacesItsSegmentsWhereCubicSendsBursts() {
        int[] bbrTimer = {0};
        List<Long> bbr = dataSendTimes(TcpConfig.CongestionAlgorithm.BBR, bbrTimer);
        int[] cubicTimer = {0};
        List<Long> cubic = dataSendTimes(TcpConfig.CongestionAlgorithm.CUBIC, cubicTimer);
        assertThat(bbrTimer[0]).as("PACING timer expiries with BBR").isPositive();
        assertThat(cubicTimer[0]).as("CUBIC does not pace").isZero();
        assertThat(largestBurst(bbr)).as("BBR's largest burst (its send quantum: 1 ms at 2.5 MB/s, 2 segments)")
                .isLessThanOrEqualTo(4).isLessThan(largestBurst(cubic));
    }
}
