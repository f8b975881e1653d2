package io.flowrelay.queue;

import java.time.Duration;

/**
 * One delivery of a job from an {@link AckQueue}: the job's id and payload, and which attempt
 * this is. The consumer settles it with {@link #ack()} (done) or {@link #nack()} (give it back);
 * if it does neither within the queue's visibility timeout, the job is delivered again, as a new
 * {@code Delivery} with {@code attempt() + 1}.
 *
 * <pre>{@code
 * public void onNext(Delivery<Job> d) {
 *     try {
 *         process(d.payload());
 *         d.ack();
 *     } catch (TransientException e) {
 *         d.nack(Duration.ofSeconds(1));   // try again in a second (another attempt)
 *     }
 *     subscription.request(1);
 * }
 * }</pre>
 *
 * <p>Only the current attempt can settle a job: once a delivery has timed out (or was nacked),
 * its {@code ack()} and {@code nack()} return {@code false} and change nothing, so a late ack
 * from a consumer that was presumed dead is harmless; {@code ack()} is idempotent.
 *
 * <p>Threading: every method is thread-safe and never blocks; a delivery may be settled on any
 * thread, also after {@code onNext} has returned (hand it to a worker thread and ack it there).
 *
 * @param <T> the payload type
 */
public interface Delivery<T> {

    /** The job's id, as returned by {@link AckQueue#enqueue(Object)}: the same on every attempt. */
    long id();

    /** The job's payload. */
    T payload();

    /** 1 for the first delivery of the job, 2 for the first redelivery, and so on. */
    int attempt();

    /**
     * Marks the job done: it will not be delivered again.
     *
     * @return {@code true} if this call settled the job; {@code false} if this delivery is no
     *         longer the job's current one (it timed out, was nacked, or was acked already)
     */
    boolean ack();

    /**
     * Gives the job back at once: it is delivered again (attempt + 1), or, if this was attempt
     * {@link AckQueue#maxAttempts()}, goes to the dead letters.
     *
     * @return {@code false} if this delivery is no longer the job's current one (nothing changed)
     */
    boolean nack();

    /**
     * Gives the job back after {@code delay}: it is delivered again (attempt + 1) once the delay
     * has passed, as seen by the queue's periodic sweep, or, if this was the last attempt, goes to
     * the dead letters now. A zero or negative delay is {@link #nack()}.
     *
     * @return {@code false} if this delivery is no longer the job's current one (nothing changed)
     */
    boolean nack(Duration delay);
}
