package io.flowrelay.actor;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/** Restarts within the strategy's window, on the system clock. Used only on the actor's turn. */
final class RestartBudget {

    private final SupervisorStrategy strategy;
    private final LongSupplier clock;
    private final ArrayDeque<Long> restarts = new ArrayDeque<>();
    private long total;

    RestartBudget(SupervisorStrategy strategy, LongSupplier clock) {
        this.strategy = strategy;
        this.clock = clock;
    }

    /**
     * Records a restart if the limit allows it.
     *
     * @return the number of restarts in the window including this one (1-based), or -1 if the
     *         limit is reached and the actor must stop
     */
    int tryRestart() {
        total++;
        int max = strategy.maxRestarts();
        if (max < 0 && strategy.minBackoff().isZero()) {
            return 1;
        }
        long now = clock.getAsLong();
        long window = max >= 0 ? strategy.window().toNanos() : 10L * strategy.maxBackoff().toNanos();
        while (!restarts.isEmpty() && now - restarts.peekFirst() > window) {
            restarts.pollFirst();
        }
        if (max >= 0 && restarts.size() >= max) {
            return -1;
        }
        restarts.addLast(now);
        return restarts.size();
    }

    long total() {
        return total;
    }
}
