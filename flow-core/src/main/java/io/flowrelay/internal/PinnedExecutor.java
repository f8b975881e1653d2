package io.flowrelay.internal;

import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * One dedicated daemon thread running submitted tasks in order: the unit of a pinned dispatcher.
 * Tasks go through a JCTools MPSC queue; the thread spins briefly when idle, then parks.
 */
public final class PinnedExecutor implements Executor {

    /*
     * Implementation notes
     *
     * tasks   — any thread offers, only `thread` polls.
     * parked  — written by `thread` only (true before it parks, false after); read by submitters.
     * No lost wake-up: a submitter offers, issues a full fence, then reads `parked`; the thread
     * writes parked = true (volatile) and then re-reads the queue before it parks.
     * submitting — submitters inside execute(): incremented before they read `shutdown`,
     *           decremented after their offer. No task accepted and then dropped: a submitter
     *           increments, then reads shutdown; shutdown() writes it, and the thread, once it sees
     *           it, leaves only when submitting is 0 and then the queue is empty. A submitter that
     *           read false is counted, so its offer is seen; one that comes later reads true.
     */

    private static final int IDLE_SPINS = 256;

    private final MpscUnboundedAtomicArrayQueue<Runnable> tasks = new MpscUnboundedAtomicArrayQueue<>(256);
    private final Thread thread;
    private volatile boolean parked;
    private volatile boolean shutdown;
    private volatile int submitting;

    public PinnedExecutor(String name) {
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void execute(Runnable task) {
        SUBMITTING.getAndAdd(this, 1);
        if (shutdown) {
            SUBMITTING.getAndAdd(this, -1);
            throw new RejectedExecutionException(thread.getName() + " is shut down");
        }
        tasks.offer(task);
        SUBMITTING.getAndAdd(this, -1);
        VarHandle.fullFence();
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /** The thread that runs every task of this executor. */
    public Thread thread() {
        return thread;
    }

    /** Stops the thread once the tasks queued so far have run; later submissions are rejected. */
    public void shutdown() {
        shutdown = true;
        LockSupport.unpark(thread);
    }

    private void loop() {
        int idle = 0;
        for (;;) {
            Runnable r = tasks.poll();
            if (r != null) {
                idle = 0;
                try {
                    r.run();
                } catch (Throwable ex) {
                    Thread.UncaughtExceptionHandler h = thread.getUncaughtExceptionHandler();
                    if (h != null) {
                        h.uncaughtException(thread, ex);
                    }
                }
                continue;
            }
            if (shutdown) {
                if (submitting == 0 && tasks.isEmpty()) {
                    return;
                }
                Thread.yield(); // a submitter that saw us running is about to offer its task
                continue;
            }
            if (++idle < IDLE_SPINS) {
                Thread.onSpinWait();
                continue;
            }
            parked = true;
            if (tasks.isEmpty() && !shutdown) {
                LockSupport.park(this);
            }
            parked = false;
            idle = 0;
        }
    }

    private static final VarHandle SUBMITTING;

    static {
        try {
            SUBMITTING = MethodHandles.lookup().findVarHandle(PinnedExecutor.class, "submitting", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
