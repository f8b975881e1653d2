package io.flowrelay.actor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * A subscriber that records what it gets. It requests {@code initial} items at subscription, then
 * {@code replenish} more each time it received that many (0: only what the test asks for through
 * {@link #subscription}); {@link #unbounded()} requests everything.
 *
 * @param <T> item type
 */
final class RecordingSubscriber<T> implements Flow.Subscriber<T> {

    private final long initial;
    private final int replenish;
    private int sinceRequest;
    private final List<T> items = new ArrayList<>(); // guarded by this
    final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    /** Completes normally on onComplete, exceptionally with the error of onError. */
    final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile int signalsAfterTerminal;

    RecordingSubscriber(long initial) {
        this(initial, 0);
    }

    RecordingSubscriber(long initial, int replenish) {
        this.initial = initial;
        this.replenish = replenish;
    }

    /** Requests {@code batch} at a time, the next batch once the previous one has arrived. */
    static <T> RecordingSubscriber<T> inBatches(int batch) {
        return new RecordingSubscriber<>(batch, batch);
    }

    static <T> RecordingSubscriber<T> unbounded() {
        return new RecordingSubscriber<>(Long.MAX_VALUE);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (!subscription.complete(s)) {
            s.cancel();
            return;
        }
        if (initial > 0) {
            s.request(initial);
        }
    }

    @Override
    public void onNext(T item) {
        synchronized (this) {
            if (done.isDone()) {
                signalsAfterTerminal++;
            }
            items.add(item);
        }
        if (replenish > 0 && ++sinceRequest == replenish) {
            sinceRequest = 0;
            subscription.join().request(replenish);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        if (!done.completeExceptionally(throwable)) {
            signalsAfterTerminal++;
        }
    }

    @Override
    public void onComplete() {
        if (!done.complete(null)) {
            signalsAfterTerminal++;
        }
    }

    synchronized int size() {
        return items.size();
    }

    synchronized List<T> items() {
        return new ArrayList<>(items);
    }

    /** onNext or terminal signals that came after the first terminal signal (must be 0). */
    int signalsAfterTerminal() {
        return signalsAfterTerminal;
    }
}
