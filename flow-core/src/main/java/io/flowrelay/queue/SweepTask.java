package io.flowrelay.queue;

import java.lang.ref.WeakReference;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The periodic sweep of one queue. It holds the queue weakly: a queue that nobody can reach any
 * more (closed and abandoned, or just dropped) is collected, and its sweep cancels itself.
 */
final class SweepTask implements Runnable {

    /* future — written once after scheduling; read by run() (a missed read only delays the cancel). */

    private final WeakReference<AckQueueImpl<?>> queue;
    private volatile ScheduledFuture<?> future;

    private SweepTask(AckQueueImpl<?> queue) {
        this.queue = new WeakReference<>(queue);
    }

    /** Sweeps {@code queue} every {@code intervalNanos} on {@code timer} (null: the shared timer). */
    static SweepTask schedule(AckQueueImpl<?> queue, ScheduledExecutorService timer, long intervalNanos) {
        SweepTask task = new SweepTask(queue);
        ScheduledExecutorService t = timer != null ? timer : SharedTimer.TIMER;
        task.future = t.scheduleWithFixedDelay(task, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
        return task;
    }

    void cancel() {
        ScheduledFuture<?> f = future;
        if (f != null) {
            f.cancel(false);
        }
    }

    @Override
    public void run() {
        AckQueueImpl<?> q = queue.get();
        if (q == null) {
            cancel();
            return;
        }
        try {
            q.expireNow();
        } catch (Throwable ignored) {
            // a throwing task would never run again; the next sweep retries
        }
    }

    /** One daemon thread for the sweeps of every queue that was not given a timer. */
    private static final class SharedTimer {
        static final ScheduledThreadPoolExecutor TIMER = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread th = new Thread(r, "flowrelay-ackqueue-sweeper");
                th.setDaemon(true);
                return th;
            });
            t.setRemoveOnCancelPolicy(true);
            return t;
        }
    }
}
