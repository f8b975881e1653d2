package io.flowrelay.stress.support;

import io.flowrelay.internal.DeliveryLoop;

import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kernel's delivery loop over the simplest source there is: a concurrent queue and an end
 * flag. Producers follow the loop's protocol: publish, full fence, {@link #wakeIfIdle()}.
 *
 * @param <T> the item type
 */
public final class QueueLoop<T> extends DeliveryLoop<T> {

    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger finished = new AtomicInteger();
    private volatile boolean done;
    private volatile Throwable error;
    private volatile boolean fedInline;

    public QueueLoop(Flow.Subscriber<? super T> subscriber, Executor executor, int batch) {
        super(subscriber, executor, batch);
    }

    /** A producer: publishes {@code item} and wakes the loop if it is idle. */
    public void emit(T item) {
        queue.offer(item);
        VarHandle.fullFence();
        wakeIfIdle();
    }

    /**
     * Marks the loop as one whose items usually come inline ({@code spinsWhenIdle() == false}):
     * it does not spin when dry, and a request that finds nothing to deliver runs nothing.
     * Set-up before the race.
     */
    public QueueLoop<T> fedInline() {
        fedInline = true;
        return this;
    }

    @Override
    protected boolean spinsWhenIdle() {
        return !fedInline;
    }

    /** Puts an item in the source without waking anyone (set-up before the race). */
    public void preload(T item) {
        queue.offer(item);
    }

    /** The source ends normally; the loop delivers onComplete once the queue is empty. */
    public void complete() {
        done = true;
        VarHandle.fullFence();
        schedule();
    }

    /** The source ends with {@code t}. */
    public void error(Throwable t) {
        error = t;
        done = true;
        VarHandle.fullFence();
        schedule();
    }

    /** Items still in the source. */
    public int left() {
        return queue.size();
    }

    /** How many times the loop reported that it finished (must be at most once). */
    public int finished() {
        return finished.get();
    }

    @Override
    protected T pollNext() {
        return queue.poll();
    }

    @Override
    protected boolean hasMore() {
        return !queue.isEmpty();
    }

    @Override
    protected boolean isExhausted() {
        return done && queue.isEmpty();
    }

    @Override
    protected Throwable terminalError() {
        return error;
    }

    @Override
    protected void onFinished() {
        finished.incrementAndGet();
    }
}
