package io.flowrelay.stress.mix;

import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;

/** Waiting with a deadline in the mix: a condition that never comes is a violation, not a hang. */
final class Settle {

    static final long TIMEOUT_NANOS = 30_000_000_000L;

    private Settle() {
    }

    /** Waits up to 30 s for {@code condition}; records a violation and returns false if it never holds. */
    static boolean until(BooleanSupplier condition, Ledger ledger, String what) {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0L) {
                ledger.violation("not within 30 s: " + what);
                return false;
            }
            LockSupport.parkNanos(100_000L);
        }
        return true;
    }

    /** Joins the workers; one still alive after 30 s is a hang: recorded with its stack, then interrupted. */
    static void join(Thread[] workers, Ledger ledger, String where) {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        for (Thread t : workers) {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0L) {
                    t.join(Math.max(1L, left / 1_000_000L));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                StringBuilder sb = new StringBuilder();
                for (StackTraceElement e : t.getStackTrace()) {
                    sb.append("\n\tat ").append(e);
                }
                ledger.violation(where + ": " + t.getName() + " hung (" + t.getState() + ")" + sb);
                t.interrupt();
            }
        }
    }

    /** Sleeps until {@code deadline} (System.nanoTime based). */
    static void sleepUntil(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0L) {
            LockSupport.parkNanos(left);
        }
    }
}
