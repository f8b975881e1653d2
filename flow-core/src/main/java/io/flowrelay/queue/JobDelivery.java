package io.flowrelay.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * {@link Delivery}: one attempt of a job. A new object per attempt, so that an old one can tell
 * that it is stale.
 *
 * @param <T> the payload type
 */
final class JobDelivery<T> implements Delivery<T> {

    /*
     * deadline — when the visibility timeout (or a nack delay) ends, by the queue's clock. Written
     * by the tracking subscriber before the job goes IN_FLIGHT and before this delivery enters the
     * in-flight set, and by nack(delay) before the CAS to DELAYED; read by the sweep.
     */

    final AckQueueImpl<T> queue;
    final Job<T> job;
    final int attempt;
    volatile long deadline;

    JobDelivery(AckQueueImpl<T> queue, Job<T> job, int attempt) {
        this.queue = queue;
        this.job = job;
        this.attempt = attempt;
    }

    @Override
    public long id() {
        return job.id;
    }

    @Override
    public T payload() {
        return job.payload;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public boolean ack() {
        return queue.ack(this);
    }

    @Override
    public boolean nack() {
        return queue.nack(this, 0L);
    }

    @Override
    public boolean nack(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        return queue.nack(this, delay.isNegative() ? 0L : saturatedNanos(delay));
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException ex) {
            return Long.MAX_VALUE / 2; // "never" without overflowing clock arithmetic
        }
    }

    @Override
    public String toString() {
        return "Delivery[id=" + job.id + ", attempt=" + attempt + ", payload=" + job.payload + "]";
    }
}
