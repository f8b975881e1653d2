package io.flowrelay.actor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/** A subscriber of {@link DeadLetters} that keeps every letter, in arrival order, and lets a test wait for them. */
final class DeadLetterCollector implements Flow.Subscriber<DeadLetter> {

    private final List<DeadLetter> letters = new ArrayList<>(); // guarded by this
    private final java.util.EnumMap<DeadLetter.Reason, Integer> counts = new java.util.EnumMap<>(DeadLetter.Reason.class);
    /** Completes with the publisher's terminal signal. */
    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Completes with the subscription, once it arrived. */
    final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription.complete(s);
        s.request(Long.MAX_VALUE);
    }

    @Override
    public synchronized void onNext(DeadLetter letter) {
        letters.add(letter);
        counts.merge(letter.reason(), 1, Integer::sum);
        notifyAll();
    }

    @Override
    public void onError(Throwable throwable) {
        done.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        done.complete(null);
    }

    /** Every letter so far. */
    synchronized List<DeadLetter> letters() {
        return new ArrayList<>(letters);
    }

    /** The letters so far that match. */
    synchronized List<DeadLetter> matching(Predicate<? super DeadLetter> p) {
        List<DeadLetter> out = new ArrayList<>();
        for (DeadLetter d : letters) {
            if (p.test(d)) {
                out.add(d);
            }
        }
        return out;
    }

    /** Waits until at least {@code n} letters match, and returns all that match. */
    synchronized List<DeadLetter> await(Predicate<? super DeadLetter> p, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ActorTestKit.WAIT_SECONDS);
        for (;;) {
            List<DeadLetter> m = matching(p);
            if (m.size() >= n) {
                return m;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0L) {
                fail("timed out waiting for " + n + " matching dead letters; have " + m.size() + " of " + letters);
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
    }

    /** Letters with this reason so far. */
    synchronized int count(DeadLetter.Reason reason) {
        return counts.getOrDefault(reason, 0);
    }

    /** Waits until at least {@code n} letters with this reason came (cheap: no scan). */
    synchronized void awaitCount(DeadLetter.Reason reason, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ActorTestKit.WAIT_SECONDS);
        while (count(reason) < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0L) {
                fail("timed out waiting for " + n + " dead letters " + reason + "; have " + count(reason));
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
    }

    /** Letters for this recipient with this reason. */
    static Predicate<DeadLetter> of(ActorRef<?> recipient, DeadLetter.Reason reason) {
        return d -> d.recipient() == recipient && d.reason() == reason;
    }

    /** Letters with this reason. */
    static Predicate<DeadLetter> reason(DeadLetter.Reason reason) {
        return d -> d.reason() == reason;
    }
}
