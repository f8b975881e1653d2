package io.flowrelay.queue;

import java.util.concurrent.Flow;

/**
 * Stands between the ready channel's delivery loop and a consumer: starts the visibility timer of
 * each delivery as it is handed over. The loop's subscription goes to the consumer unchanged.
 *
 * @param <T> the payload type
 */
final class TrackingSubscriber<T> implements Flow.Subscriber<Delivery<T>> {

    private final AckQueueImpl<T> queue;
    private final Flow.Subscriber<? super Delivery<T>> actual;

    TrackingSubscriber(AckQueueImpl<T> queue, Flow.Subscriber<? super Delivery<T>> actual) {
        this.queue = queue;
        this.actual = actual;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        actual.onSubscribe(s);
    }

    @Override
    public void onNext(Delivery<T> d) {
        queue.handedOver((JobDelivery<T>) d); // before the consumer can ack it
        actual.onNext(d);
    }

    @Override
    public void onError(Throwable throwable) {
        actual.onError(throwable);
    }

    @Override
    public void onComplete() {
        actual.onComplete();
    }
}
