package io.flowrelay.internal;

import io.flowrelay.test.ManualExecutor;
import io.flowrelay.test.Race;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one drain loop, fed by the simplest source there is: a queue and an end flag. */
class DeliveryLoopTest {

    /** A trivial source: items from a queue; ends once {@code done} and the queue is empty. */
    static final class QueueLoop extends DeliveryLoop<Integer> {
        final ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
        final AtomicLong delivered = new AtomicLong();
        final AtomicInteger finished = new AtomicInteger();
        volatile boolean done;
        volatile Throwable error;
        volatile boolean fedInline;
        /** If set, the next onDelivered throws it (a source hook that fails), once. */
        final java.util.concurrent.atomic.AtomicReference<RuntimeException> failNextDelivered = new java.util.concurrent.atomic.AtomicReference<>();

        QueueLoop(Flow.Subscriber<? super Integer> subscriber, Executor executor, int batch) {
            super(subscriber, executor, batch);
        }

        /** A producer: publish, fence, wake (the no-lost-wake-up protocol). */
        void emit(int v) {
            queue.offer(v);
            VarHandle.fullFence();
            wakeIfIdle();
        }

        void complete() {
            done = true;
            schedule();
        }

        void error(Throwable t) {
            error = t;
            done = true;
            schedule();
        }

        @Override
        protected Integer pollNext() {
            return queue.poll();
        }

        @Override
        protected boolean spinsWhenIdle() {
            return !fedInline;
        }

        @Override
        protected boolean hasMore() {
            return !queue.isEmpty();
        }

        @Override
        protected boolean isExhausted() {
            return done && queue.isEmpty();
        }

        @Override
        protected Throwable terminalError() {
            return error;
        }

        @Override
        protected void onDelivered(long n) {
            delivered.addAndGet(n);
            RuntimeException ex = failNextDelivered.getAndSet(null);
            if (ex != null) {
                throw ex;
            }
        }

        @Override
        protected void onFinished() {
            finished.incrementAndGet();
        }
    }

    @Test
    void theConstructorChecksItsArguments() {
        TestSubscriber<Integer> ts = TestSubscriber.create();
        assertThrows(NullPointerException.class, () -> new QueueLoop(null, Runnable::run, 1));
        assertThrows(NullPointerException.class, () -> new QueueLoop(ts, null, 1));
        assertThrows(IllegalArgumentException.class, () -> new QueueLoop(ts, Runnable::run, 0));
    }

    @Test
    void onSubscribeComesFromTheLoopNotFromStart() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.create(0);
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.start();
        assertEquals(1, ex.pending());
        assertThrows(AssertionError.class, ts::subscription, "not yet: onSubscribe runs on the executor");
        ex.runAll();
        ts.awaitSubscribed().assertNotTerminated();
    }

    @Test
    void deliversNoMoreThanRequested() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.create(0);
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.start();
        ex.runAll();
        for (int i = 0; i < 10; i++) {
            loop.emit(i);
        }
        assertEquals(0, ex.pending(), "no demand: a producer does not wake the loop");
        assertEquals(0, ts.itemCount());
        ts.request(3);
        ex.runAll();
        assertEquals(List.of(0, 1, 2), ts.items());
        assertEquals(0L, loop.requested());
        ts.request(2);
        ex.runAll();
        assertEquals(List.of(0, 1, 2, 3, 4), ts.items());
        assertEquals(5L, loop.delivered.get());
        ts.assertNotTerminated();
    }

    @Test
    void completesExactlyOnceAfterTheItemsAndWithoutDemand() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.create(0);
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.start();
        ex.runAll();
        loop.emit(1);
        loop.emit(2);
        loop.complete();
        ex.runAll();
        ts.assertNotTerminated(); // items are left and nobody asked for them
        ts.request(1);
        ex.runAll();
        ts.assertNotTerminated();
        ts.request(1);
        ex.runAll();
        ts.assertCompleted(); // RS 1.4: the last item went, then completion without further demand
        assertEquals(List.of(1, 2), ts.items());
        assertEquals(1, loop.finished.get());

        loop.complete();
        loop.schedule();
        ts.request(5);
        loop.cancel();
        ex.runAll();
        ts.assertCompleted();
        assertEquals(1, loop.finished.get(), "onFinished once");
        assertTrue(loop.cancelled());
    }

    @Test
    void failsAfterTheItems() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.create(Long.MAX_VALUE);
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.start();
        loop.emit(1);
        IllegalStateException boom = new IllegalStateException("boom");
        loop.error(boom);
        ex.runAll();
        ts.assertFailedWith(boom);
        assertEquals(List.of(1), ts.items());
    }

    @Test
    void cancelStopsDeliveryWithoutATerminalSignal() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.create(0);
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.start();
        ex.runAll();
        for (int i = 0; i < 5; i++) {
            loop.emit(i);
        }
        ts.request(5);
        ts.subscription().cancel();
        ts.subscription().cancel(); // RS 3.7: idempotent
        ex.runAll();
        assertEquals(0, ts.itemCount());
        ts.assertNotTerminated();
        assertTrue(loop.cancelled());
        assertEquals(1, loop.finished.get());
        ts.request(1); // RS 3.6: a no-op now
        loop.complete();
        ex.runAll();
        assertEquals(0, ex.pending());
        ts.assertNotTerminated();
    }

    @Test
    void cancelInsideOnNextStopsAtOnce() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.<Integer>create(Long.MAX_VALUE).onNextHook((s, v) -> {
            if (v == 2) {
                s.cancel(); // arms the guard in TestSubscriber: a later onNext is a violation
            }
        });
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        for (int i = 0; i < 10; i++) {
            loop.queue.offer(i);
        }
        loop.start();
        ex.runAll();
        ts.assertNotTerminated();
        assertEquals(List.of(0, 1, 2), ts.items());
        assertEquals(7, loop.queue.size(), "what was not delivered stays with the source");
        assertEquals(1, loop.finished.get());
    }

    @Test
    void aNonPositiveRequestSignalsIllegalArgumentException() {
        for (long bad : new long[] {0L, -1L, Long.MIN_VALUE}) {
            ManualExecutor ex = new ManualExecutor();
            TestSubscriber<Integer> ts = TestSubscriber.create(2);
            QueueLoop loop = new QueueLoop(ts, ex, 16);
            loop.start();
            for (int i = 0; i < 5; i++) {
                loop.emit(i);
            }
            ex.runAll();
            ts.request(bad);
            ex.runAll();
            ts.assertFailed(IllegalArgumentException.class); // RS 3.9
            assertEquals(List.of(0, 1), ts.items());
            assertTrue(loop.cancelled());
        }
    }

    /** RS 3.6: after cancel, request(n <= 0) is a no-op too, even before the loop has run the cancel. */
    @Test
    void aNonPositiveRequestAfterCancelIsANoOp() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.create(0);
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.start();
        ex.runAll();
        ts.cancel();
        ts.request(0); // the loop has not seen the cancel yet
        ts.request(-1);
        ex.runAll();
        ts.assertNotTerminated();
        assertEquals(1, loop.finished.get());

        TestSubscriber<Integer> first = TestSubscriber.create(0);
        QueueLoop other = new QueueLoop(first, ex, 16);
        other.start();
        ex.runAll();
        first.request(0); // the bad request came first: it decides, a cancel after it changes nothing
        first.cancel();
        ex.runAll();
        first.assertFailed(IllegalArgumentException.class);
    }

    @Test
    void aTurnYieldsItsThreadAfterBatchItems() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.create(Long.MAX_VALUE);
        QueueLoop loop = new QueueLoop(ts, ex, 4);
        for (int i = 0; i < 10; i++) {
            loop.queue.offer(i);
        }
        loop.start();
        assertEquals(1, ex.executions());
        List<Integer> perTurn = new ArrayList<>();
        List<Integer> executions = new ArrayList<>();
        while (ex.runNext()) {
            perTurn.add(ts.itemCount());
            executions.add(ex.executions());
        }
        assertEquals(List.of(4, 8, 10), perTurn, "at most 4 items per turn");
        assertEquals(List.of(2, 3, 3), executions, "a full turn re-submits itself once; the last one leaves");
        loop.complete();
        assertEquals(4, ex.executions(), "woken once more to complete");
        ex.runAll();
        ts.assertCompleted();
    }

    @Test
    void aRejectedStartSignalsOnSubscribeThenOnError() {
        ManualExecutor ex = new ManualExecutor().reject();
        TestSubscriber<Integer> ts = TestSubscriber.create(1);
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.start(); // on this thread, since the executor will not run anything
        ts.assertFailed(RejectedExecutionException.class); // also checks onSubscribe came first (RS 1.9)
        assertEquals(1, loop.finished.get());
        assertTrue(loop.cancelled());
        loop.emit(1);
        ts.request(1);
        assertEquals(0, ts.itemCount());
        ts.assertFailed(RejectedExecutionException.class);
    }

    @Test
    void aRejectionLaterOnSignalsOnError() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.create(0);
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.start();
        ex.runAll();
        ex.reject();
        loop.emit(1);
        ts.request(1);
        ts.assertFailed(RejectedExecutionException.class);
        assertEquals(0, ts.itemCount());
        assertEquals(1, loop.finished.get());
    }

    @Test
    void aThrowingOnNextCancelsTheLoop() {
        ManualExecutor ex = new ManualExecutor();
        AtomicInteger calls = new AtomicInteger();
        Flow.Subscriber<Integer> broken = new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Integer item) {
                calls.incrementAndGet();
                throw new IllegalStateException("subscriber bug");
            }

            @Override
            public void onError(Throwable throwable) {
            }

            @Override
            public void onComplete() {
            }
        };
        QueueLoop loop = new QueueLoop(broken, ex, 16);
        loop.start();
        loop.emit(1);
        loop.emit(2);
        ex.runAll();
        assertEquals(1, calls.get(), "RS 2.13: treated as cancelled, no further onNext");
        assertTrue(loop.cancelled());
        assertEquals(1L, loop.delivered.get(), "the item it threw on counts as delivered");
        assertEquals(1, loop.finished.get());
        assertEquals(List.of(2), new ArrayList<>(loop.queue), "the rest stays with the source");
    }

    // ------------------------------------------------------------------ inline delivery (a fused hop)

    @Test
    void anIdleLoopIsTakenInlineAndItsSubscriberCalledOnTheCallersThread() {
        ManualExecutor ex = new ManualExecutor();
        List<Thread> threads = new ArrayList<>();
        TestSubscriber<Integer> ts = TestSubscriber.<Integer>create(0).onNextHook((t, v) -> threads.add(Thread.currentThread()));
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        assertEquals(0L, loop.acquireInline(), "not started: no onSubscribe yet");
        loop.start();
        ex.runAll();
        assertEquals(0L, loop.acquireInline(), "no demand");
        ts.request(3);
        ex.runAll();
        assertEquals(3L, loop.acquireInline());
        assertEquals(0L, loop.acquireInline(), "taken: a second producer does not get it");
        assertTrue(loop.deliverInline(10));
        assertTrue(loop.deliverInline(11));
        loop.releaseInline(2);
        assertEquals(List.of(10, 11), ts.items());
        assertEquals(List.of(Thread.currentThread(), Thread.currentThread()), threads);
        assertEquals(1L, loop.requested(), "the inline deliveries used the demand");
        assertEquals(0L, loop.delivered.get(), "inline items were never the source's");
        assertEquals(0, ex.pending(), "nothing was asked of the loop meanwhile: it stays idle");
        loop.emit(12);
        ex.runAll();
        assertEquals(List.of(10, 11, 12), ts.items(), "the loop runs as before once given back");
        ts.assertNoViolations().assertNotTerminated();
    }

    @Test
    void takingTheLoopInlineFirstDeliversWhatIsQueuedAndKeepsItOnlyIfThatEmptiedTheSource() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.create(0);
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.start();
        ex.runAll();
        for (int i = 0; i < 3; i++) {
            loop.queue.offer(i);
        }
        ts.request(2);
        assertEquals(1, ex.pending());
        assertEquals(0L, loop.acquireInline(), "a scheduled run owns the loop");
        ex.runAll();
        assertEquals(List.of(0, 1), ts.items());
        ts.request(5);
        ex.runAll(); // delivers 2, leaves with demand 4
        loop.queue.offer(3);
        loop.queue.offer(4); // queued behind the loop's back (no wake-up)
        assertEquals(2L, loop.acquireInline(), "the two queued items went first, on this thread");
        assertEquals(List.of(0, 1, 2, 3, 4), ts.items());
        assertEquals(5L, loop.delivered.get(), "queued items are reported as the loop's deliveries");
        assertTrue(loop.deliverInline(5));
        loop.releaseInline(1);
        assertEquals(1L, loop.requested());
        loop.queue.offer(6);
        loop.queue.offer(7);
        assertEquals(0L, loop.acquireInline(), "the demand ran out with an item still queued: not kept");
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), ts.items());
        assertEquals(0, ex.pending(), "no demand left: the loop sleeps");
        ts.request(1);
        ex.runAll();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), ts.items());
        ts.assertNoViolations();
    }

    @Test
    void requestsCancelAndTheEndThatComeWhileTheLoopIsHeldInlineRunAfterItsRelease() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.create(1);
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.start();
        ex.runAll();
        assertEquals(1L, loop.acquireInline());
        ts.request(4);
        loop.complete();
        assertEquals(0, ex.pending(), "held inline: nothing is submitted");
        assertTrue(loop.deliverInline(1));
        loop.releaseInline(1);
        assertEquals(1, ex.pending(), "the release runs what was asked meanwhile");
        ex.runAll();
        ts.assertCompleted();
        assertEquals(List.of(1), ts.items());

        TestSubscriber<Integer> ts2 = TestSubscriber.create(5);
        QueueLoop loop2 = new QueueLoop(ts2, ex, 16);
        loop2.start();
        ex.runAll();
        assertEquals(5L, loop2.acquireInline());
        ts2.cancel();
        assertFalse(loop2.deliverInline(1), "cancelled: the item is not taken");
        loop2.releaseInline(0);
        ex.runAll();
        assertEquals(1, loop2.finished.get());
        assertEquals(0, ts2.itemCount());
        assertFalse(ts2.isTerminated(), "a cancel ends without a terminal signal");
        assertEquals(0L, loop2.acquireInline(), "a finished loop is never taken again");
    }

    @Test
    void demandAloneThatCameWhileTheLoopWasHeldInlineNeedsNoRunButAQueuedItemDoes() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.create(1);
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.start();
        ex.runAll();
        assertEquals(1L, loop.acquireInline());
        assertTrue(loop.deliverInline(1));
        ts.request(3); // the subscriber asks for more while it is being delivered to inline
        loop.releaseInline(1);
        assertEquals(0, ex.pending(), "nothing to deliver: a run would find nothing");
        assertEquals(3L, loop.requested());
        loop.emit(2);
        ex.runAll();
        assertEquals(List.of(1, 2), ts.items(), "an item after the release wakes the loop as usual");

        assertEquals(2L, loop.acquireInline());
        ts.request(1);
        loop.queue.offer(3); // queued behind the holder's back
        loop.releaseInline(0);
        assertEquals(1, ex.pending(), "an item and demand for it: the release runs the loop");
        ex.runAll();
        assertEquals(List.of(1, 2, 3), ts.items());
        ts.assertNoViolations().assertNotTerminated();
    }

    @Test
    void aRequestToAnIdleInlineFedLoopWithNothingToDeliverRunsNothing() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.create(0);
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.fedInline = true;
        loop.start();
        ex.runAll();
        ts.request(2);
        assertEquals(0, ex.pending(), "no item: the run would find nothing");
        assertEquals(2L, loop.requested());
        loop.emit(1);
        assertEquals(1, ex.runAll(), "the item finds the demand and wakes the loop");
        assertEquals(List.of(1), ts.items());
        ts.request(1);
        assertEquals(0, ex.pending());
        loop.queue.offer(2);
        loop.queue.offer(3); // queued without a wake-up: the next request must run the loop
        ts.request(1);
        assertEquals(1, ex.runAll());
        assertEquals(List.of(1, 2, 3), ts.items());
        loop.complete();
        ex.runAll();
        ts.assertCompleted().assertNoViolations();

        QueueLoop spinning = new QueueLoop(TestSubscriber.create(0), ex, 16);
        spinning.start();
        ex.runAll();
        spinning.request(1);
        assertEquals(1, ex.pending(), "a loop fed by queueing runs on every request, as before");
        ex.runAll();
    }

    @Test
    void anOnNextThatThrowsInlineEndsTheSubscriptionWithOnError() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.<Integer>create(10).onNextHook((t, v) -> {
            throw new IllegalStateException("subscriber bug");
        });
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.start();
        ex.runAll();
        assertEquals(10L, loop.acquireInline());
        assertTrue(loop.deliverInline(1), "taken: the subscriber got it, and threw");
        assertTrue(loop.cancelled(), "RS 2.13");
        ts.assertFailed(IllegalStateException.class);
        assertEquals(1, loop.finished.get());
        assertFalse(loop.deliverInline(2), "over: no further onNext");
        loop.releaseInline(1); // a no-op now
        assertEquals(0, ex.pending());
        assertEquals(1, ts.itemCount());
    }

    @Test
    void aProducerThatTakesTheLoopInlineAndQueuesByTurnsKeepsOrderSerialCallsAndDemand() {
        for (int round = 0; round < 20; round++) {
            TestSubscriber<Integer> ts = TestSubscriber.create(0);
            QueueLoop loop = new QueueLoop(ts, DefaultExecutor.get(), 8);
            loop.start();
            ts.awaitSubscribed();
            int n = 20_000;
            int requesters = 2;
            AtomicInteger inline = new AtomicInteger();
            Race.Task[] tasks = new Race.Task[1 + requesters];
            tasks[0] = () -> {
                int i = 0;
                while (i < n) {
                    long room = loop.acquireInline();
                    long sent = 0L;
                    while (sent < room && i < n && (i & 7) != 7) { // every eighth item goes through the queue
                        assertTrue(loop.deliverInline(i++));
                        sent++;
                    }
                    if (room != 0L) {
                        inline.addAndGet((int) sent);
                        loop.releaseInline(sent);
                    }
                    if (i < n) {
                        loop.emit(i++);
                    }
                }
            };
            for (int r = 0; r < requesters; r++) {
                tasks[1 + r] = () -> {
                    for (int i = 0; i < n / requesters; i++) {
                        ts.request(1);
                        if ((i & 63) == 0) {
                            Thread.yield();
                        }
                    }
                };
            }
            Race.race(tasks);
            ts.awaitCount(n);
            ts.assertNoViolations(); // no overlapping onNext (RS 1.3), never more than requested (RS 1.1)
            List<Integer> items = ts.items();
            for (int i = 0; i < n; i++) {
                assertEquals(i, items.get(i), "inline items never overtake queued ones");
            }
            io.flowrelay.test.Await.until(() -> loop.requested() == 0L, () -> "demand used up, is " + loop.requested());
            loop.complete();
            ts.awaitTerminal().assertCompleted();
        }
    }

    // ------------------------------------------------------------------ under concurrency

    @Test
    void concurrentRequestsAndEmitsNeverOverlapOnNextNorExceedDemand() {
        for (int round = 0; round < 10; round++) {
            TestSubscriber<Integer> ts = TestSubscriber.create(0);
            QueueLoop loop = new QueueLoop(ts, DefaultExecutor.get(), 8);
            loop.start();
            ts.awaitSubscribed();
            int perEmitter = 20_000;
            int requesters = 4;
            Race.Task[] tasks = new Race.Task[2 + requesters];
            tasks[0] = () -> {
                for (int i = 0; i < perEmitter; i++) {
                    loop.emit(i);
                }
            };
            tasks[1] = () -> {
                for (int i = perEmitter; i < 2 * perEmitter; i++) {
                    loop.emit(i);
                }
            };
            for (int r = 0; r < requesters; r++) {
                tasks[2 + r] = () -> {
                    for (int i = 0; i < 2 * perEmitter / requesters; i++) {
                        ts.request(1);
                    }
                };
            }
            Race.race(tasks);
            ts.awaitCount(2 * perEmitter);
            ts.assertNoViolations(); // no overlapping onNext (RS 1.3), never more than requested (RS 1.1)
            assertEquals(2 * perEmitter, ts.itemCount());
            // the loop subtracts what it delivered after the batch, so just after the last onNext
            io.flowrelay.test.Await.until(() -> loop.requested() == 0L, () -> "demand used up, is " + loop.requested());
            List<Integer> items = ts.items();
            int nextLow = 0;
            int nextHigh = perEmitter;
            for (int v : items) {
                if (v < perEmitter) {
                    assertEquals(nextLow++, v, "the first emitter's order");
                } else {
                    assertEquals(nextHigh++, v, "the second emitter's order");
                }
            }
            loop.complete();
            ts.awaitTerminal().assertCompleted();
        }
    }

    @Test
    void theTerminalSignalComesExactlyOnceWhateverRacesForIt() {
        for (int round = 0; round < 300; round++) {
            TestSubscriber<Integer> ts = TestSubscriber.create(0);
            QueueLoop loop = new QueueLoop(ts, DefaultExecutor.get(), 2);
            loop.start();
            for (int i = 0; i < 5; i++) {
                loop.queue.offer(i);
            }
            ts.awaitSubscribed();
            Race.race(loop::complete, () -> ts.request(3), () -> ts.request(Long.MAX_VALUE), loop::schedule, loop::complete);
            ts.awaitTerminal();
            ts.assertCompleted();
            assertEquals(List.of(0, 1, 2, 3, 4), ts.items());
            io.flowrelay.test.Await.until(() -> loop.finished.get() == 1, "onFinished");
            assertFalse(loop.finished.get() > 1);
        }
    }

    @Test
    void asAFutureTheLoopCancelsItsSubscriptionAndRefusesToComplete() {
        ManualExecutor ex = new ManualExecutor();
        TestSubscriber<Integer> ts = TestSubscriber.create(0);
        QueueLoop loop = new QueueLoop(ts, ex, 16);
        loop.start();
        ex.runAll();
        assertFalse(loop.cancel(true), "a subscription is never cancelled as a task");
        assertTrue(loop.cancelled(), "but the Future's cancel cancels the subscription");
        assertFalse(loop.isCancelled(), "the task stays runnable: it still has to finish");
        ex.runAll();
        assertEquals(1, loop.finished.get());
        assertThrows(UnsupportedOperationException.class, () -> loop.complete(null));
        assertThrows(UnsupportedOperationException.class, () -> loop.completeExceptionally(new Exception("x")));
        assertFalse(loop.isDone());
    }

    @Test
    void onAPoolWhatEscapesATurnGoesToTheHandlerAndTheTaskDoesNotComplete() throws Exception {
        java.util.concurrent.LinkedBlockingQueue<Throwable> reported = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(1,
                java.util.concurrent.ForkJoinPool.defaultForkJoinWorkerThreadFactory, (t, e) -> reported.add(e), true);
        try {
            TestSubscriber<Integer> ts = TestSubscriber.create(Long.MAX_VALUE);
            QueueLoop loop = new QueueLoop(ts, pool, 16);
            loop.failNextDelivered.set(new IllegalStateException("a source hook failed"));
            loop.start();
            ts.awaitSubscribed();
            loop.emit(1);
            Throwable t = reported.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(t instanceof IllegalStateException, "reported to the pool's handler: " + t);
            assertFalse(loop.isDone(), "the task did not complete: a pool may run it again");
            assertFalse(loop.isCompletedAbnormally());
        } finally {
            pool.shutdownNow();
        }
    }
}
