package io.flowrelay.queue;

/**
 * A snapshot of an {@link AckQueue}'s counters; each is exact, the set is not one atomic picture.
 *
 * @param enqueued     jobs enqueued so far
 * @param acked        jobs acknowledged (each job at most once)
 * @param redelivered  deliveries made because an attempt timed out or was nacked
 * @param deadLettered jobs sent to the dead letters
 * @param pending      jobs neither acknowledged nor dead-lettered yet (waiting, in flight or delayed)
 * @param inFlight     deliveries handed out and not settled yet, including jobs nacked with a delay
 */
public record QueueStats(long enqueued, long acked, long redelivered, long deadLettered, long pending, int inFlight) {
}
