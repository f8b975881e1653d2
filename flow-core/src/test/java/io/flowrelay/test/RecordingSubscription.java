package io.flowrelay.test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A hand-written upstream {@link Flow.Subscription}: records every {@code request(n)} and
 * {@code cancel()}, and optionally runs a hook on each request (to emit from the test).
 */
public final class RecordingSubscription implements Flow.Subscription {

    private final List<Long> requests = new ArrayList<>();
    private final AtomicLong total = new AtomicLong();
    private final AtomicInteger cancels = new AtomicInteger();
    private volatile LongConsumer onRequest;

    /** Runs {@code hook} after each {@code request(n)} was recorded, with {@code n}. */
    public RecordingSubscription onRequest(LongConsumer hook) {
        this.onRequest = hook;
        return this;
    }

    @Override
    public void request(long n) {
        synchronized (requests) {
            requests.add(n);
        }
        if (n > 0L) {
            total.addAndGet(n);
        }
        LongConsumer hook = onRequest;
        if (hook != null) {
            hook.accept(n);
        }
    }

    @Override
    public void cancel() {
        cancels.incrementAndGet();
    }

    /** Every {@code request(n)} argument so far, in call order. */
    public List<Long> requests() {
        synchronized (requests) {
            return new ArrayList<>(requests);
        }
    }

    /** The sum of all positive requests. */
    public long totalRequested() {
        return total.get();
    }

    public int cancels() {
        return cancels.get();
    }

    public boolean isCancelled() {
        return cancels.get() > 0;
    }
}
