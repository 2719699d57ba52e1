package dev.jtcp.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
    static final class T extends TimerWheel.Entry {
        final int id;

        T(int id) {
            this.id = id;
        }
    }

    @Test
    void firesExactlyWhatAReferenceModelFiresAndNeverEarly() {
        SplittableRandom r = new SplittableRandom(12);
        long ms = 1_000_000L;
        TimerWheel wheel = new TimerWheel(ms, 0);
        List<T> timers = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            timers.add(new T(i));
        }
        Map<Integer, Long> model = new HashMap<>();
        long now = 0;
        for (int step = 0; step < 50_000; step++) {
            int op = r.nextInt(10);
            T t = timers.get(r.nextInt(timers.size()));
            if (op < 5) {
                long delay = switch (r.nextInt(4)) {
                    case 0 -> r.nextLong(2 * ms);
                    case 1 -> r.nextLong(1000 * ms);
                    case 2 -> r.nextLong(5000 * ms);
                    default -> r.nextLong(300_000 * ms);
                };
                wheel.schedule(t, now + delay);
                model.put(t.id, now + delay);
            } else if (op < 6) {
                wheel.schedule(t, Long.MAX_VALUE);
                model.remove(t.id);
            } else {
                long next = model.values().stream().min(Long::compare).orElse(Long.MAX_VALUE);
                assertThat(wheel.nextDeadlineNs()).isEqualTo(next);
                long to = r.nextInt(4) == 0 && next != Long.MAX_VALUE ? next : now + r.nextLong(3000 * ms);
                List<Integer> fired = new ArrayList<>();
                long at = to;
                wheel.advance(to, (e, n) -> {
                    assertThat(e.deadlineNs()).isEqualTo(Long.MAX_VALUE);
                    fired.add(((T) e).id);
                });
                List<Integer> expected = new ArrayList<>();
                model.forEach((id, d) -> {
                    if (d <= at) {
                        expected.add(id);
                    }
                });
                assertThat(fired).containsExactlyInAnyOrderElementsOf(expected);
                expected.forEach(model::remove);
                now = to;
            }
            assertThat(wheel.size()).isEqualTo(model.size());
        }
    }
}
