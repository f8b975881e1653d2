package io.flowrelay.actor;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Where actors run: an {@link Executor} and a throughput (messages an actor may handle in one
 * turn before it yields the thread to other actors).
 *
 * <ul>
 *   <li>{@link #shared()} — the shared FlowRelay pool (the default);</li>
 *   <li>{@link #pinned(int)} — a fixed set of threads; each actor is assigned one of them when it
 *       is spawned and runs only there for its whole life, so it may hold non-thread-safe state;</li>
 *   <li>{@link #fromExecutor(Executor)} — any executor, e.g. a virtual-thread executor on JDK 21+.</li>
 * </ul>
 */
public interface Dispatcher {

    /** Messages per turn by default. */
    int DEFAULT_THROUGHPUT = 64;

    /**
     * The executor that an actor spawned now will use for its whole life. A pinned dispatcher
     * returns one of its threads (round robin); others return their one executor.
     */
    Executor assign();

    /** Messages an actor may handle per turn before yielding. */
    int throughput();

    /** The shared FlowRelay pool. */
    static Dispatcher shared() {
        return ExecutorDispatcher.SHARED;
    }

    /** Any executor, with {@value #DEFAULT_THROUGHPUT} messages per turn. */
    static Dispatcher fromExecutor(Executor executor) {
        return fromExecutor(executor, DEFAULT_THROUGHPUT);
    }

    /** Any executor, with a throughput. */
    static Dispatcher fromExecutor(Executor executor, int throughput) {
        return new ExecutorDispatcher(Objects.requireNonNull(executor, "executor"), throughput);
    }

    /** {@code threads} dedicated daemon threads; close it when done. */
    static PinnedDispatcher pinned(int threads) {
        return new PinnedDispatcherImpl("pinned", threads, DEFAULT_THROUGHPUT);
    }

    /** {@code threads} dedicated daemon threads named {@code flowrelay-<name>-i}; close it when done. */
    static PinnedDispatcher pinned(String name, int threads, int throughput) {
        return new PinnedDispatcherImpl(Objects.requireNonNull(name, "name"), threads, throughput);
    }
}
