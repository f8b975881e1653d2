package io.flowrelay.pubsub;

import java.util.concurrent.Flow;

/**
 * One topic of a {@link Broker}, as a hot {@link Flow.Publisher}: a subscriber gets every message
 * published to this topic after it subscribed, through its own buffer.
 *
 * <pre>{@code
 * Topic<Order> created = broker.topic("orders.created");
 * created.subscribe(auditSubscriber);                          // the broker's default options
 * created.subscribe(billing, SubscribeOptions.defaults().capacity(1024).overflow(Overflow.BLOCK));
 * int reached = created.publish(new Order(42));                 // 2
 * }</pre>
 *
 * <p>A {@code Topic} is a view: it holds no state of its own, and any number of views of one name
 * route to the same subscribers. Names are exact (no wildcards); subscribe to a pattern with
 * {@link Broker#subscribe(String, Flow.Subscriber)}.
 *
 * <p>Backpressure and threading: as for {@link Broker}.
 *
 * @param <T> the message type
 */
public interface Topic<T> extends Flow.Publisher<T> {

    /** The topic's name. */
    String name();

    /** Same as {@code broker.publish(name(), message)}. */
    int publish(T message);

    /** Subscribes with the broker's default options; same as {@code broker.subscribe(name(), subscriber)}. */
    @Override
    void subscribe(Flow.Subscriber<? super T> subscriber);

    /** Subscribes with {@code options}; same as {@code broker.subscribe(name(), subscriber, options)}. */
    TopicSubscription subscribe(Flow.Subscriber<? super T> subscriber, SubscribeOptions<? super T> options);

    /** Subscribers a message published to this topic now would reach (exact and wildcard). */
    int subscriberCount();
}
