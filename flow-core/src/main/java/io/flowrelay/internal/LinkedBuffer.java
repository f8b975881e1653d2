package io.flowrelay.internal;

import java.lang.invoke.VarHandle;
import java.util.Queue;

/**
 * The buffer of an unbounded channel: a lock-free linked queue (JCTools' MPSC chunked array
 * queue for a single consumer, the JDK's {@code ConcurrentLinkedQueue} for competing ones).
 * Nothing in it can carry a consumer's wake-up request, so every offer is followed by a full
 * fence and reports {@link MpscRing#OK_WAKE}: the channel looks at its consumers after each one.
 *
 * @param <T> the item type
 */
final class LinkedBuffer<T> implements ChannelBuffer<T> {

    private final Queue<T> queue;

    LinkedBuffer(Queue<T> queue) {
        this.queue = queue;
    }

    @Override
    public int offer(T item) {
        queue.offer(item);
        VarHandle.fullFence(); // the producer half of the Dekker pair with a consumer that sleeps
        return MpscRing.OK_WAKE;
    }

    @Override
    public T poll() {
        return queue.poll();
    }

    @Override
    public boolean isEmpty() {
        return queue.isEmpty();
    }

    @Override
    public boolean isReady() {
        return !queue.isEmpty();
    }

    @Override
    public long taken() {
        return 0L; // never full: nobody waits for it to move
    }

    @Override
    public int size() {
        return queue.size();
    }

    @Override
    public boolean armIdle() {
        return !queue.isEmpty(); // producers look at the consumers after every offer anyway
    }
}
