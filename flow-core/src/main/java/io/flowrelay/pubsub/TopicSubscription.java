package io.flowrelay.pubsub;

/**
 * One subscription to a {@link Broker} topic or pattern, as returned by {@code subscribe}: the
 * handle to read its counters and to unsubscribe. For a {@link java.util.concurrent.Flow.Subscriber}
 * subscriber, {@link #cancel()} is the same as cancelling the {@code Flow.Subscription} it was
 * given; for an {@link io.flowrelay.actor.ActorRef} subscriber it is the only way to unsubscribe
 * (besides the actor stopping).
 *
 * <p>Threading: every method is thread-safe.
 */
public interface TopicSubscription {

    /** The topic name or pattern subscribed to, as given. */
    String pattern();

    /** {@code true} until the subscription is cancelled, cut off or ended by {@link Broker#close()}. */
    boolean isActive();

    /**
     * Messages this subscriber lost to its overflow policy ({@code DROP_NEWEST}, {@code DROP_OLDEST},
     * or a {@code BLOCK} publisher interrupted while it waited): each also went to the
     * {@link SubscribeOptions#onDrop(java.util.function.Consumer) onDrop} callback, if any.
     */
    long dropped();

    /** Messages waiting in this subscriber's buffer now (a snapshot). */
    int buffered();

    /**
     * Unsubscribes: the broker stops routing to this subscriber at once, messages still buffered
     * are discarded, and the subscriber gets no further signal (no {@code onComplete}). A
     * publisher waiting for room in this subscriber's buffer ({@code BLOCK}) stops waiting.
     * Idempotent.
     */
    void cancel();
}
