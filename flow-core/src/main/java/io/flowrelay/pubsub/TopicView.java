package io.flowrelay.pubsub;

import java.util.concurrent.Flow;

/**
 * {@link Topic}: a broker and a validated exact name; no state of its own.
 *
 * @param <T> the message type
 */
final class TopicView<T> implements Topic<T> {

    private final BrokerImpl<T> broker;
    private final String name;

    TopicView(BrokerImpl<T> broker, String name) {
        this.broker = broker;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int publish(T message) {
        return broker.publish(name, message);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        broker.subscribe(name, subscriber);
    }

    @Override
    public TopicSubscription subscribe(Flow.Subscriber<? super T> subscriber, SubscribeOptions<? super T> options) {
        return broker.subscribe(name, subscriber, options);
    }

    @Override
    public int subscriberCount() {
        return broker.subscriberCount(name);
    }

    @Override
    public String toString() {
        return "Topic[" + name + "]";
    }
}
