package io.flowrelay.test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A {@link Flow.Subscriber} that records every signal, checks the rules a publisher must keep
 * toward it (RS 1.1, 1.3, 1.7, 2.5, 2.12) and lets a test wait for what it expects.
 *
 * <pre>{@code
 * TestSubscriber<Integer> ts = TestSubscriber.create();      // requests Long.MAX_VALUE
 * channel.subscribe(ts);
 * ts.awaitTerminal();
 * ts.assertCompleted();
 * assertEquals(List.of(1, 2, 3), ts.items());
 * }</pre>
 *
 * <p>Rule breaks are collected, not thrown at the publisher: {@link #assertNoViolations()} reports
 * them; every {@code assert*} terminal check calls it.
 *
 * @param <T> the item type
 */
public final class TestSubscriber<T> implements Flow.Subscriber<T> {

    private final long initialRequest;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicInteger inOnNext = new AtomicInteger();

    // guarded by lock
    private final List<T> items = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();
    private int subscriptions;
    private int completions;
    private long outstanding; // what this subscriber asked for and has not got yet

    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;
    private volatile Thread delivering;
    private volatile BiConsumer<TestSubscriber<T>, T> onNextHook;

    private TestSubscriber(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    /** A subscriber that requests {@link Long#MAX_VALUE} in {@code onSubscribe}. */
    public static <T> TestSubscriber<T> create() {
        return new TestSubscriber<>(Long.MAX_VALUE);
    }

    /** A subscriber that requests {@code initialRequest} in {@code onSubscribe} (nothing if 0). */
    public static <T> TestSubscriber<T> create(long initialRequest) {
        return new TestSubscriber<>(initialRequest);
    }

    /**
     * Runs {@code hook} inside every {@code onNext}, after the item was recorded (on the delivering
     * thread: the hook may request or cancel). Set it before subscribing.
     */
    public TestSubscriber<T> onNextHook(BiConsumer<TestSubscriber<T>, T> hook) {
        this.onNextHook = hook;
        return this;
    }

    // ------------------------------------------------------------------ Flow.Subscriber

    @Override
    public void onSubscribe(Flow.Subscription s) {
        lock.lock();
        try {
            if (s == null) {
                violations.add("onSubscribe(null)");
            }
            if (++subscriptions > 1) {
                violations.add("onSubscribe called " + subscriptions + " times");
                s.cancel(); // RS 2.5
                return;
            }
            subscription = s;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (initialRequest > 0L) {
            request(initialRequest);
        }
    }

    @Override
    public void onNext(T item) {
        if (inOnNext.getAndIncrement() != 0) {
            violation("concurrent onNext (RS 1.3) with " + item);
        }
        delivering = Thread.currentThread();
        try {
            lock.lock();
            try {
                if (subscriptions == 0) {
                    violations.add("onNext before onSubscribe (RS 1.9): " + item);
                }
                if (completions + errors.size() != 0) {
                    violations.add("onNext after a terminal signal (RS 1.7): " + item);
                }
                if (cancelled) {
                    violations.add("onNext after cancel() returned on the delivering thread: " + item);
                }
                if (item == null) {
                    violations.add("onNext(null) (RS 2.13)");
                }
                if (outstanding != Long.MAX_VALUE) {
                    if (--outstanding < 0L) {
                        violations.add("more onNext than requested (RS 1.1): " + item);
                    }
                }
                items.add(item);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            BiConsumer<TestSubscriber<T>, T> hook = onNextHook;
            if (hook != null) {
                hook.accept(this, item);
            }
        } finally {
            delivering = null;
            inOnNext.decrementAndGet();
        }
    }

    @Override
    public void onError(Throwable throwable) {
        lock.lock();
        try {
            if (subscriptions == 0) {
                violations.add("onError before onSubscribe (RS 1.9): " + throwable);
            }
            if (completions + errors.size() != 0) {
                violations.add("second terminal signal (RS 1.7): onError(" + throwable + ")");
            }
            errors.add(throwable);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onComplete() {
        lock.lock();
        try {
            if (subscriptions == 0) {
                violations.add("onComplete before onSubscribe (RS 1.9)");
            }
            if (completions + errors.size() != 0) {
                violations.add("second terminal signal (RS 1.7): onComplete");
            }
            completions++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void violation(String what) {
        lock.lock();
        try {
            violations.add(what);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ driving

    /** Requests {@code n} more (any value, also invalid ones) from the subscription. */
    public void request(long n) {
        lock.lock();
        try {
            if (n > 0L) {
                long o = outstanding + n;
                outstanding = o < 0L ? Long.MAX_VALUE : o;
            }
        } finally {
            lock.unlock();
        }
        subscription().request(n);
    }

    /**
     * Cancels the subscription. Called from inside {@code onNext}, it arms a guard: any later
     * {@code onNext} is a violation (the delivering thread itself saw the cancel return). From
     * another thread, items already on their way may still come (RS 3.12 says "eventually").
     */
    public void cancel() {
        subscription().cancel();
        if (Thread.currentThread() == delivering) {
            cancelled = true;
        }
    }

    /** The subscription; fails if {@code onSubscribe} has not come. */
    public Flow.Subscription subscription() {
        Flow.Subscription s = subscription;
        if (s == null) {
            fail("no onSubscribe yet");
        }
        return s;
    }

    // ------------------------------------------------------------------ waiting

    /** Waits for {@code onSubscribe}. */
    public TestSubscriber<T> awaitSubscribed() {
        awaitState(() -> subscriptions > 0, "onSubscribe");
        return this;
    }

    /** Waits until at least {@code n} items have come. */
    public TestSubscriber<T> awaitCount(int n) {
        awaitState(() -> items.size() >= n, n + " items");
        return this;
    }

    /** Waits for {@code onComplete} or {@code onError}. */
    public TestSubscriber<T> awaitTerminal() {
        awaitState(() -> completions + errors.size() > 0, "a terminal signal");
        return this;
    }

    private void awaitState(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Await.TIMEOUT.toNanos();
        lock.lock();
        try {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0L) {
                    fail("timed out after " + Await.TIMEOUT + " waiting for " + what + "; " + describe());
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ reading

    /** A snapshot of the items received so far, in order. */
    public List<T> items() {
        lock.lock();
        try {
            return new ArrayList<>(items);
        } finally {
            lock.unlock();
        }
    }

    public int itemCount() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }

    public int completions() {
        lock.lock();
        try {
            return completions;
        } finally {
            lock.unlock();
        }
    }

    public List<Throwable> errors() {
        lock.lock();
        try {
            return new ArrayList<>(errors);
        } finally {
            lock.unlock();
        }
    }

    public boolean isTerminated() {
        lock.lock();
        try {
            return completions + errors.size() > 0;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ asserting

    /** No rule of the Flow protocol was broken toward this subscriber. */
    public TestSubscriber<T> assertNoViolations() {
        lock.lock();
        try {
            if (!violations.isEmpty()) {
                fail("protocol violations: " + violations + "; " + describe());
            }
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** Exactly one {@code onComplete}, no {@code onError}, no rule broken. */
    public TestSubscriber<T> assertCompleted() {
        assertNoViolations();
        lock.lock();
        try {
            assertEquals(1, completions, () -> "onComplete count; " + describe());
            assertEquals(0, errors.size(), () -> "onError count; " + describe());
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** Exactly one {@code onError}, of type {@code type}, no {@code onComplete}; returns the error. */
    public <E extends Throwable> E assertFailed(Class<E> type) {
        assertNoViolations();
        lock.lock();
        try {
            assertEquals(0, completions, () -> "onComplete count; " + describe());
            assertEquals(1, errors.size(), () -> "onError count; " + describe());
            return assertInstanceOf(type, errors.get(0), () -> "error type; " + describe());
        } finally {
            lock.unlock();
        }
    }

    /** Exactly one {@code onError} with this very throwable. */
    public TestSubscriber<T> assertFailedWith(Throwable expected) {
        Throwable t = assertFailed(Throwable.class);
        assertSame(expected, t, () -> "onError argument; " + describe());
        return this;
    }

    /** No terminal signal so far, no rule broken. */
    public TestSubscriber<T> assertNotTerminated() {
        assertNoViolations();
        lock.lock();
        try {
            assertEquals(0, completions + errors.size(), () -> "terminal signals; " + describe());
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** The state, for failure messages. */
    public String describe() {
        lock.lock();
        try {
            String shown = items.size() <= 20 ? items.toString() : items.subList(0, 10) + "...(" + items.size() + " items)";
            return "TestSubscriber[items=" + shown + ", onSubscribe=" + subscriptions + ", onComplete=" + completions
                    + ", onError=" + errors + ", violations=" + violations + "]";
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
