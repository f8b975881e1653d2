package io.flowrelay.bench;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/** Executors given to peers: the same kind of pool FlowRelay uses by default (FIFO fork/join, one thread per core, at least two). */
final class Pools {

    private Pools() {
    }

    static ForkJoinPool asyncPool(String prefix) {
        AtomicInteger ids = new AtomicInteger();
        ForkJoinPool.ForkJoinWorkerThreadFactory factory = pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName(prefix + "-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        return new ForkJoinPool(Math.max(2, Runtime.getRuntime().availableProcessors()), factory, null, true);
    }
}
