package io.flowrelay.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/**
 * Runs tasks on fresh threads that all start at once, behind a barrier, and rethrows what they
 * threw. The one way the tests of this module make threads race.
 *
 * <pre>{@code
 * Race.race(() -> channel.send(1), () -> channel.close());
 * }</pre>
 */
public final class Race {

    /** How long a race may take before it counts as hung. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** A task that may throw anything; an exception fails the race. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    private Race() {
    }

    /** Runs {@code tasks} concurrently, each on its own thread, started together; waits for all. */
    public static void race(Task... tasks) {
        race(DEFAULT_TIMEOUT, tasks);
    }

    /** Runs {@code copies} copies of one task concurrently; the task gets its index (0-based). */
    public static void race(int copies, IndexedTask task) {
        Task[] tasks = new Task[copies];
        for (int i = 0; i < copies; i++) {
            int index = i;
            tasks[i] = () -> task.run(index);
        }
        race(DEFAULT_TIMEOUT, tasks);
    }

    /** A task told which copy it is. */
    @FunctionalInterface
    public interface IndexedTask {
        void run(int index) throws Exception;
    }

    /**
     * Runs {@code tasks} concurrently and waits at most {@code timeout} for all of them.
     *
     * @throws AssertionError if a task failed (the first failure, others suppressed) or the race hung
     */
    public static void race(Duration timeout, Task... tasks) {
        int n = tasks.length;
        CyclicBarrier barrier = new CyclicBarrier(n);
        List<Throwable> failures = new ArrayList<>();
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            Task task = tasks[i];
            threads[i] = new Thread(() -> {
                try {
                    barrier.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    task.run();
                } catch (Throwable t) {
                    synchronized (failures) {
                        failures.add(t);
                    }
                }
            }, "race-" + i);
            threads[i].setDaemon(true);
        }
        for (Thread t : threads) {
            t.start();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Thread t : threads) {
                long left = deadline - System.nanoTime();
                if (left > 0L) {
                    TimeUnit.NANOSECONDS.timedJoin(t, left);
                }
                if (t.isAlive()) {
                    AssertionError hung = new AssertionError("race did not finish within " + timeout + ": " + t.getName()
                            + " is still " + t.getState() + " at\n" + stack(t));
                    for (Thread u : threads) {
                        u.interrupt();
                    }
                    throw hung;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a race", e);
        }
        synchronized (failures) {
            if (!failures.isEmpty()) {
                Throwable first = failures.get(0);
                AssertionError e = first instanceof AssertionError a ? a : new AssertionError("a racing task failed: " + first, first);
                for (int i = 1; i < failures.size(); i++) {
                    if (failures.get(i) != e) {
                        e.addSuppressed(failures.get(i));
                    }
                }
                throw e;
            }
        }
    }

    /** The stack of {@code t}, for failure messages. */
    public static String stack(Thread t) {
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            sb.append("\tat ").append(e).append('\n');
        }
        return sb.toString();
    }
}
