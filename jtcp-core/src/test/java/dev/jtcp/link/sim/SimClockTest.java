package dev.jtcp.link.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.testutil.TestPackets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event loop: virtual time, node timers, scripted actions and the run methods. */
class SimClockTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private final SimNetwork net = new SimNetwork(1);
    private final TestNode a = new TestNode("a");
    private final TestNode b = new TestNode("b");
    private final SimLink link = net.connect(a, b);

    @Test
    void jumpsStraightToATimerFourMinutesAhead() {
        a.deadlineNs = 240 * S;

        assertThat(net.runUntilIdle(3_600 * S)).isTrue();

        assertThat(a.timerCallsNs).containsExactly(240 * S);
        assertThat(net.nowNs()).isEqualTo(240 * S);
        assertThat(net.eventsRun()).isEqualTo(1);
    }

    @Test
    void neverCallsATimerBeforeItsDeadline() {
        b.deadlineNs = 10 * MS;
        SimNode pusher = new SimNode() {
            @Override
            public void onPacket(SimPort port, ByteBuffer packet, long nowNs) {
                b.deadlineNs = 50 * MS;
            }
        };
        SimLink side = net.connect(pusher, new TestNode("c"));
        net.schedule(MS, () -> side.b().transmit(TestPackets.numbered(1, 8)));

        net.runUntilIdle(S);

        assertThat(b.timerCallsNs).containsExactly(50 * MS);
    }

    @Test
    void wakeMovesAWakeUpEarlierForADeadlineChangedFromOutside() {
        b.deadlineNs = 50 * MS;
        SimNode puller = new SimNode() {
            @Override
            public void onPacket(SimPort port, ByteBuffer packet, long nowNs) {
                b.deadlineNs = nowNs + MS;
                net.wake(b);
            }
        };
        SimLink side = net.connect(puller, new TestNode("c"));
        net.schedule(5 * MS, () -> side.b().transmit(TestPackets.numbered(1, 8)));

        net.runUntilIdle(S);

        assertThat(b.timerCallsNs).containsExactly(6 * MS);
    }

    @Test
    void runsPickUpDeadlinesSetBetweenRuns() {
        net.runUntil(10 * MS);
        a.deadlineNs = 15 * MS;

        net.runUntil(20 * MS);

        assertThat(a.timerCallsNs).containsExactly(15 * MS);
    }

    @Test
    void scheduledActionsRunAtTheirTimesAndTiesInSchedulingOrder() {
        List<String> log = new ArrayList<>();
        net.schedule(20 * MS, () -> log.add("late@" + net.nowNs()));
        net.schedule(10 * MS, () -> log.add("first@" + net.nowNs()));
        net.schedule(10 * MS, () -> log.add("second@" + net.nowNs()));

        net.runUntil(30 * MS);

        assertThat(log).containsExactly("first@10000000", "second@10000000", "late@20000000");
        assertThat(net.nowNs()).isEqualTo(30 * MS);
    }

    @Test
    void scriptedActionSendsAndTheNodesDeadlineIsReadAfterIt() {
        net.schedule(10 * MS, () -> {
            link.a().transmit(TestPackets.numbered(1, 8));
            a.deadlineNs = 12 * MS;
        });

        net.runUntilIdle(S);

        assertThat(b.arrivals).singleElement().satisfies(x -> assertThat(x.atNs()).isEqualTo(10 * MS));
        assertThat(a.timerCallsNs).containsExactly(12 * MS);
    }

    @Test
    void runUntilAndRunForAdvanceTheClockEvenWithoutEvents() {
        net.runUntil(5 * MS);
        net.runFor(2 * MS);

        assertThat(net.nowNs()).isEqualTo(7 * MS);
        assertThat(net.eventsRun()).isZero();
    }

    @Test
    void runUntilIdleStopsAtTheLimitWhileEventsRemain() {
        a.deadlineNs = 2 * S;

        assertThat(net.runUntilIdle(S)).isFalse();
        assertThat(net.nowNs()).isEqualTo(S);
        assertThat(a.timerCallsNs).isEmpty();
    }

    @Test
    void runWhileStopsAsSoonAsTheConditionTurnsFalse() {
        for (int i = 0; i < 10; i++) {
            int seq = i;
            net.schedule(i * MS, () -> link.a().transmit(TestPackets.numbered(seq, 8)));
        }

        assertThat(net.runWhile(() -> b.arrivals.size() < 3, S)).isTrue();
        assertThat(net.nowNs()).isEqualTo(2 * MS);

        assertThat(net.runWhile(() -> b.arrivals.size() < 100, S)).isFalse();
        assertThat(net.nowNs()).isEqualTo(S);
        assertThat(b.arrivals).hasSize(10);
    }

    @Test
    void stepRunsOneEventAtATime() {
        net.schedule(3 * MS, () -> link.a().transmit(TestPackets.numbered(1, 8)));

        assertThat(net.step()).isTrue();
        assertThat(net.nowNs()).isEqualTo(3 * MS);
        assertThat(b.arrivals).isEmpty();
        assertThat(net.step()).isTrue();
        assertThat(b.arrivals).hasSize(1);
        assertThat(net.step()).isFalse();
    }

    @Test
    void rejectsTheUnreasonable() {
        net.runUntil(10 * MS);
        assertThatThrownBy(() -> net.schedule(5 * MS, () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before now");
        assertThatThrownBy(() -> net.runUntil(5 * MS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> net.connect(a, a)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> net.wake(new TestNode("stranger"))).isInstanceOf(IllegalArgumentException.class);

        net.schedule(20 * MS, () -> net.runFor(MS));
        assertThatThrownBy(() -> net.runUntil(30 * MS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already running");
        net.runUntil(40 * MS);
        assertThat(net.nowNs()).isEqualTo(40 * MS);
    }
}
