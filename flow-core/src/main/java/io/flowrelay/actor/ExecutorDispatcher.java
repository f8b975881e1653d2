package io.flowrelay.actor;

import io.flowrelay.internal.DefaultExecutor;

import java.util.concurrent.Executor;

/** A dispatcher over one executor. */
final class ExecutorDispatcher implements Dispatcher {
    static final ExecutorDispatcher SHARED = new ExecutorDispatcher(DefaultExecutor.get(), DEFAULT_THROUGHPUT);

    private final Executor executor;
    private final int throughput;

    ExecutorDispatcher(Executor executor, int throughput) {
        if (throughput < 1) {
            throw new IllegalArgumentException("throughput must be positive, got " + throughput);
        }
        this.executor = executor;
        this.throughput = throughput;
    }

    @Override
    public Executor assign() {
        return executor;
    }

    @Override
    public int throughput() {
        return throughput;
    }

    @Override
    public String toString() {
        return this == SHARED ? "Dispatcher.shared()" : "Dispatcher.fromExecutor(" + executor + ", " + throughput + ")";
    }
}
