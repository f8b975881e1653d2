package io.flowrelay.pubsub;

import io.flowrelay.channel.Channels;
import io.flowrelay.channel.Overflow;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * How one {@link Broker} subscription is buffered and signalled. Immutable; every setter returns
 * a copy.
 *
 * <pre>{@code
 * SubscribeOptions<Price> slow = SubscribeOptions.defaults()
 *         .capacity(64)
 *         .overflow(Overflow.DROP_OLDEST)
 *         .onDrop((Price p) -> metrics.priceSkipped(p))
 *         .executor(dashboardExecutor);
 * broker.subscribe("prices.>", dashboard, slow);
 * }</pre>
 *
 * <p>Defaults: a buffer of {@value #DEFAULT_CAPACITY}, {@link Overflow#DROP_OLDEST}, drops only
 * counted, the shared FlowRelay pool, {@value Channels#DEFAULT_BATCH} messages per delivery turn.
 *
 * @param <T> the message type the options fit (a {@code SubscribeOptions<Object>} fits any broker)
 */
public final class SubscribeOptions<T> {

    /** The default buffer capacity of a subscription. */
    public static final int DEFAULT_CAPACITY = 256;

    private static final SubscribeOptions<Object> DEFAULTS =
            new SubscribeOptions<>(DEFAULT_CAPACITY, Overflow.DROP_OLDEST, null, null, Channels.DEFAULT_BATCH);

    private final int capacity;
    private final Overflow overflow;
    private final Consumer<? super T> onDrop;
    private final Executor executor;
    private final int batch;

    private SubscribeOptions(int capacity, Overflow overflow, Consumer<? super T> onDrop, Executor executor, int batch) {
        this.capacity = capacity;
        this.overflow = overflow;
        this.onDrop = onDrop;
        this.executor = executor;
        this.batch = batch;
    }

    /** Capacity {@value #DEFAULT_CAPACITY}, {@code DROP_OLDEST}, the shared pool. */
    @SuppressWarnings("unchecked")
    public static <T> SubscribeOptions<T> defaults() {
        return (SubscribeOptions<T>) DEFAULTS; // immutable and holds no T: safe for any T
    }

    /**
     * The subscription's buffer: at most {@code capacity} messages not yet delivered, rounded up to
     * a power of two and at least 2, as for a bounded channel.
     *
     * @throws IllegalArgumentException unless {@code 1 <= capacity <= 2^30}
     */
    public SubscribeOptions<T> capacity(int capacity) {
        if (capacity < 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("capacity must be in [1, 2^30], got " + capacity);
        }
        return new SubscribeOptions<>(capacity, overflow, onDrop, executor, batch);
    }

    /** No limit: nothing is ever dropped and nobody waits; the buffer grows while the subscriber is behind. */
    public SubscribeOptions<T> unbounded() {
        return new SubscribeOptions<>(Integer.MAX_VALUE, overflow, onDrop, executor, batch);
    }

    /** What a full buffer does with a new message; see {@link Broker}. Ignored when unbounded. */
    public SubscribeOptions<T> overflow(Overflow overflow) {
        return new SubscribeOptions<>(capacity, Objects.requireNonNull(overflow, "overflow"), onDrop, executor, batch);
    }

    /**
     * Receives every message this subscription drops, on the thread that dropped it (a publisher).
     * It must be quick and must not throw: an exception it throws is ignored (the drop is still
     * counted), so that one callback cannot keep a message from the other subscribers.
     */
    public <U extends T> SubscribeOptions<U> onDrop(Consumer<? super U> onDrop) {
        return new SubscribeOptions<>(capacity, overflow, Objects.requireNonNull(onDrop, "onDrop"), executor, batch);
    }

    /** Where the subscriber is signalled (and an actor is told); by default the shared FlowRelay pool. */
    public SubscribeOptions<T> executor(Executor executor) {
        return new SubscribeOptions<>(capacity, overflow, onDrop, Objects.requireNonNull(executor, "executor"), batch);
    }

    /** Messages one delivery turn may hand over before it yields the thread. */
    public SubscribeOptions<T> batch(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        return new SubscribeOptions<>(capacity, overflow, onDrop, executor, batch);
    }

    /** The requested capacity; {@link Integer#MAX_VALUE} if unbounded. */
    public int capacity() {
        return capacity;
    }

    public Overflow overflow() {
        return overflow;
    }

    /** The drop callback, or {@code null}. */
    public Consumer<? super T> onDrop() {
        return onDrop;
    }

    /** The executor, or {@code null} for the shared pool. */
    public Executor executor() {
        return executor;
    }

    public int batch() {
        return batch;
    }

    @Override
    public String toString() {
        return "SubscribeOptions[" + (capacity == Integer.MAX_VALUE ? "unbounded" : "capacity=" + capacity + ", " + overflow)
                + (onDrop != null ? ", onDrop" : "") + (executor != null ? ", executor=" + executor : "") + ", batch=" + batch + "]";
    }
}
