package dev.jtcp.link.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimEventQueueTest {

    private final SimEventQueue queue = new SimEventQueue();

    @Test
    void runsByTimeThenByInsertionOrder() {
        SimEventQueue.Event late = add(20);
        SimEventQueue.Event first = add(10);
        SimEventQueue.Event second = add(10);

        assertThat(queue.poll()).isSameAs(first);
        assertThat(queue.poll()).isSameAs(second);
        assertThat(queue.poll()).isSameAs(late);
        assertThat(queue.poll()).isNull();
    }

    @Test
    void rescheduledEventGoesAfterOthersAtItsNewTime() {
        SimEventQueue.Event moved = add(50);
        SimEventQueue.Event other = add(10);

        queue.reschedule(moved, 10);

        assertThat(queue.poll()).isSameAs(other);
        assertThat(queue.poll()).isSameAs(moved);
    }

    @Test
    void matchesASortedListUnderRandomAddsRemovesAndReschedules() {
        SplittableRandom random = new SplittableRandom(3);
        List<SimEventQueue.Event> model = new ArrayList<>();
        Comparator<SimEventQueue.Event> order = Comparator.<SimEventQueue.Event>comparingLong(e -> e.atNs)
                .thenComparingLong(e -> e.seq);
        for (int i = 0; i < 20_000; i++) {
            int op = random.nextInt(4);
            if (op == 0 || model.isEmpty()) {
                model.add(add(random.nextLong(1_000)));
            } else if (op == 1) {
                SimEventQueue.Event e = model.remove(random.nextInt(model.size()));
                queue.remove(e);
                queue.recycle(e);
            } else if (op == 2) {
                queue.reschedule(model.get(random.nextInt(model.size())), random.nextLong(1_000));
            } else {
                model.sort(order);
                SimEventQueue.Event e = queue.poll();
                assertThat(e).isSameAs(model.removeFirst());
                queue.recycle(e);
            }
            assertThat(queue.size()).isEqualTo(model.size());
        }
    }

    @Test
    void reusesRecycledEvents() {
        SimEventQueue.Event e = add(1);
        queue.poll();
        queue.recycle(e);

        assertThat(queue.obtain(SimEventQueue.Kind.WAKE)).isSameAs(e);
    }

    private SimEventQueue.Event add(long atNs) {
        SimEventQueue.Event e = queue.obtain(SimEventQueue.Kind.ACTION);
        queue.add(e, atNs);
        return e;
    }
}
