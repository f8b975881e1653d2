package io.flowrelay.channel;

import io.flowrelay.internal.BufferedChannel;
import io.flowrelay.internal.DefaultExecutor;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Creates channels, and the fan-out publishers {@link Broadcast}, {@link Watch} and {@link Oneshot}.
 *
 * <pre>{@code
 * Channel<Event> events = Channels.<Event>builder()
 *         .capacity(4096)
 *         .overflow(Overflow.DROP_OLDEST)
 *         .onDrop(e -> metrics.dropped(e))
 *         .executor(myExecutor)
 *         .build();
 * }</pre>
 */
public final class Channels {

    /** Items a subscriber's delivery turn may handle before it yields its thread, by default. */
    public static final int DEFAULT_BATCH = 256;

    /** The upstream prefetch of an unbounded channel used as a subscriber, by default. */
    public static final int DEFAULT_UNBOUNDED_PREFETCH = 256;

    private Channels() {
    }

    /** A bounded channel with policy {@link Overflow#BLOCK}; {@code capacity} is rounded up to a power of two, at least 2. */
    public static <T> Channel<T> bounded(int capacity) {
        return Channels.<T>builder().capacity(capacity).build();
    }

    /** A bounded channel with an overflow policy; items dropped by {@code DROP_NEWEST}/{@code DROP_OLDEST} go to {@code onDrop}. */
    public static <T> Channel<T> bounded(int capacity, Overflow overflow, Consumer<? super T> onDrop) {
        return Channels.<T>builder().capacity(capacity).overflow(overflow).onDrop(onDrop).build();
    }

    /** An unbounded channel: sends never wait. */
    public static <T> Channel<T> unbounded() {
        return Channels.<T>builder().unbounded().build();
    }

    /** A rendezvous channel: a send completes only when a receiver or subscriber takes the item. */
    public static <T> Channel<T> rendezvous() {
        return Channels.<T>builder().capacity(0).build();
    }

    // ------------------------------------------------------------------ fan-out: broadcast, watch, oneshot

    /**
     * A {@link Broadcast} whose ring holds {@code capacity} items (rounded up to a power of two,
     * at least 2), with policy {@link Broadcast.Policy#HOLD}: publishers wait for the slowest subscriber.
     */
    public static <T> Broadcast<T> broadcast(int capacity) {
        return Channels.<T>broadcastBuilder().capacity(capacity).build();
    }

    /** A {@link Broadcast} with the given slow-subscriber policy. */
    public static <T> Broadcast<T> broadcast(int capacity, Broadcast.Policy policy) {
        return Channels.<T>broadcastBuilder().capacity(capacity).policy(policy).build();
    }

    /** A builder for a {@link Broadcast}; by default capacity 256, {@link Broadcast.Policy#HOLD}, the shared executor. */
    public static <T> BroadcastBuilder<T> broadcastBuilder() {
        return new BroadcastBuilder<>();
    }

    /** A {@link Watch} with no value yet: subscribers get values from the first {@code set} on. */
    public static <T> Watch<T> watch() {
        return new LatestWatch<>(null, DefaultExecutor.get(), DEFAULT_BATCH);
    }

    /** A {@link Watch} holding {@code initial} (version 1). */
    public static <T> Watch<T> watch(T initial) {
        return watch(initial, DefaultExecutor.get());
    }

    /** A {@link Watch} holding {@code initial} (version 1) whose subscribers are signalled on {@code executor}. */
    public static <T> Watch<T> watch(T initial, Executor executor) {
        Objects.requireNonNull(initial, "initial"); // RS 2.13
        return new LatestWatch<>(initial, Objects.requireNonNull(executor, "executor"), DEFAULT_BATCH);
    }

    /** An empty {@link Oneshot}. */
    public static <T> Oneshot<T> oneshot() {
        return new FutureOneshot<>(DefaultExecutor.get());
    }

    /** An empty {@link Oneshot} whose subscribers are signalled on {@code executor}. */
    public static <T> Oneshot<T> oneshot(Executor executor) {
        return new FutureOneshot<>(Objects.requireNonNull(executor, "executor"));
    }

    /** A builder for any kind of channel; by default bounded(256), {@link Overflow#BLOCK}, the shared executor. */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /**
     * Options of a channel.
     *
     * @param <T> the item type
     */
    public static final class Builder<T> {
        private int capacity = 256;
        private Overflow overflow = Overflow.BLOCK;
        private Consumer<? super T> onDrop;
        private Executor executor;
        private int batch = DEFAULT_BATCH;
        private int prefetch = DEFAULT_UNBOUNDED_PREFETCH;

        private Builder() {
        }

        /** Buffer capacity: 0 for rendezvous, else rounded up to a power of two, at least 2. */
        public Builder<T> capacity(int capacity) {
            if (capacity < 0 || capacity > (1 << 30)) {
                throw new IllegalArgumentException("capacity must be in [0, 2^30], got " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /** An unbounded buffer. */
        public Builder<T> unbounded() {
            this.capacity = Integer.MAX_VALUE;
            return this;
        }

        /** What a full bounded buffer does with a send. */
        public Builder<T> overflow(Overflow overflow) {
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /** Receives every item dropped by the overflow policy, on the thread that dropped it. */
        public Builder<T> onDrop(Consumer<? super T> onDrop) {
            this.onDrop = Objects.requireNonNull(onDrop, "onDrop");
            return this;
        }

        /** Where subscribers are signalled; by default the shared FlowRelay pool. */
        public Builder<T> executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Items one delivery turn may handle before it yields its thread (default {@value Channels#DEFAULT_BATCH}). */
        public Builder<T> batch(int batch) {
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be positive, got " + batch);
            }
            this.batch = batch;
            return this;
        }

        /** For an unbounded channel used as a subscriber: how many items it keeps requested upstream. */
        public Builder<T> prefetch(int prefetch) {
            if (prefetch < 1) {
                throw new IllegalArgumentException("prefetch must be positive, got " + prefetch);
            }
            this.prefetch = prefetch;
            return this;
        }

        /**
         * Creates the channel.
         *
         * @throws IllegalStateException if a drop policy has no {@code onDrop} callback, or a
         *                               rendezvous or unbounded channel is given a policy other than {@code BLOCK}
         */
        public Channel<T> build() {
            boolean drops = overflow == Overflow.DROP_NEWEST || overflow == Overflow.DROP_OLDEST;
            if (drops && onDrop == null) {
                throw new IllegalStateException("overflow " + overflow + " needs an onDrop callback: dropped items are never lost silently");
            }
            if ((capacity == 0 || capacity == Integer.MAX_VALUE) && overflow != Overflow.BLOCK) {
                throw new IllegalStateException("overflow " + overflow + " applies to bounded channels only");
            }
            Executor ex = executor != null ? executor : DefaultExecutor.get();
            return new BufferedChannel<>(capacity, overflow, onDrop, ex, batch, prefetch, false);
        }
    }
    /**
     * Options of a {@link Broadcast}.
     *
     * @param <T> the item type
     */
    public static final class BroadcastBuilder<T> {
        private int capacity = 256;
        private Broadcast.Policy policy = Broadcast.Policy.HOLD;
        private Executor executor;
        private int batch = DEFAULT_BATCH;

        private BroadcastBuilder() {
        }

        /** Ring capacity: at least 1, rounded up to a power of two, at least 2. */
        public BroadcastBuilder<T> capacity(int capacity) {
            if (capacity < 1 || capacity > (1 << 30)) {
                throw new IllegalArgumentException("capacity must be in [1, 2^30], got " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /** What happens when a subscriber falls a whole ring behind (default {@link Broadcast.Policy#HOLD}). */
        public BroadcastBuilder<T> policy(Broadcast.Policy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Where subscribers are signalled; by default the shared FlowRelay pool. */
        public BroadcastBuilder<T> executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Items one delivery turn may handle before it yields its thread (default {@value Channels#DEFAULT_BATCH}). */
        public BroadcastBuilder<T> batch(int batch) {
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be positive, got " + batch);
            }
            this.batch = batch;
            return this;
        }

        /** Creates the broadcast. */
        public Broadcast<T> build() {
            return new RingBroadcast<>(capacity, policy, executor != null ? executor : DefaultExecutor.get(), batch);
        }
    }
}
