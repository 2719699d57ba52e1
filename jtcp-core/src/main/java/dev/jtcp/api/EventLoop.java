package dev.jtcp.api;

import dev.jtcp.link.Link;
import dev.jtcp.stack.FlowShards;
import dev.jtcp.stack.Host;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The one thread that runs a stack: its {@link Host} (and so every connection, listener and timer)
 * and its {@link Link}. The sans-IO core never sees another thread; applications hand work to the
 * loop with {@link #execute} and wait for results on futures the loop completes.
 *
 * <p>One duty cycle, with the clock read once:
 *
 * <ol>
 *   <li>receive a batch of packets from the link, each into {@link Host#onPacket};
 *   <li>run the commands queued by other threads (connect, send, close...);
 *   <li>run the host's due timers;
 *   <li>run the work deferred to the end of the cycle (moving received bytes to applications);
 *   <li>flush the link (packets written in this cycle leave now);
 *   <li>if nothing is left to do, sleep until a packet arrives, a command is queued, or the
 *       earliest deadline (host timers, impairment deliveries) passes.
 * </ol>
 *
 * <p>Waking is cheap for producers: a command is added to a lock-free queue, and the poller is
 * signalled only if the loop said it is about to sleep (a volatile flag, checked again by the loop
 * after it is set, so no wake-up is lost).
 *
 * <p>A stack of several loops ({@link NetStack.Builder#loops}) gives each its own host and its own
 * queue of a multi-queue link, and {@link #joinGroup} tells each of its siblings: a TCP packet
 * whose flow another loop owns ({@link FlowShards#ownerOfPacket}) is copied into the owner's
 * {@link HandOffQueue} and the owner woken, and each cycle takes what the siblings handed over
 * right after its own link's packets.
 *
 * <p>Thread-safety: {@link #execute}, {@link #call}, {@link #handOff} and {@link #shutdown} are safe from any thread;
 * everything a command does runs on the loop thread.
 */
final class EventLoop {
    /** Packets taken from the link per receive call. */
    static final int RX_BATCH = 64;
    /** Commands run per cycle before packets and timers get their turn again. */
    static final int COMMAND_BATCH = 1024;

    private final Host host;
    private final Link link;
    private final LongSupplier clock;
    private final Poller poller;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    /** Work the loop itself deferred to the end of the cycle (loop thread only). */
    private final java.util.ArrayDeque<Runnable> endOfCycle = new java.util.ArrayDeque<>();
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Thread thread;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Consumer<Throwable> onFailure;
    /** Told of a command that threw (the loop goes on). */
    private final Consumer<RuntimeException> commandFailed;
    private volatile boolean running = true;
    /** The time of the current cycle; read by commands on the loop thread. */
    private long nowNs;
    private final Link.Receiver receiver;
    /** The stack's loops, this one at {@link #index}; null for a loop alone. Set before {@link #start}. */
    private EventLoop[] group;
    private int index;
    private FlowShards shards = FlowShards.ONE;
    /** Packets other loops received for flows this loop owns; null for a loop alone. */
    private HandOffQueue inbox;
    /** Takes the handed-over packets into the host (loop thread). */
    private final HandOffQueue.Sink fromSiblings;

    EventLoop(String name, Host host, Link link, LongSupplier clock, Consumer<Throwable> onFailure,
              Consumer<RuntimeException> commandFailed) throws IOException {
        this.host = host;
        this.commandFailed = commandFailed;
        this.link = link;
        this.clock = clock;
        this.onFailure = onFailure;
        this.poller = link.readinessFd() >= 0 ? new Poller.EpollPoller(new int[] {link.readinessFd()})
                : new Poller.ParkPoller();
        this.receiver = new Link.Receiver() {
            @Override
            public void onPacket(ByteBuffer packet) {
                if (group == null || !handedToOwner(packet, false)) {
                    host.onPacket(nowNs, packet);
                }
            }

            @Override
            public boolean takesVerifiedTcp() {
                return true;
            }

            @Override
            public void onVerifiedTcp(ByteBuffer packet) {
                if (group == null || !handedToOwner(packet, true)) {
                    host.onVerifiedTcp(nowNs, packet);
                }
            }
        };
        this.fromSiblings = (packet, verified) -> {
            if (verified) {
                host.onVerifiedTcp(nowNs, packet);
            } else {
                host.onPacket(nowNs, packet);
            }
        };
        host.attach(link);
        // Links without a descriptor wake the poller directly, whether or not the loop has said it
        // sleeps: the loop re-checks only its command queue after saying so, not the link.
        link.onAttach(poller::wake);
        this.nowNs = clock.getAsLong();
        this.thread = Thread.ofPlatform().name("jtcp-loop-" + name).daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /**
     * Makes this loop number {@code index} of {@code group}, whose flows {@code shards} divides;
     * before {@link #start}.
     */
    void joinGroup(EventLoop[] group, int index, FlowShards shards, int inboxCapacity) {
        this.group = group;
        this.index = index;
        this.shards = shards;
        this.inbox = new HandOffQueue(inboxCapacity);
    }

    /** If another loop owns {@code packet}'s flow, hands it over and says so (loop thread). */
    private boolean handedToOwner(ByteBuffer packet, boolean verified) {
        int owner = shards.ownerOfPacket(packet);
        if (owner == index) {
            return false;
        }
        group[owner].handOff(packet, verified);
        return true;
    }

    /**
     * Queues a copy of a packet of a flow this loop owns, received by a sibling, and wakes this
     * loop; a full queue drops it. Safe from any thread.
     */
    void handOff(ByteBuffer packet, boolean verified) {
        if (inbox.offer(packet, verified)) {
            wakeup();
        }
    }

    /** Packets siblings handed to this loop, and those its full queue dropped: {0, 0} for a loop alone. */
    long[] handOffCounts() {
        return inbox == null ? new long[2] : new long[] {inbox.handedOver(), inbox.dropped()};
    }

    Host host() {
        return host;
    }

    /** The current cycle's time; only on the loop thread. */
    long nowNs() {
        return nowNs;
    }

    boolean isRunning() {
        return running;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * Runs {@code task} at the end of this cycle, after every packet of the batch and every due
     * timer, before the link is flushed: so a connection that received 30 segments in one batch
     * hands its bytes to the application once, not 30 times. Loop thread only.
     */
    void atEndOfCycle(Runnable task) {
        endOfCycle.add(task);
    }

    /** Reports a failure of application code the loop ran (a {@link LoopHandler}); the loop goes on. */
    void reportFailure(RuntimeException e) {
        commandFailed.accept(e);
    }

    /** Queues {@code command} to run on the loop thread, soon. */
    void execute(Runnable command) {
        if (!running) {
            throw new IllegalStateException("the stack is closed");
        }
        commands.add(command);
        wakeup();
    }

    /**
     * Runs {@code task} on the loop and waits for its result (directly, when already on the loop, or
     * once the loop has ended: nothing else touches the engine then). The wait ignores interrupts,
     * which it restores on return: the loop answers within a cycle, and a getter must not fail
     * because its thread was interrupted ({@code java.net} getters answer too).
     *
     * @throws IllegalStateException when the stack closes before the task could run
     */
    <T> T call(Supplier<T> task) {
        if (inLoop() || terminated.isDone()) {
            return task.get();
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(task.get());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    if (terminated.isDone() && !f.isDone()) {
                        throw new IllegalStateException("the stack is closed");
                    }
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void wakeup() {
        if (sleeping.get() && wakePending.compareAndSet(false, true)) {
            poller.wake();
        }
    }

    /** Stops the loop after the current cycle; runs {@code last} on the loop first. */
    CompletableFuture<Void> shutdown(Runnable last) {
        if (running) {
            commands.add(() -> {
                last.run();
                running = false;
            });
            wakeup();
        }
        return terminated;
    }

    private void run() {
        try {
            while (running) {
                cycle();
            }
        } catch (Throwable t) {
            running = false;
            onFailure.accept(t);
        } finally {
            poller.close();
            terminated.complete(null);
        }
    }

    /**
     * Runs one queued command. One that throws ends only itself: the loop and every other connection
     * go on. Commands that answer a caller ({@link #call}, futures) report their own exceptions; what
     * reaches here is reported to {@code commandFailed}.
     */
    private void runCommand(Runnable command) {
        try {
            command.run();
        } catch (RuntimeException e) {
            commandFailed.accept(e);
        }
    }

    private void cycle() throws IOException {
        nowNs = clock.getAsLong();
        boolean busy = link.receive(nowNs, receiver, RX_BATCH) == RX_BATCH;
        if (inbox != null) {
            busy |= inbox.drain(RX_BATCH, fromSiblings) == RX_BATCH;
        }
        Runnable command;
        int n = 0;
        while (n < COMMAND_BATCH && (command = commands.poll()) != null) {
            runCommand(command);
            n++;
        }
        busy |= n == COMMAND_BATCH;
        if (host.nextDeadlineNs() - nowNs <= 0) {
            host.onTimer(nowNs);
        }
        Runnable task;
        while ((task = endOfCycle.poll()) != null) {
            task.run();
        }
        link.flush(nowNs);
        if (busy || !running) {
            return;
        }
        sleeping.set(true);
        if (commands.isEmpty() && (inbox == null || inbox.isEmpty())) {
            long deadline = Math.min(host.nextDeadlineNs(), link.nextDeadlineNs());
            long timeout = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, deadline - clock.getAsLong());
            if (timeout > 0) {
                poller.await(timeout);
            }
        }
        sleeping.set(false);
        wakePending.set(false);
    }
}
