package io.flowrelay.actor;

import io.flowrelay.internal.PinnedExecutor;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/** Fixed threads, assigned round robin at spawn time. */
final class PinnedDispatcherImpl implements PinnedDispatcher {

    private final String name;
    private final PinnedExecutor[] threads;
    private final int throughput;
    private final AtomicInteger next = new AtomicInteger();

    PinnedDispatcherImpl(String name, int threads, int throughput) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        if (throughput < 1) {
            throw new IllegalArgumentException("throughput must be positive, got " + throughput);
        }
        this.name = name;
        this.throughput = throughput;
        this.threads = new PinnedExecutor[threads];
        for (int i = 0; i < threads; i++) {
            this.threads[i] = new PinnedExecutor("flowrelay-" + name + "-" + i);
        }
    }

    @Override
    public Executor assign() {
        return threads[Math.floorMod(next.getAndIncrement(), threads.length)];
    }

    @Override
    public int throughput() {
        return throughput;
    }

    @Override
    public int threads() {
        return threads.length;
    }

    @Override
    public void close() {
        for (PinnedExecutor t : threads) {
            t.shutdown();
        }
    }

    @Override
    public String toString() {
        return "Dispatcher.pinned(" + name + ", " + threads.length + " threads)";
    }
}
