package io.flowrelay.stress.mix;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscriber of the mix: requests in batches (re-requesting from onNext when a batch is used
 * up, as operators do), may cancel itself after some items, records what it got in order, and
 * checks the publisher's rules (RS 1.1 demand, 1.3 serial signals, 1.7 nothing after a terminal
 * signal, 1.9 onSubscribe first, one terminal signal).
 */
final class MixSubscriber implements Flow.Subscriber<Long> {

    private final String name;
    private final Ledger ledger;
    private final int batch;
    private final int cancelAfter;
    private final AtomicInteger active = new AtomicInteger();
    private final List<Long> items = new ArrayList<>();
    private final AtomicInteger terminals = new AtomicInteger();
    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;
    private volatile Throwable error;
    private long requested;
    private long received;

    /**
     * @param batch       items per request, {@code Long.MAX_VALUE}-style unbounded if 0
     * @param cancelAfter cancels itself after this many items, never if negative
     */
    MixSubscriber(String name, Ledger ledger, int batch, int cancelAfter) {
        this.name = name;
        this.ledger = ledger;
        this.batch = batch;
        this.cancelAfter = cancelAfter;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        enter("onSubscribe");
        if (subscription != null) {
            ledger.violation(name + ": onSubscribe twice");
        }
        subscription = s;
        long n = batch == 0 ? Long.MAX_VALUE : batch;
        synchronized (this) {
            requested = n;
        }
        exit();
        s.request(n);
    }

    @Override
    public void onNext(Long item) {
        enter("onNext");
        long more = 0;
        synchronized (this) {
            if (subscription == null) {
                ledger.violation(name + ": onNext before onSubscribe (RS 1.9)");
            }
            if (terminals.get() != 0) {
                ledger.violation(name + ": onNext after a terminal signal (RS 1.7)");
            }
            received++;
            if (requested != Long.MAX_VALUE && received > requested) {
                ledger.violation(name + ": " + received + " onNext for " + requested + " requested (RS 1.1)");
            }
            items.add(item);
            if (batch != 0 && received == requested) {
                requested += batch;
                more = batch;
            }
        }
        exit();
        if (cancelAfter >= 0 && received >= cancelAfter) {
            cancel();
        } else if (more != 0) {
            subscription.request(more);
        }
    }

    @Override
    public void onError(Throwable t) {
        enter("onError");
        error = t;
        terminal();
        exit();
    }

    @Override
    public void onComplete() {
        enter("onComplete");
        terminal();
        exit();
    }

    private void terminal() {
        if (terminals.incrementAndGet() != 1) {
            ledger.violation(name + ": two terminal signals (RS 1.7)");
        }
    }

    void cancel() {
        cancelled = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    private void enter(String signal) {
        if (active.getAndIncrement() != 0) {
            ledger.violation(name + ": " + signal + " overlapped another signal (RS 1.3)");
        }
    }

    private void exit() {
        active.decrementAndGet();
    }

    boolean isCancelled() {
        return cancelled;
    }

    boolean isSubscribed() {
        return subscription != null;
    }

    int terminals() {
        return terminals.get();
    }

    Throwable error() {
        return error;
    }

    synchronized List<Long> items() {
        return new ArrayList<>(items);
    }

    @Override
    public String toString() {
        return name;
    }
}
