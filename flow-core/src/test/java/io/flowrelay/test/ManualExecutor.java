package io.flowrelay.test;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * An {@link Executor} that only queues tasks; the test runs them, one by one, on its own thread.
 * Counts {@code execute} calls and can be told to refuse them. Single-threaded use only.
 */
public final class ManualExecutor implements Executor {

    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private int executions;
    private boolean rejecting;

    @Override
    public void execute(Runnable command) {
        executions++;
        if (rejecting) {
            throw new RejectedExecutionException("ManualExecutor is rejecting");
        }
        tasks.add(command);
    }

    /** From now on, {@code execute} throws {@link RejectedExecutionException} (still counted). */
    public ManualExecutor reject() {
        rejecting = true;
        return this;
    }

    /** How many times {@code execute} was called. */
    public int executions() {
        return executions;
    }

    /** Tasks queued and not run yet. */
    public int pending() {
        return tasks.size();
    }

    /** Runs the oldest queued task; {@code false} if there was none. */
    public boolean runNext() {
        Runnable r = tasks.poll();
        if (r == null) {
            return false;
        }
        r.run();
        return true;
    }

    /** Runs tasks, including ones they queue, until none is left; returns how many ran. */
    public int runAll() {
        int n = 0;
        while (runNext()) {
            n++;
        }
        return n;
    }
}
