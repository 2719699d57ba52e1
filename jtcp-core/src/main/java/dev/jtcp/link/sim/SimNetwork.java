package dev.jtcp.link.sim;

import dev.jtcp.link.impair.DropCause;
import dev.jtcp.link.impair.Fault;
import dev.jtcp.link.impair.FaultInjector;
import dev.jtcp.link.impair.Impairments;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A deterministic discrete-event network: nodes joined by impaired links, driven on a virtual clock
 * in nanoseconds that starts at 0 and jumps straight from one event to the next.
 *
 * <p>Events are packet deliveries, node wake-ups and scripted actions ({@link #schedule}); events
 * at the same time run in the order they were scheduled. After every callback into a node the
 * network re-reads that node's {@link SimNode#nextDeadlineNs()} and keeps exactly one wake-up for
 * it; after a scripted action, and when a run method starts, it re-reads every node's deadline.
 *
 * <p>Randomness comes only from the seed: each link direction gets its own {@link FaultInjector}
 * seeded from the network's seed and the direction's stream number ({@code 2 × link index} for a→b,
 * {@code + 1} for b→a), so the same seed and the same inputs give the same run, and adding links
 * does not change the choices of links made before them.
 *
 * <p>Lifecycle: 1. create with a seed; 2. {@link #connect} nodes and {@link #addTap add taps};
 * 3. run with {@link #step}, {@link #runUntil}, {@link #runFor}, {@link #runUntilIdle} or
 * {@link #runWhile}, interleaved with test code that sends, schedules or inspects nodes. Run methods
 * must not be called from inside a callback.
 *
 * <p>Thread-safety: not thread-safe; driven by one thread, which also runs every node and tap.
 */
public final class SimNetwork {

    private final long seed;
    private final SimEventQueue queue = new SimEventQueue();
    private final SimBufferPool pool = new SimBufferPool();
    /** Registered nodes in registration order, the order their deadlines are re-read in. */
    private final List<NodeTimer> nodes = new ArrayList<>();
    private final Map<SimNode, NodeTimer> timers = new IdentityHashMap<>();
    private final List<SimLink> links = new ArrayList<>();
    private final List<SimTap> taps = new ArrayList<>();
    /** The virtual time in nanoseconds; never decreases. */
    private long nowNs;
    private long eventsRun;
    /** Whether a run method is on the stack; guards against re-entry from callbacks. */
    private boolean running;

    /**
     * A node and its one pending wake-up.
     *
     * <p>Thread-safety: not thread-safe; owned by the network.
     */
    static final class NodeTimer {
        final SimNode node;
        /** The queued wake-up at the node's deadline, or null while it has none. */
        SimEventQueue.Event wake;

        NodeTimer(SimNode node) {
            this.node = node;
        }
    }

    /** Creates an empty network at virtual time 0 whose random choices all derive from {@code seed}. */
    public SimNetwork(long seed) {
        this.seed = seed;
    }

    /** The seed every random choice derives from. */
    public long seed() {
        return seed;
    }

    /** The current virtual time in nanoseconds. */
    public long nowNs() {
        return nowNs;
    }

    /** Events run so far: deliveries, wake-ups and scripted actions. */
    public long eventsRun() {
        return eventsRun;
    }

    /** Connects {@code a} and {@code b} by a perfect link. */
    public SimLink connect(SimNode a, SimNode b) {
        return connect(a, b, Impairments.NONE, Impairments.NONE);
    }

    /** Connects {@code a} and {@code b} by a link with the same impairments both ways. */
    public SimLink connect(SimNode a, SimNode b, Impairments both) {
        return connect(a, b, both, both);
    }

    /**
     * Connects {@code a} and {@code b} by a point-to-point link. A node may be on many links; it
     * joins the network on its first.
     *
     * @param aToB what the link does to packets from {@code a} to {@code b}
     * @param bToA what the link does to packets from {@code b} to {@code a}
     * @return the link; {@link SimLink#a()} is {@code a}'s port, {@link SimLink#b()} is {@code b}'s
     */
    public SimLink connect(SimNode a, SimNode b, Impairments aToB, Impairments bToA) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        if (a == b) {
            throw new IllegalArgumentException("a link needs two different nodes, got " + a + " twice");
        }
        int index = links.size();
        FaultInjector forward = new FaultInjector(aToB, streamSeed(seed, 2L * index));
        FaultInjector backward = new FaultInjector(bToA, streamSeed(seed, 2L * index + 1));
        SimLink link = new SimLink(this, index, register(a), register(b), forward, backward);
        links.add(link);
        return link;
    }

    /** Adds a tap that sees every later transmission, delivery, drop and fault. */
    public void addTap(SimTap tap) {
        taps.add(Objects.requireNonNull(tap, "tap"));
    }

    /**
     * Runs {@code action} at virtual time {@code atNs}, after events already scheduled for that time.
     * It may send, schedule and call into nodes; every node's deadline is re-read afterwards.
     *
     * @throws IllegalArgumentException if {@code atNs} is in the past
     */
    public void schedule(long atNs, Runnable action) {
        Objects.requireNonNull(action, "action");
        if (atNs < nowNs) {
            throw new IllegalArgumentException(
                    "cannot schedule at " + atNs + " ns, before now (" + nowNs + " ns)");
        }
        SimEventQueue.Event e = queue.obtain(SimEventQueue.Kind.ACTION);
        e.action = action;
        queue.add(e, atNs);
    }

    /**
     * Re-reads {@code node}'s deadline: for code that changed it outside the node's own callbacks,
     * such as another node calling into it.
     *
     * @throws IllegalArgumentException if {@code node} is on no link of this network
     */
    public void wake(SimNode node) {
        NodeTimer timer = timers.get(node);
        if (timer == null) {
            throw new IllegalArgumentException(node + " is not on this network");
        }
        rearm(timer);
    }

    /**
     * Runs the next event, advancing the clock to it.
     *
     * @return false if there was no event to run
     */
    public boolean step() {
        enter();
        try {
            return runNext(Long.MAX_VALUE);
        } finally {
            running = false;
        }
    }

    /** Runs every event up to and including {@code timeNs}, then sets the clock to {@code timeNs}. */
    public void runUntil(long timeNs) {
        if (timeNs < nowNs) {
            throw new IllegalArgumentException("cannot run back to " + timeNs + " ns from " + nowNs + " ns");
        }
        enter();
        try {
            runAll(timeNs);
            nowNs = timeNs;
        } finally {
            running = false;
        }
    }

    /** Runs for {@code durationNs} of virtual time: {@code runUntil(nowNs() + durationNs)}. */
    public void runFor(long durationNs) {
        if (durationNs < 0) {
            throw new IllegalArgumentException("duration must not be negative, got " + durationNs);
        }
        runUntil(nowNs + durationNs);
    }

    /**
     * Runs until no event remains or the next one is after {@code limitNs}. When idle, the clock stays
     * at the last event's time; at the limit, it is set to {@code limitNs}.
     *
     * @return true if the network went idle, false if it stopped at the limit
     */
    public boolean runUntilIdle(long limitNs) {
        enter();
        try {
            runAll(limitNs);
            if (queue.size() == 0) {
                return true;
            }
            nowNs = Math.max(nowNs, limitNs);
            return false;
        } finally {
            running = false;
        }
    }

    /**
     * Runs events while {@code condition} holds, checking it before each event. If the condition
     * still holds when no event remains up to {@code limitNs}, the clock is set to {@code limitNs}.
     *
     * @return true if the condition became false, false if it still held at the limit
     */
    public boolean runWhile(BooleanSupplier condition, long limitNs) {
        enter();
        try {
            while (condition.getAsBoolean()) {
                if (!runNext(limitNs)) {
                    nowNs = Math.max(nowNs, limitNs);
                    return false;
                }
            }
            return true;
        } finally {
            running = false;
        }
    }

    void tapTransmit(SimPort from, ByteBuffer packet) {
        int position = packet.position();
        int limit = packet.limit();
        for (int i = 0; i < taps.size(); i++) {
            taps.get(i).onTransmit(nowNs, from, packet);
            packet.limit(limit).position(position);
        }
    }

    void tapDrop(SimPort port, ByteBuffer packet, DropCause cause) {
        int position = packet.position();
        int limit = packet.limit();
        for (int i = 0; i < taps.size(); i++) {
            taps.get(i).onDrop(nowNs, port, packet, cause);
            packet.limit(limit).position(position);
        }
    }

    void tapFault(SimPort from, ByteBuffer packet, Fault fault) {
        int position = packet.position();
        int limit = packet.limit();
        for (int i = 0; i < taps.size(); i++) {
            taps.get(i).onFault(nowNs, from, packet, fault);
            packet.limit(limit).position(position);
        }
    }

    /** Copies {@code packet} into a pooled buffer and queues its delivery to {@code to} at {@code atNs}. */
    void scheduleDelivery(SimPort to, ByteBuffer packet, long atNs) {
        SimEventQueue.Event e = queue.obtain(SimEventQueue.Kind.DELIVER);
        e.to = to;
        e.packet = pool.copyOf(packet);
        queue.add(e, atNs);
    }

    /** Buffers the packet pool has allocated so far. */
    long buffersAllocated() {
        return pool.allocated();
    }

    private NodeTimer register(SimNode node) {
        NodeTimer timer = timers.get(node);
        if (timer == null) {
            timer = new NodeTimer(node);
            timers.put(node, timer);
            nodes.add(timer);
            rearm(timer);
        }
        return timer;
    }

    private void enter() {
        if (running) {
            throw new IllegalStateException(
                    "the network is already running; run methods cannot be called from callbacks");
        }
        running = true;
        rearmAll();
    }

    /** Runs every event due by {@code limitNs}, including those they schedule. */
    private void runAll(long limitNs) {
        boolean ran;
        do {
            ran = runNext(limitNs);
        } while (ran);
    }

    /** Runs the next event if it is due by {@code limitNs}; returns whether one ran. */
    private boolean runNext(long limitNs) {
        SimEventQueue.Event e = queue.peek();
        if (e == null || e.atNs > limitNs) {
            return false;
        }
        queue.poll();
        nowNs = e.atNs;
        eventsRun++;
        switch (e.kind) {
            case DELIVER -> deliver(e);
            case WAKE -> wakeUp(e);
            case ACTION -> act(e);
        }
        return true;
    }

    private void deliver(SimEventQueue.Event e) {
        SimPort to = e.to;
        ByteBuffer packet = e.packet;
        queue.recycle(e);
        to.onReceived();
        int length = packet.limit();
        for (int i = 0; i < taps.size(); i++) {
            taps.get(i).onDeliver(nowNs, to, packet);
            packet.limit(length).position(0);
        }
        to.node().onPacket(to, packet, nowNs);
        pool.release(packet);
        rearm(to.timer);
    }

    private void wakeUp(SimEventQueue.Event e) {
        NodeTimer timer = e.timer;
        timer.wake = null;
        queue.recycle(e);
        if (timer.node.nextDeadlineNs() <= nowNs) {
            timer.node.onTimer(nowNs);
        }
        rearm(timer);
    }

    private void act(SimEventQueue.Event e) {
        Runnable action = e.action;
        queue.recycle(e);
        action.run();
        rearmAll();
    }

    private void rearmAll() {
        for (int i = 0; i < nodes.size(); i++) {
            rearm(nodes.get(i));
        }
    }

    /** Keeps exactly one wake-up for the node, at its deadline (or now, if that has passed). */
    private void rearm(NodeTimer timer) {
        long deadlineNs = timer.node.nextDeadlineNs();
        if (deadlineNs == Long.MAX_VALUE) {
            if (timer.wake != null) {
                queue.remove(timer.wake);
                queue.recycle(timer.wake);
                timer.wake = null;
            }
            return;
        }
        long atNs = Math.max(deadlineNs, nowNs);
        if (timer.wake == null) {
            timer.wake = queue.obtain(SimEventQueue.Kind.WAKE);
            timer.wake.timer = timer;
            queue.add(timer.wake, atNs);
        } else if (timer.wake.atNs != atNs) {
            queue.reschedule(timer.wake, atNs);
        }
    }

    /** The {@code stream}-th output of SplitMix64 seeded with {@code seed}: independent seeds per stream. */
    static long streamSeed(long seed, long stream) {
        long z = seed + (stream + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
