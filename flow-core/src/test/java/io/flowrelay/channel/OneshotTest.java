package io.flowrelay.channel;

import io.flowrelay.test.Await;
import io.flowrelay.test.ManualExecutor;
import io.flowrelay.test.Race;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Oneshot}: set once, the same outcome for every subscriber and every stage dependent. */
class OneshotTest {

    /** What a subscriber or a stage saw: the value, or the error (never both). */
    record Outcome(Object value, Throwable error) {
        static Outcome of(TestSubscriber<Integer> s) {
            s.awaitTerminal().assertNoViolations();
            if (!s.errors().isEmpty()) {
                assertEquals(List.of(), s.items(), "no item with an error");
                return new Outcome(null, s.errors().get(0));
            }
            assertEquals(1, s.completions());
            List<Integer> items = s.items();
            assertTrue(items.size() <= 1, () -> "at most one item: " + items);
            return new Outcome(items.isEmpty() ? null : items.get(0), null);
        }

        static Outcome of(CompletionStage<Integer> stage) {
            try {
                return new Outcome(stage.toCompletableFuture().get(10, TimeUnit.SECONDS), null);
            } catch (ExecutionException e) {
                Throwable t = e.getCause();
                return new Outcome(null, t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
            } catch (Exception e) {
                throw new AssertionError("stage did not complete: " + e, e);
            }
        }
    }

    @Test
    void racingCompletersHaveExactlyOneWinnerAndEveryoneSeesItsOutcome() {
        int threads = 8;
        for (int round = 0; round < 100; round++) {
            Oneshot<Integer> o = Channels.oneshot();
            List<TestSubscriber<Integer>> subs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                TestSubscriber<Integer> s = TestSubscriber.create();
                o.subscribe(s); // before the outcome
                subs.add(s);
            }
            ConcurrentLinkedQueue<TestSubscriber<Integer>> during = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<CompletionStage<Integer>> stages = new ConcurrentLinkedQueue<>();
            AtomicInteger winners = new AtomicInteger();
            AtomicReference<Outcome> won = new AtomicReference<>();
            RuntimeException[] errors = new RuntimeException[threads];
            for (int i = 0; i < threads; i++) {
                errors[i] = new RuntimeException("error " + i);
            }
            Race.race(threads, i -> {
                TestSubscriber<Integer> s = TestSubscriber.create();
                o.subscribe(s); // while the outcome is being decided
                during.add(s);
                stages.add(o.thenApply(v -> v)); // a dependent
                stages.add(o.whenComplete((v, e) -> { }));
                boolean w = i % 2 == 0 ? o.complete(i) : o.fail(errors[i]);
                if (w) {
                    winners.incrementAndGet();
                    won.set(i % 2 == 0 ? new Outcome(i, null) : new Outcome(null, errors[i]));
                }
                stages.add(o.toCompletableFuture());
            });
            assertEquals(1, winners.get(), "exactly one complete/fail returns true");
            assertTrue(o.isDone());
            assertFalse(o.complete(-1), "set once");
            assertFalse(o.fail(new RuntimeException("late")), "set once");
            TestSubscriber<Integer> after = TestSubscriber.create();
            o.subscribe(after);
            subs.addAll(during);
            subs.add(after);
            Outcome expected = won.get();
            for (TestSubscriber<Integer> s : subs) {
                assertEquals(expected, Outcome.of(s), "a subscriber");
            }
            stages.add(o);
            for (CompletionStage<Integer> st : stages) {
                assertEquals(expected, Outcome.of(st), "a stage");
            }
            Await.until(() -> o.subscriberCount() == 0, "finished subscribers to leave");
        }
    }

    @Test
    void theValueWaitsForDemandTheEndDoesNot() {
        ManualExecutor ex = new ManualExecutor();
        Oneshot<Integer> o = Channels.oneshot(ex);
        TestSubscriber<Integer> s = TestSubscriber.create(0);
        o.subscribe(s);
        ex.runAll();
        assertTrue(o.complete(42));
        ex.runAll();
        s.assertNotTerminated();
        assertEquals(List.of(), s.items());
        s.request(1);
        ex.runAll();
        s.assertCompleted();
        assertEquals(List.of(42), s.items());

        Oneshot<Integer> failed = Channels.oneshot(ex);
        TestSubscriber<Integer> f = TestSubscriber.create(0);
        failed.subscribe(f);
        ex.runAll();
        RuntimeException boom = new RuntimeException("boom");
        assertTrue(failed.fail(boom));
        ex.runAll();
        f.assertFailedWith(boom); // RS 1.4: no demand needed
    }

    @Test
    void completeWithNullCompletesEmpty() throws Exception {
        Oneshot<Void> o = Channels.oneshot();
        CompletionStage<String> dependent = o.thenApply(v -> "done with " + v);
        TestSubscriber<Void> s = TestSubscriber.create(0);
        o.subscribe(s);
        assertTrue(o.complete(null));
        assertFalse(o.complete(null));
        s.awaitTerminal().assertCompleted();
        assertEquals(List.of(), s.items(), "a Flow.Publisher has no null items: just onComplete");
        assertNull(o.toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals("done with null", dependent.toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    @Test
    void aFailedOneshotFailsItsStagesWithTheSameError() {
        Oneshot<Integer> o = Channels.oneshot();
        IllegalStateException boom = new IllegalStateException("boom");
        CompletionStage<Integer> recovered = o.exceptionally(e -> {
            assertSame(boom, e);
            return -1;
        });
        assertTrue(o.fail(boom));
        assertEquals(-1, recovered.toCompletableFuture().join());
        CompletionException e = assertThrows(CompletionException.class, () -> o.toCompletableFuture().join());
        assertSame(boom, e.getCause());
        AtomicReference<Throwable> seen = new AtomicReference<>();
        o.whenComplete((v, t) -> seen.set(t));
        assertSame(boom, seen.get(), "an already failed oneshot runs the dependent at once, with the error itself");
        TestSubscriber<Integer> s = TestSubscriber.create();
        o.subscribe(s);
        s.awaitTerminal().assertFailedWith(boom);
    }

    @Test
    void toCompletableFutureIsACopyThatCannotCompleteTheOneshot() throws Exception {
        Oneshot<Integer> o = Channels.oneshot();
        CompletableFuture<Integer> copy = o.toCompletableFuture();
        assertTrue(copy.complete(666), "the copy is the caller's");
        assertTrue(o.toCompletableFuture().cancel(true));
        o.toCompletableFuture().obtrudeValue(13);
        assertFalse(o.isDone(), "neither completing, cancelling nor obtruding a copy touches the oneshot");
        assertTrue(o.complete(7));
        assertEquals(7, o.toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(8, o.thenApply(v -> v + 1).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(666, copy.get(), "the copy keeps what its owner put in it");
        CompletionStage<Integer> dependent = o.thenApply(v -> v);
        dependent.toCompletableFuture().obtrudeValue(99);
        assertEquals(7, o.toCompletableFuture().join(), "a dependent's owner cannot change the oneshot either");
    }

    @Test
    void stagesComposeWithOtherStages() throws Exception {
        Oneshot<Integer> a = Channels.oneshot();
        Oneshot<Integer> b = Channels.oneshot();
        CompletionStage<Integer> sum = a.thenCombine(b, Integer::sum);
        CompletionStage<Integer> either = a.applyToEither(b, v -> v * 10);
        CompletionStage<Integer> composed = a.thenCompose(v -> b);
        b.complete(2);
        assertEquals(20, either.toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertFalse(sum.toCompletableFuture().isDone());
        a.complete(1);
        assertEquals(3, sum.toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(2, composed.toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    @Test
    void aCancelledSubscriberLeavesAndGetsNothing() {
        ManualExecutor ex = new ManualExecutor();
        Oneshot<Integer> o = Channels.oneshot(ex);
        TestSubscriber<Integer> s = TestSubscriber.create();
        o.subscribe(s);
        ex.runAll();
        assertEquals(1, o.subscriberCount());
        s.cancel();
        ex.runAll();
        assertEquals(0, o.subscriberCount());
        o.complete(1);
        ex.runAll();
        assertEquals(List.of(), s.items());
        s.assertNotTerminated();
    }

    /**
     * The TCK skips these rules for an at-most-one publisher (its tests need longer streams), so
     * they are checked here: RS 3.17 (pending demand up to Long.MAX_VALUE), 3.6/3.7 (request and
     * cancel after cancel are no-ops), 3.12 (no signal after cancel), 3.2/3.3 (synchronous
     * requests from onSubscribe and onNext, never answered on the caller's stack), 3.13 (a
     * cancelled subscriber is dropped).
     */
    @Test
    void theRulesTheTckSkipsForAOneItemPublisherHold() {
        Oneshot<Integer> o = Channels.oneshot();
        TestSubscriber<Integer> s = TestSubscriber.create(Long.MAX_VALUE);
        o.subscribe(s);
        s.awaitSubscribed();
        s.request(Long.MAX_VALUE); // RS 3.17: cumulative demand above Long.MAX_VALUE is not an error
        s.request(Long.MAX_VALUE);
        o.complete(1);
        s.awaitTerminal().assertCompleted();
        assertEquals(List.of(1), s.items());

        Oneshot<Integer> cancelled = Channels.oneshot();
        TestSubscriber<Integer> c = TestSubscriber.create(0);
        cancelled.subscribe(c);
        c.awaitSubscribed();
        c.cancel();
        c.request(1); // RS 3.6
        c.request(0); // RS 3.6: a no-op after cancel, not an error
        c.cancel(); // RS 3.7
        Await.until(() -> cancelled.subscriberCount() == 0, "the cancelled subscriber to leave");
        cancelled.complete(5);
        TestSubscriber<Integer> probe = TestSubscriber.create();
        cancelled.subscribe(probe);
        probe.awaitTerminal().assertCompleted(); // delivery went on for others: c would have had its turn
        c.assertNotTerminated(); // RS 3.12
        assertEquals(List.of(), c.items());

        Oneshot<Integer> sync = Channels.oneshot();
        sync.complete(7);
        AtomicInteger depth = new AtomicInteger();
        AtomicInteger deepest = new AtomicInteger();
        TestSubscriber<Integer> r = TestSubscriber.<Integer>create(0).onNextHook((ts, v) -> {
            deepest.accumulateAndGet(depth.incrementAndGet(), Math::max);
            ts.request(1); // RS 3.2: synchronously from onNext
            depth.decrementAndGet();
        });
        sync.subscribe(r);
        r.awaitSubscribed();
        r.request(1); // from the test thread; the item comes on the oneshot's executor
        r.awaitTerminal().assertCompleted();
        assertEquals(List.of(7), r.items());
        assertEquals(1, deepest.get(), "RS 3.3: onNext never re-entered through request");

        Oneshot<Integer> pending = Channels.oneshot();
        WeakReference<TestSubscriber<Integer>> ref = subscribeAndCancel(pending);
        Await.until(() -> {
            System.gc();
            return ref.get() == null;
        }, "RS 3.13: the cancelled subscriber to be dropped by a oneshot that is still pending");
    }

    private static WeakReference<TestSubscriber<Integer>> subscribeAndCancel(Oneshot<Integer> o) {
        TestSubscriber<Integer> s = TestSubscriber.create(0);
        o.subscribe(s);
        s.awaitSubscribed();
        s.cancel();
        return new WeakReference<>(s);
    }

    @Test
    void badInputGetsAClearTypedError() {
        Oneshot<Integer> o = Channels.oneshot();
        assertThrows(NullPointerException.class, () -> o.fail(null));
        assertThrows(NullPointerException.class, () -> o.subscribe(null)); // RS 1.9
        assertThrows(NullPointerException.class, () -> Channels.oneshot(null));
        assertFalse(o.isDone(), "a refused fail(null) decides nothing");
        for (long bad : new long[] {0L, -1L}) {
            TestSubscriber<Integer> s = TestSubscriber.create(0);
            o.subscribe(s);
            s.awaitSubscribed();
            s.request(bad);
            IllegalArgumentException e = s.awaitTerminal().assertFailed(IllegalArgumentException.class); // RS 3.9
            assertInstanceOf(IllegalArgumentException.class, e);
        }
        assertTrue(o.complete(1), "the oneshot is still sound");
        TestSubscriber<Integer> s = TestSubscriber.create();
        o.subscribe(s);
        s.awaitTerminal().assertCompleted();
        assertEquals(List.of(1), s.items());
    }
}
