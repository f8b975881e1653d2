package io.flowrelay.test;

import io.flowrelay.internal.Waiter;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Waits for conditions with a deadline: never a bare sleep. A condition that does not hold in
 * time fails the test with a description.
 */
public final class Await {

    /** How long a test waits for something that must happen. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Await() {
    }

    /** Waits until {@code condition} holds, re-checking it every 50 µs or so. */
    public static void until(BooleanSupplier condition, String what) {
        until(condition, () -> what);
    }

    /** As {@link #until(BooleanSupplier, String)}, with a description built only on failure. */
    public static void until(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int spins = 0;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0L) {
                fail("not within " + TIMEOUT + ": " + what.get());
            }
            if (++spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000L);
            }
        }
    }

    /** Waits for the latch; fails the test if it does not open in time. */
    public static void latch(CountDownLatch latch, String what) {
        try {
            assertTrue(latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), () -> "not within " + TIMEOUT + ": " + what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting: " + what, e);
        }
    }

    /**
     * Waits until {@code t} is parked inside a channel operation (its park blocker is a
     * {@link Waiter}): from then on it waits for another party, not for the CPU.
     */
    public static void parkedInChannel(Thread t) {
        until(() -> {
            Thread.State s = t.getState();
            return (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) && LockSupport.getBlocker(t) instanceof Waiter;
        }, () -> t.getName() + " to park in a channel operation; it is " + t.getState() + " at\n" + Race.stack(t));
    }

    /** Joins {@code t}; fails the test if it does not end in time. */
    public static void joined(Thread t) {
        try {
            t.join(TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while joining " + t.getName(), e);
        }
        if (t.isAlive()) {
            fail(t.getName() + " did not end within " + TIMEOUT + "; it is " + t.getState() + " at\n" + Race.stack(t));
        }
    }
}
