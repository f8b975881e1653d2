package io.flowrelay.actor;

/**
 * A dispatcher of dedicated threads, each actor pinned to one of them for its whole life (the
 * "messaging thread pool"). Closing it stops its threads once their queued work is done; actors
 * still assigned to it can no longer run.
 */
public interface PinnedDispatcher extends Dispatcher, AutoCloseable {

    /** Number of threads. */
    int threads();

    @Override
    void close();
}
