package io.flowrelay.actor;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a failing actor (or actor stage) is treated: a decider from the exception to a
 * {@link Directive}, a restart limit (at most {@code n} restarts within a window, then stop),
 * exponential backoff between restarts, and one-for-one (default) or all-for-one scope.
 *
 * <pre>{@code
 * SupervisorStrategy s = SupervisorStrategy.restart()
 *         .withRestartLimit(5, Duration.ofSeconds(10))
 *         .withBackoff(Duration.ofMillis(10), Duration.ofSeconds(1));
 * }</pre>
 *
 * <p>Immutable; the {@code with*} methods return copies.
 */
public final class SupervisorStrategy {

    private final Function<? super Throwable, Directive> decider;
    private final int maxRestarts;
    private final Duration window;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final boolean allForOne;

    private SupervisorStrategy(Function<? super Throwable, Directive> decider, int maxRestarts, Duration window,
                               Duration minBackoff, Duration maxBackoff, boolean allForOne) {
        this.decider = decider;
        this.maxRestarts = maxRestarts;
        this.window = window;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
        this.allForOne = allForOne;
    }

    /** Restart on every failure, without limit or delay (the default). */
    public static SupervisorStrategy restart() {
        return of(ex -> Directive.RESTART);
    }

    /** Resume on every failure: skip the message, keep the state. */
    public static SupervisorStrategy resume() {
        return of(ex -> Directive.RESUME);
    }

    /** Stop on the first failure. */
    public static SupervisorStrategy stop() {
        return of(ex -> Directive.STOP);
    }

    /** Escalate every failure to the parent. */
    public static SupervisorStrategy escalate() {
        return of(ex -> Directive.ESCALATE);
    }

    /** A decider of your own; a decider that throws or returns null means {@link Directive#STOP}. */
    public static SupervisorStrategy of(Function<? super Throwable, Directive> decider) {
        return new SupervisorStrategy(Objects.requireNonNull(decider, "decider"), -1, Duration.ZERO,
                Duration.ZERO, Duration.ZERO, false);
    }

    /** At most {@code maxRestarts} restarts within {@code window}; one more failure stops the actor. */
    public SupervisorStrategy withRestartLimit(int maxRestarts, Duration window) {
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must be >= 0, got " + maxRestarts);
        }
        requirePositive(window, "window");
        return new SupervisorStrategy(decider, maxRestarts, window, minBackoff, maxBackoff, allForOne);
    }

    /**
     * Waits {@code min} before a restart, then twice as long for each further restart within the
     * restart window (or within 10 × {@code max} when there is no restart limit), up to {@code max}.
     * While it waits the actor takes no message; its mailbox keeps filling.
     */
    public SupervisorStrategy withBackoff(Duration min, Duration max) {
        requirePositive(min, "min");
        requirePositive(max, "max");
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " is below min " + min);
        }
        return new SupervisorStrategy(decider, maxRestarts, window, min, max, allForOne);
    }

    /** A restart restarts every sibling too (all under the same parent). */
    public SupervisorStrategy allForOne() {
        return new SupervisorStrategy(decider, maxRestarts, window, minBackoff, maxBackoff, true);
    }

    /** A restart restarts the failed actor only (the default). */
    public SupervisorStrategy oneForOne() {
        return new SupervisorStrategy(decider, maxRestarts, window, minBackoff, maxBackoff, false);
    }

    /** The directive for {@code failure}. */
    public Directive decide(Throwable failure) {
        try {
            Directive d = decider.apply(failure);
            return d != null ? d : Directive.STOP;
        } catch (RuntimeException ex) {
            return Directive.STOP;
        }
    }

    /** Restarts allowed within {@link #window()}; negative means unlimited. */
    public int maxRestarts() {
        return maxRestarts;
    }

    public Duration window() {
        return window;
    }

    public Duration minBackoff() {
        return minBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public boolean isAllForOne() {
        return allForOne;
    }

    /** The delay before the {@code n}-th restart (1-based) within the window. */
    long backoffNanos(int n) {
        if (minBackoff.isZero()) {
            return 0L;
        }
        long min = minBackoff.toNanos();
        long max = maxBackoff.toNanos();
        int shift = Math.min(Math.max(0, n - 1), 62);
        long d = min << shift;
        return (d >>> shift) != min || d > max || d < 0 ? max : d;
    }

    private static void requirePositive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }

    @Override
    public String toString() {
        return "SupervisorStrategy[" + (allForOne ? "all-for-one" : "one-for-one")
                + (maxRestarts >= 0 ? ", " + maxRestarts + " restarts in " + window : "")
                + (minBackoff.isZero() ? "" : ", backoff " + minBackoff + ".." + maxBackoff) + "]";
    }
}
