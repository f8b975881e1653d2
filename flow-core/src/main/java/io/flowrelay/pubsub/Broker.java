package io.flowrelay.pubsub;

import io.flowrelay.actor.ActorRef;

import java.util.concurrent.Flow;

/**
 * Publish-subscribe by topic name: each message published to a topic goes to every current
 * subscriber of that topic and of every wildcard pattern that matches it.
 *
 * <pre>{@code
 * Broker<Event> broker = Broker.create();
 * broker.subscribe("orders.created", billing);                       // a Flow.Subscriber
 * broker.subscribe("orders.*", auditActor,                          // an ActorRef, every orders.X topic,
 *         SubscribeOptions.defaults().unbounded());                  // and it must not miss one
 * broker.subscribe("prices.>", dashboard,                            // a slow one: it may lose
 *         SubscribeOptions.defaults().capacity(64).overflow(Overflow.DROP_OLDEST));  // old prices
 * int reached = broker.publish("orders.created", new OrderCreated(42));   // 2
 * broker.publish("orders.paid", new OrderPaid(42));                       // 1: only the audit actor
 * broker.publish("nobody.listens", x);                                    // 0: reported, no error
 * broker.close();                                                         // subscribers complete
 * }</pre>
 *
 * <p>Topics and patterns: a topic name is one or more non-empty segments separated by dots
 * ({@code orders}, {@code orders.created}, {@code prices.eu.BTC}). A subscription names either an
 * exact topic or a pattern, whose segments may be wildcards (NATS style):
 * <ul>
 *   <li>{@code *} matches exactly one segment: {@code orders.*} matches {@code orders.created}
 *       but neither {@code orders} nor {@code orders.eu.created};</li>
 *   <li>{@code >}, only as the last segment, matches one or more segments: {@code orders.>}
 *       matches {@code orders.created} and {@code orders.eu.created}, not {@code orders}.</li>
 * </ul>
 * A segment that contains {@code *} or {@code >} next to other characters ({@code ord*}) is
 * refused, as is a wildcard in a name given to {@code publish} or {@link #topic(String)}
 * ({@link IllegalArgumentException}). Matching is by whole segments, case-sensitive, nothing else.
 * A subscriber subscribed twice (say to {@code orders.created} and {@code orders.*}) holds two
 * subscriptions and gets such a message twice. Messages carry no topic: put it in the message if a
 * wildcard subscriber needs it.
 *
 * <p>Backpressure: every subscription has its own buffer, with the capacity and
 * {@link io.flowrelay.channel.Overflow overflow policy} of its {@link SubscribeOptions} (the
 * broker's defaults if none are given: capacity 256, {@code DROP_OLDEST}). A subscriber gets at
 * most what it requested; what it has not requested yet waits in its buffer. When that buffer is
 * full, the policy decides, for that subscriber alone:
 * <ul>
 *   <li>{@code DROP_OLDEST} (default) — the oldest buffered message is dropped for the new one;</li>
 *   <li>{@code DROP_NEWEST} — the new message is dropped for this subscriber;</li>
 *   <li>{@code FAIL} — the subscriber is cut off: it is unsubscribed, gets what was buffered, then
 *       {@code onError(ChannelFullException)};</li>
 *   <li>{@code BLOCK} — the publisher waits until this subscriber has room: a slow subscriber then
 *       holds back its publishers, and so everybody downstream of them, because it was configured
 *       so. The other subscribers of the message get it first.</li>
 * </ul>
 * A dropped message is counted ({@link TopicSubscription#dropped()}) and handed to the
 * subscription's {@code onDrop} callback: never lost silently. So one slow subscriber can stall
 * the others only if it is configured with {@code BLOCK}. {@link SubscribeOptions#unbounded()}
 * buffers without limit instead.
 *
 * <p>Threading: every method is thread-safe; messages of one publishing thread reach each
 * subscriber in the order published. Each subscriber is signalled on its options' executor (the
 * shared FlowRelay pool by default), one signal at a time. {@code publish} never blocks unless a
 * {@code BLOCK} subscriber is full. An {@link ActorRef} subscriber receives each message with
 * {@link ActorRef#tell(Object)}, called on that executor.
 *
 * @param <T> the message type
 */
public interface Broker<T> extends AutoCloseable {

    /** A broker whose subscriptions default to {@link SubscribeOptions#defaults()}. */
    static <T> Broker<T> create() {
        return new BrokerImpl<>(SubscribeOptions.defaults());
    }

    /** A broker whose subscriptions default to {@code defaults} when subscribed without options. */
    static <T> Broker<T> create(SubscribeOptions<? super T> defaults) {
        return new BrokerImpl<>(java.util.Objects.requireNonNull(defaults, "defaults"));
    }

    /**
     * A view of one topic: a {@link Flow.Publisher} of its messages that can also publish.
     *
     * @throws IllegalArgumentException if {@code name} is not a valid topic name (or is a pattern)
     */
    Topic<T> topic(String name);

    /**
     * Publishes {@code message} to every current subscriber of {@code topic}, exact and wildcard.
     * Waits only for a full subscriber whose policy is {@code BLOCK}; if interrupted while waiting,
     * it stops waiting, that subscriber's copy counts as dropped, and the interrupt status stays set.
     *
     * @return the number of subscriptions that took the message into their buffer: 0 if the topic
     *         has no subscriber (not an error) or the broker is closed; a subscriber whose copy was
     *         dropped ({@code DROP_NEWEST}), or that was cut off ({@code FAIL}) or went away meanwhile,
     *         is not counted ({@code DROP_OLDEST} counts: the new message was taken)
     * @throws NullPointerException     if {@code topic} or {@code message} is null (RS 2.13)
     * @throws IllegalArgumentException if {@code topic} is not a valid topic name (or is a pattern)
     */
    int publish(String topic, T message);

    /** Subscribes with the broker's default options; see {@link #subscribe(String, Flow.Subscriber, SubscribeOptions)}. */
    TopicSubscription subscribe(String pattern, Flow.Subscriber<? super T> subscriber);

    /**
     * Subscribes {@code subscriber} to a topic or pattern. It gets {@code onSubscribe} (on its
     * executor, shortly after) and then every message published to a matching topic from now on,
     * as far as it requests. Unsubscribe by cancelling its {@code Flow.Subscription} (or the
     * returned handle). {@link #close()} completes it: buffered messages first, then
     * {@code onComplete}. After {@code close()}, a subscriber gets {@code onSubscribe} then
     * {@code onError(IllegalStateException)} (RS 1.9) and the returned handle is inactive.
     *
     * @throws NullPointerException     if an argument is null (RS 1.9)
     * @throws IllegalArgumentException if {@code pattern} is not a valid topic name or pattern
     */
    TopicSubscription subscribe(String pattern, Flow.Subscriber<? super T> subscriber, SubscribeOptions<? super T> options);

    /** Subscribes an actor with the broker's default options; see {@link #subscribe(String, ActorRef, SubscribeOptions)}. */
    TopicSubscription subscribe(String pattern, ActorRef<? super T> actor);

    /**
     * Subscribes an actor: each matching message goes into this subscription's buffer, and from
     * there, on the subscription's executor, to {@link ActorRef#tell(Object)}, with unbounded
     * demand. So messages wait in two places: in the subscription's buffer while the forwarding
     * loop has not handed them over yet — a burst published faster than that meets the
     * subscription's overflow policy, as for any subscriber — and then in the actor's mailbox,
     * whose own policy applies ({@code DROP_*}, {@code FAIL}: to dead letters; a full {@code BLOCK}
     * mailbox makes {@code tell} wait on the executor thread, so the subscription's buffer fills).
     * For an actor that must not lose messages, subscribe it with {@link SubscribeOptions#unbounded()}
     * or {@code BLOCK}; for one with a {@code BLOCK} mailbox, give it an executor of its own in
     * {@code options} so that the shared pool is not held. The subscription ends by itself when
     * the actor has stopped ({@code tell} returned {@code CLOSED}; that message went to dead
     * letters). {@link #close()} just stops the messages: an actor gets no completion signal.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code pattern} is not a valid topic name or pattern
     */
    TopicSubscription subscribe(String pattern, ActorRef<? super T> actor, SubscribeOptions<? super T> options);

    /** Subscriptions a message published to {@code topic} now would reach (exact and wildcard). */
    int subscriberCount(String topic);

    /** {@code true} once {@link #close()} was called. */
    boolean isClosed();

    /**
     * Closes the broker: {@code publish} reaches nobody from now on, every subscriber gets what is
     * still in its buffer and then {@code onComplete}, and later subscribers are refused (RS 1.9).
     * Publishers waiting for a {@code BLOCK} subscriber stop waiting. Idempotent.
     */
    @Override
    void close();
}
