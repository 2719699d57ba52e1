package dev.jtcp.testutil;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that another thread makes true, polling instead of sleeping a fixed time:
 * a test is as quick as the machine allows and says what it waited for when it gives up.
 */
public final class Eventually {
    private Eventually() {
    }

    /** Polls {@code condition} every millisecond until it holds; fails naming {@code what} after {@code limit}. */
    public static void waitUntil(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("still not true after " + limit + ": " + what);
            }
            Thread.sleep(1);
        }
    }

    /** Waits until {@code thread} is parked (blocked in a call), as a blocking call's test needs before it acts. */
    public static void waitUntilBlocked(Thread thread, Duration limit) throws InterruptedException {
        waitUntil(thread + " blocked", limit, () -> switch (thread.getState()) {
            case WAITING, TIMED_WAITING, BLOCKED -> true;
            default -> false;
        });
    }
}
