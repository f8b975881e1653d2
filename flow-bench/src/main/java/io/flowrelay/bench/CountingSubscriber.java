package io.flowrelay.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The sink of every Flow-based scenario, the same for FlowRelay and its peers: requests
 * {@code prefetch} items, then replenishes in batches of half of it, sums what it receives (so
 * nothing can be optimised away) and opens a latch after {@code expected} items or a terminal
 * signal.
 */
public final class CountingSubscriber implements Flow.Subscriber<Integer> {

    private final long expected;
    private final int prefetch;
    private final int limit;
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private Flow.Subscription subscription;
    private long received;
    private int sinceRequest;
    private long sum;
    private volatile Throwable error;

    public CountingSubscriber(long expected, int prefetch) {
        this.expected = expected;
        this.prefetch = prefetch;
        this.limit = Math.max(1, prefetch / 2);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        subscribed.countDown();
        s.request(prefetch);
    }

    @Override
    public void onNext(Integer item) {
        sum += item;
        if (++received == expected) {
            done.countDown();
        }
        if (++sinceRequest == limit) {
            sinceRequest = 0;
            subscription.request(limit);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        error = throwable;
        done.countDown();
    }

    @Override
    public void onComplete() {
        done.countDown();
    }

    /** Waits for {@code onSubscribe}. */
    public void awaitSubscribed() throws InterruptedException, TimeoutException {
        if (!subscribed.await(30, TimeUnit.SECONDS)) {
            throw new TimeoutException("no onSubscribe within 30 s");
        }
    }

    /** Waits for all expected items; fails on an error, a short stream or a timeout. */
    public void await() throws Exception {
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new TimeoutException("received " + received + " of " + expected + " within 120 s");
        }
        if (error != null) {
            throw new IllegalStateException("stream failed after " + received + " items", error);
        }
        if (received != expected) {
            throw new IllegalStateException("stream ended after " + received + " of " + expected + " items");
        }
    }

    /** Cancels the subscription (after the run). */
    public void cancel() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    /** The sum of the received items (read after {@link #await()}). */
    public long sum() {
        return sum;
    }
}
