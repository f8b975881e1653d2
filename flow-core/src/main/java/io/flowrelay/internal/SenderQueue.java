package io.flowrelay.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The FIFO of senders waiting for room (parked threads, pending {@code sendAsync}s) of a channel
 * or a {@code Broadcast}, with a count that hot paths read instead of asking the queue:
 * {@link ConcurrentLinkedQueue#isEmpty()} walks nodes whose lines the pollers write, and every
 * send asks whether anybody waits (a later send must not overtake an earlier waiting one).
 */
public final class SenderQueue {

    /*
     * Implementation notes
     *
     * count — +1 before a waiter goes into the queue, -1 after one came out (by whoever polled or
     *         removed it), so it is never 0 while a waiter is queued. A transient non-zero with an
     *         empty queue only sends a send to its slow path, or makes a consumer look once more.
     */

    private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
    private volatile int count;

    /** Queues {@code w} last. */
    public void offer(Waiter w) {
        COUNT.getAndAdd(this, 1); // before the offer: never 0 while w is queued
        queue.offer(w);
    }

    /** The oldest waiter, left in the queue, or {@code null}. */
    public Waiter peek() {
        return queue.peek();
    }

    /** Takes the oldest waiter out, or returns {@code null}. */
    public Waiter poll() {
        Waiter w = queue.poll();
        if (w != null) {
            COUNT.getAndAdd(this, -1);
        }
        return w;
    }

    /** Takes {@code w} out wherever it is; {@code true} if this call did. */
    public boolean remove(Waiter w) {
        if (queue.remove(w)) {
            COUNT.getAndAdd(this, -1);
            return true;
        }
        return false;
    }

    /** {@code true} if nobody waits (one volatile read). */
    public boolean isEmpty() {
        return count == 0;
    }

    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(SenderQueue.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
