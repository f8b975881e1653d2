package io.flowrelay.queue;

import io.flowrelay.channel.Channels;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * An at-least-once work queue with a visibility timeout (as Amazon SQS): producers
 * {@link #enqueue(Object) enqueue} jobs; consumers subscribe and compete for them, each job going
 * to one consumer at a time as a {@link Delivery} that the consumer must {@link Delivery#ack()
 * ack}. A delivery that is not acked within the visibility timeout — its consumer crashed, hung,
 * or was too slow — becomes visible again and is delivered again, to any consumer, with the next
 * attempt number; {@link Delivery#nack()} does the same at once. After {@link #maxAttempts()}
 * failed attempts a job goes to the {@link #deadLetters() dead letters} instead.
 *
 * <pre>{@code
 * AckQueue<Job> jobs = AckQueue.<Job>builder()
 *         .visibilityTimeout(Duration.ofSeconds(30))
 *         .maxAttempts(5)
 *         .build();
 * jobs.deadLetters().subscribe(alerting);          // jobs that failed 5 times
 * for (int i = 0; i < 4; i++) {
 *     jobs.subscribe(new Worker());                 // competing consumers: a worker pool
 * }
 * long id = jobs.enqueue(new Job("resize", 42));
 * ...
 * jobs.close();                                     // no more jobs; completes once all are settled
 * }</pre>
 *
 * <p>So every job is processed at least once, and may be processed more than once (a consumer
 * that finished but acked too late). {@link IdempotentConsumer} drops such repeats.
 *
 * <p>Backpressure: a subscriber gets at most as many deliveries as it requested; jobs wait in the
 * queue (unbounded) until some subscriber has demand. The visibility timer of a delivery starts
 * when it is handed to the subscriber ({@code onNext}), not while it waits. Several subscribers
 * compete: each delivery goes to exactly one of them.
 *
 * <p>Threading: every method is thread-safe. Subscribers are signalled on the queue's executor
 * (the shared FlowRelay pool by default), one signal at a time each. Timeouts and delayed nacks
 * are found by a sweep that runs every {@link Builder#sweepInterval(Duration) sweep interval} on
 * the timer (a shared daemon thread by default), or when {@link #expireNow()} is called; the
 * clock is {@link System#nanoTime()} unless {@link Builder#clock(LongSupplier) injected}.
 *
 * @param <T> the payload type
 */
public interface AckQueue<T> extends Flow.Publisher<Delivery<T>>, AutoCloseable {

    /** Default visibility timeout: 30 seconds. */
    Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(30);

    /** Default number of attempts before a job is dead-lettered. */
    int DEFAULT_MAX_ATTEMPTS = 5;

    /** A queue with this visibility timeout and attempt limit, and defaults otherwise. */
    static <T> AckQueue<T> create(Duration visibilityTimeout, int maxAttempts) {
        return AckQueue.<T>builder().visibilityTimeout(visibilityTimeout).maxAttempts(maxAttempts).build();
    }

    /** Options for a queue. */
    static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /**
     * Adds a job; it is delivered as soon as a subscriber has demand. Never blocks.
     *
     * @return the job's id: positive, unique in this queue, increasing in enqueue order
     * @throws NullPointerException  if {@code payload} is null
     * @throws IllegalStateException if the queue is closed
     */
    long enqueue(T payload);

    /**
     * Subscribes a consumer that competes with the others for deliveries. After the queue has
     * terminated (closed and every job settled), a subscriber gets {@code onSubscribe} then
     * {@code onError(IllegalStateException)} (RS 1.9).
     *
     * <p>If {@code onNext} throws, the subscription ends ({@code onError} with that exception) and
     * the delivery it was handling times out and is redelivered, as for a crashed consumer.
     */
    @Override
    void subscribe(Flow.Subscriber<? super Delivery<T>> subscriber);

    /**
     * The jobs that failed {@link #maxAttempts()} times, as a publisher backed by a queue of its
     * own (unbounded): dead letters wait there until a subscriber takes them, and several
     * subscribers compete for them. Completes once the queue has terminated and they are all taken.
     */
    Flow.Publisher<DeadLetter<T>> deadLetters();

    /**
     * Runs a sweep now, on this thread: every delivery whose visibility timeout has passed, and
     * every nacked job whose delay has passed (by the queue's clock), is made visible again or
     * dead-lettered. For tests with an injected clock, and for callers that want no delay.
     *
     * @return how many deliveries this sweep made visible again or dead-lettered
     */
    int expireNow();

    /** The counters, now. */
    QueueStats stats();

    /** How long a delivery may stay unacked before the job is delivered again. */
    Duration visibilityTimeout();

    /** Deliveries of one job before it goes to the dead letters (at least 1). */
    int maxAttempts();

    /** {@code true} once {@link #close()} was called. */
    boolean isClosed();

    /** {@code true} once closed and every job is acked or dead-lettered; subscribers have been completed. */
    boolean isTerminated();

    /**
     * Closes the queue for new jobs ({@code enqueue} throws from now on). The jobs already in it
     * are still delivered, redelivered and dead-lettered as usual; once every one of them is acked
     * or dead-lettered, the queue terminates: subscribers get {@code onComplete}, the dead-letter
     * publisher completes once drained, and the sweeps stop. A queue closed while jobs are left
     * and nobody consumes them does not terminate. Idempotent.
     */
    @Override
    void close();

    /**
     * Options of an {@link AckQueue}.
     *
     * @param <T> the payload type
     */
    final class Builder<T> {
        Duration visibilityTimeout = DEFAULT_VISIBILITY_TIMEOUT;
        int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        LongSupplier clock = System::nanoTime;
        ScheduledExecutorService timer;
        Duration sweepInterval;
        Executor executor;
        int batch = Channels.DEFAULT_BATCH;

        private Builder() {
        }

        /** How long a delivery may stay unacked (default 30 s). */
        public Builder<T> visibilityTimeout(Duration timeout) {
            if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("visibility timeout must be positive, got " + timeout);
            }
            this.visibilityTimeout = timeout;
            return this;
        }

        /** Deliveries of a job before it is dead-lettered (default {@value AckQueue#DEFAULT_MAX_ATTEMPTS}); 1 means no retry. */
        public Builder<T> maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** The clock of timeouts and delays, in nanoseconds ({@link System#nanoTime()} by default); for tests. */
        public Builder<T> clock(LongSupplier nanoClock) {
            this.clock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /** Where the periodic sweep runs; by default a daemon thread shared by all queues. */
        public Builder<T> timer(ScheduledExecutorService timer) {
            this.timer = Objects.requireNonNull(timer, "timer");
            return this;
        }

        /**
         * How often the sweep looks for timed-out deliveries and due nacks: the precision of the
         * timeout. By default a tenth of the visibility timeout, within [10 ms, 1 s].
         * {@link Duration#ZERO}: no periodic sweep at all; only {@link AckQueue#expireNow()} sweeps.
         */
        public Builder<T> sweepInterval(Duration interval) {
            if (Objects.requireNonNull(interval, "interval").isNegative()) {
                throw new IllegalArgumentException("sweep interval must not be negative, got " + interval);
            }
            this.sweepInterval = interval;
            return this;
        }

        /** Where subscribers are signalled; by default the shared FlowRelay pool. */
        public Builder<T> executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Deliveries one turn may hand to a subscriber before it yields the thread. */
        public Builder<T> batch(int batch) {
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be positive, got " + batch);
            }
            this.batch = batch;
            return this;
        }

        public AckQueue<T> build() {
            return new AckQueueImpl<>(this);
        }
    }
}
