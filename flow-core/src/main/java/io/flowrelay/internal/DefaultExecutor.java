package io.flowrelay.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared default executor of FlowRelay: a {@link ForkJoinPool} in FIFO (async) mode with
 * daemon threads named {@code flowrelay-N}, one per core and at least two, created on first use.
 * Delivery loops and actor turns are short tasks that yield after a batch, which is what such a
 * pool is built for. It is never shut down: its threads are daemons.
 */
public final class DefaultExecutor {

    /** Prefix of the names of the shared pool's threads. */
    public static final String THREAD_PREFIX = "flowrelay-";

    private DefaultExecutor() {
    }

    /** The shared pool. */
    public static Executor get() {
        return Holder.POOL;
    }

    /** {@code true} if the current thread belongs to the shared pool. */
    public static boolean isDefaultThread() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == Holder.POOL;
    }

    private static final class Holder {
        static final ForkJoinPool POOL = create();

        private static ForkJoinPool create() {
            AtomicInteger ids = new AtomicInteger();
            int parallelism = Math.max(2, Runtime.getRuntime().availableProcessors());
            ForkJoinPool.ForkJoinWorkerThreadFactory factory = pool -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setName(THREAD_PREFIX + ids.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            return new ForkJoinPool(parallelism, factory, null, true);
        }
    }
}
