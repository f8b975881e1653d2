package io.flowrelay.stress.support;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Flow.Subscriber} for concurrency tests: records every signal with atomics (so that a
 * broken publisher cannot hide a signal by racing) and flags every rule a publisher breaks toward
 * it. Never throws at the publisher.
 *
 * @param <T> the item type
 */
public final class SignalLog<T> implements Flow.Subscriber<T> {

    /** Two signals overlapped (RS 1.3). */
    public static final int OVERLAP = 1;
    /** A signal after onComplete/onError (RS 1.7). */
    public static final int AFTER_TERMINAL = 2;
    /** A signal before onSubscribe (RS 1.9). */
    public static final int BEFORE_SUBSCRIBE = 4;
    /** More onNext than requested (RS 1.1). */
    public static final int BEYOND_DEMAND = 8;
    /** onSubscribe twice (RS 2.12 seen from the publisher side). */
    public static final int SUBSCRIBED_TWICE = 16;
    /** A null item or throwable (RS 2.13). */
    public static final int NULL_SIGNAL = 32;
    /** Two terminal signals (RS 1.7). */
    public static final int TWO_TERMINALS = 64;

    private final long initialRequest;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger violations = new AtomicInteger();
    private final AtomicInteger subscribes = new AtomicInteger();
    private final AtomicInteger nexts = new AtomicInteger();
    private final AtomicInteger completes = new AtomicInteger();
    private final AtomicInteger errors = new AtomicInteger();
    private final AtomicLong requested = new AtomicLong();
    private final ConcurrentLinkedQueue<T> items = new ConcurrentLinkedQueue<>();
    private volatile Flow.Subscription subscription;
    private volatile Throwable error;

    private SignalLog(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    /** Requests {@link Long#MAX_VALUE} in onSubscribe. */
    public static <T> SignalLog<T> unbounded() {
        return new SignalLog<>(Long.MAX_VALUE);
    }

    /** Requests {@code n} in onSubscribe (nothing if 0). */
    public static <T> SignalLog<T> requesting(long n) {
        return new SignalLog<>(n);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        enter();
        if (s == null) {
            flag(NULL_SIGNAL);
        }
        if (subscribes.getAndIncrement() != 0) {
            flag(SUBSCRIBED_TWICE);
            exit();
            return;
        }
        subscription = s;
        exit();
        if (initialRequest > 0L) {
            request(initialRequest);
        }
    }

    @Override
    public void onNext(T item) {
        enter();
        if (subscribes.get() == 0) {
            flag(BEFORE_SUBSCRIBE);
        }
        if (isTerminated()) {
            flag(AFTER_TERMINAL);
        }
        if (item == null) {
            flag(NULL_SIGNAL);
        }
        long n = nexts.incrementAndGet();
        long r = requested.get();
        if (r != Long.MAX_VALUE && n > r) {
            flag(BEYOND_DEMAND);
        }
        items.add(item);
        exit();
    }

    @Override
    public void onError(Throwable t) {
        enter();
        terminal();
        if (t == null) {
            flag(NULL_SIGNAL);
        }
        error = t;
        errors.incrementAndGet();
        exit();
    }

    @Override
    public void onComplete() {
        enter();
        terminal();
        completes.incrementAndGet();
        exit();
    }

    private void terminal() {
        if (subscribes.get() == 0) {
            flag(BEFORE_SUBSCRIBE);
        }
        if (isTerminated()) {
            flag(TWO_TERMINALS);
        }
    }

    /** Adds to the recorded demand first (delivery may be synchronous), then requests. */
    public void request(long n) {
        if (n > 0L) {
            requested.accumulateAndGet(n, (a, b) -> a + b < 0L ? Long.MAX_VALUE : a + b);
        }
        subscription.request(n);
    }

    public void cancel() {
        subscription.cancel();
    }

    public Flow.Subscription subscription() {
        return subscription;
    }

    private void enter() {
        if (active.getAndIncrement() != 0) {
            flag(OVERLAP);
        }
    }

    private void exit() {
        active.decrementAndGet();
    }

    private void flag(int v) {
        violations.getAndUpdate(x -> x | v);
    }

    public int violations() {
        return violations.get();
    }

    public int nexts() {
        return nexts.get();
    }

    public int completes() {
        return completes.get();
    }

    public int errors() {
        return errors.get();
    }

    public int terminals() {
        return completes.get() + errors.get();
    }

    public boolean isTerminated() {
        return completes.get() + errors.get() != 0;
    }

    public boolean isSubscribed() {
        return subscribes.get() != 0;
    }

    public Throwable error() {
        return error;
    }

    public List<T> items() {
        return List.copyOf(items);
    }
}
