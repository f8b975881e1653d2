package io.flowrelay.queue;

import io.flowrelay.test.Await;
import io.flowrelay.test.Race;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At-least-once delivery: visibility timeouts, redelivery, stale acks, dead letters, competing
 * consumers, closing. Time is an injected clock and sweeps are explicit ({@code expireNow()}),
 * except where the periodic sweep itself is under test.
 */
class AckQueueTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);

    private AckQueue<String> manualQueue(int maxAttempts) {
        return AckQueue.<String>builder()
                .visibilityTimeout(Duration.ofSeconds(10))
                .maxAttempts(maxAttempts)
                .clock(now::get)
                .sweepInterval(Duration.ZERO) // only expireNow() sweeps
                .build();
    }

    private void advance(long nanos) {
        now.addAndGet(nanos);
    }

    // ------------------------------------------------------------------ redelivery

    @Test
    void aConsumerThatCrashesNeverAcksAndItsJobIsRedeliveredAfterTheTimeout() {
        AckQueue<String> q = manualQueue(5);
        TestSubscriber<Delivery<String>> crasher = TestSubscriber.create(1); // takes one job, then hangs
        q.subscribe(crasher);
        crasher.awaitSubscribed();
        long id = q.enqueue("resize:42");
        Delivery<String> first = crasher.awaitCount(1).items().get(0);
        assertEquals(id, first.id());
        assertEquals("resize:42", first.payload());
        assertEquals(1, first.attempt());
        assertEquals(1, q.stats().inFlight());

        TestSubscriber<Delivery<String>> survivor = TestSubscriber.create();
        q.subscribe(survivor);
        assertEquals(0, q.expireNow(), "not yet timed out");
        advance(10 * SECOND - 1);
        assertEquals(0, q.expireNow(), "one nanosecond short of the timeout");
        assertEquals(0, survivor.itemCount());
        advance(1);
        assertEquals(1, q.expireNow());

        Delivery<String> second = survivor.awaitCount(1).items().get(0);
        assertEquals(id, second.id());
        assertEquals("resize:42", second.payload());
        assertEquals(2, second.attempt());
        assertNotSame(first, second);
        assertTrue(second.ack());
        assertEquals(new QueueStats(1, 1, 1, 0, 0, 0), q.stats());
        assertEquals(1, crasher.itemCount());
    }

    @Test
    void anAckAfterRedeliveryIsHarmlessAndReturnsFalse() {
        AckQueue<String> q = manualQueue(5);
        TestSubscriber<Delivery<String>> slow = TestSubscriber.create(1);
        q.subscribe(slow);
        slow.awaitSubscribed();
        q.enqueue("job");
        Delivery<String> first = slow.awaitCount(1).items().get(0);
        advance(10 * SECOND);
        assertEquals(1, q.expireNow());
        TestSubscriber<Delivery<String>> other = TestSubscriber.create();
        q.subscribe(other);
        Delivery<String> second = other.awaitCount(1).items().get(0);

        assertFalse(first.ack(), "stale: the job's current attempt is 2");
        assertFalse(first.nack(), "stale nack changes nothing either");
        assertFalse(first.nack(Duration.ofSeconds(1)));
        assertEquals(1, q.stats().inFlight(), "attempt 2 is still in flight");
        assertEquals(1, q.stats().pending());
        assertTrue(second.ack());
        assertFalse(second.ack(), "idempotent");
        assertFalse(first.ack());
        assertEquals(new QueueStats(1, 1, 1, 0, 0, 0), q.stats());
        advance(100 * SECOND);
        assertEquals(0, q.expireNow(), "an acked job never comes back");
    }

    @Test
    void aLateAckBeforeTheRedeliveryIsPickedUpIsStaleToo() {
        AckQueue<String> q = manualQueue(5);
        TestSubscriber<Delivery<String>> slow = TestSubscriber.create(1);
        q.subscribe(slow);
        slow.awaitSubscribed();
        q.enqueue("job");
        Delivery<String> first = slow.awaitCount(1).items().get(0);
        advance(10 * SECOND);
        assertEquals(1, q.expireNow()); // visible again, nobody has demand
        assertFalse(first.ack(), "only the current attempt settles a job");
        slow.request(1);
        Delivery<String> second = slow.awaitCount(2).items().get(1);
        assertEquals(2, second.attempt());
        assertTrue(second.ack());
    }

    @Test
    void afterMaxAttemptsAJobGoesToTheDeadLetters() {
        AckQueue<String> q = manualQueue(3);
        TestSubscriber<DeadLetter<String>> dlq = TestSubscriber.create();
        q.deadLetters().subscribe(dlq);
        TestSubscriber<Delivery<String>> neverAcks = TestSubscriber.create();
        q.subscribe(neverAcks);
        neverAcks.awaitSubscribed();
        long id = q.enqueue("poison");
        for (int attempt = 1; attempt <= 3; attempt++) {
            Delivery<String> d = neverAcks.awaitCount(attempt).items().get(attempt - 1);
            assertEquals(attempt, d.attempt());
            advance(10 * SECOND);
            assertEquals(1, q.expireNow());
        }
        DeadLetter<String> dead = dlq.awaitCount(1).items().get(0);
        assertEquals(new DeadLetter<>(id, "poison", 3, DeadLetter.Reason.TIMED_OUT), dead);
        assertEquals(new QueueStats(1, 0, 2, 1, 0, 0), q.stats());
        assertFalse(neverAcks.items().get(2).ack(), "dead is final");
        advance(100 * SECOND);
        assertEquals(0, q.expireNow());
        assertEquals(3, neverAcks.itemCount());
    }

    @Test
    void nackRedeliversAtOnceAndANackedLastAttemptIsDeadLettered() {
        AckQueue<String> q = manualQueue(2);
        TestSubscriber<DeadLetter<String>> dlq = TestSubscriber.create();
        q.deadLetters().subscribe(dlq);
        TestSubscriber<Delivery<String>> worker = TestSubscriber.create();
        q.subscribe(worker);
        worker.awaitSubscribed();
        long id = q.enqueue("flaky");
        assertTrue(worker.awaitCount(1).items().get(0).nack());
        Delivery<String> second = worker.awaitCount(2).items().get(1);
        assertEquals(2, second.attempt());
        assertTrue(second.nack());
        assertEquals(new DeadLetter<>(id, "flaky", 2, DeadLetter.Reason.NACKED), dlq.awaitCount(1).items().get(0));
        assertEquals(new QueueStats(1, 0, 1, 1, 0, 0), q.stats());
    }

    @Test
    void aNackWithADelayMakesTheJobVisibleOnlyOnceTheDelayHasPassed() {
        AckQueue<String> q = manualQueue(5);
        TestSubscriber<Delivery<String>> worker = TestSubscriber.create();
        q.subscribe(worker);
        worker.awaitSubscribed();
        q.enqueue("later");
        Delivery<String> first = worker.awaitCount(1).items().get(0);
        assertTrue(first.nack(Duration.ofSeconds(3)));
        assertFalse(first.ack(), "nacked: no longer the current attempt");
        assertEquals(1, q.stats().inFlight(), "delayed jobs are counted in flight");
        advance(3 * SECOND - 1);
        assertEquals(0, q.expireNow());
        advance(1);
        assertEquals(1, q.expireNow());
        Delivery<String> second = worker.awaitCount(2).items().get(1);
        assertEquals(2, second.attempt());
        assertTrue(second.ack());
        assertEquals(new QueueStats(1, 1, 1, 0, 0, 0), q.stats());
    }

    @Test
    void aConsumerWhoseOnNextThrowsCountsAsCrashed() {
        AckQueue<String> q = manualQueue(5);
        TestSubscriber<Delivery<String>> thrower = TestSubscriber.<Delivery<String>>create().onNextHook((s, d) -> {
            throw new IllegalStateException("crash");
        });
        q.subscribe(thrower);
        thrower.awaitSubscribed();
        q.enqueue("job");
        thrower.awaitTerminal().assertFailed(IllegalStateException.class);
        TestSubscriber<Delivery<String>> next = TestSubscriber.create();
        q.subscribe(next);
        advance(10 * SECOND);
        assertEquals(1, q.expireNow());
        assertTrue(next.awaitCount(1).items().get(0).ack());
    }

    // ------------------------------------------------------------------ competing consumers

    @Test
    void fourConsumersTimes100kJobsEachJobIsAckedExactlyOnceAndNoneIsLost() {
        int jobs = 100_000;
        AckQueue<Integer> q = AckQueue.create(Duration.ofSeconds(30), 5);
        AtomicIntegerArray deliveries = new AtomicIntegerArray(jobs + 1);
        AtomicIntegerArray acks = new AtomicIntegerArray(jobs + 1);
        AckingWorker[] workers = new AckingWorker[4];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new AckingWorker(deliveries, acks);
            q.subscribe(workers[i]);
        }
        Race.race(2, p -> {
            for (int i = 0; i < jobs / 2; i++) {
                q.enqueue(p * (jobs / 2) + i);
            }
        });
        q.close();
        for (AckingWorker w : workers) {
            Await.latch(w.completed, "worker to complete");
        }
        assertTrue(q.isTerminated());
        int handled = 0;
        for (AckingWorker w : workers) {
            handled += w.handled.get();
        }
        assertEquals(jobs, handled);
        for (int id = 1; id <= jobs; id++) {
            assertEquals(1, acks.get(id), "job " + id + " acked exactly once");
            assertEquals(1, deliveries.get(id), "job " + id + " delivered once (no timeout passed)");
        }
        assertEquals(new QueueStats(jobs, jobs, 0, 0, 0, 0), q.stats());
    }

    @Test
    void acksNacksAndTimeoutsRacingSettleEveryJobExactlyOnce() {
        int jobs = 20_000;
        AckQueue<Integer> q = AckQueue.<Integer>builder()
                .visibilityTimeout(Duration.ofSeconds(10))
                .maxAttempts(3)
                .clock(now::get)
                .sweepInterval(Duration.ZERO)
                .build();
        AtomicIntegerArray acked = new AtomicIntegerArray(jobs + 1);
        AtomicIntegerArray dead = new AtomicIntegerArray(jobs + 1);
        q.deadLetters().subscribe(new Flow.Subscriber<DeadLetter<Integer>>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(DeadLetter<Integer> d) {
                dead.incrementAndGet((int) d.id());
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        });
        CountDownLatch completed = new CountDownLatch(4);
        for (int i = 0; i < 4; i++) {
            q.subscribe(new Flow.Subscriber<Delivery<Integer>>() {
                Flow.Subscription s;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    this.s = s;
                    s.request(16);
                }

                @Override
                public void onNext(Delivery<Integer> d) {
                    // jobs ending in 0 always "crash", in 1 are always nacked (both end as dead letters);
                    // the others fail now and then; meanwhile the sweep expires whatever is in flight
                    int policy = d.id() % 10 == 0 ? 0 : d.id() % 10 == 1 ? 1 : (int) ((d.id() * 31 + d.attempt()) % 5);
                    switch (policy) {
                        case 0: // "crash": neither ack nor nack; the sweep takes it back
                            break;
                        case 1:
                            d.nack();
                            break;
                        default:
                            if (d.ack()) {
                                acked.incrementAndGet((int) d.id());
                            }
                    }
                    s.request(1);
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onComplete() {
                    completed.countDown();
                }
            });
        }
        AtomicBoolean stop = new AtomicBoolean();
        Race.race(
                () -> {
                    for (int i = 0; i < jobs; i++) {
                        q.enqueue(i);
                    }
                    q.close();
                    Await.until(q::isTerminated, () -> "every job settled: " + q.stats());
                    stop.set(true);
                },
                () -> {
                    while (!stop.get()) { // time races with the consumers' acks
                        advance(10 * SECOND);
                        q.expireNow();
                        Thread.onSpinWait();
                    }
                });
        Await.latch(completed, "the consumers to complete");
        QueueStats stats = q.stats();
        assertEquals(jobs, stats.acked() + stats.deadLettered());
        assertEquals(0, stats.pending());
        assertEquals(0, stats.inFlight());
        // dead letters reach their subscriber through its own delivery loop: wait until all have
        Await.until(() -> sum(dead) == stats.deadLettered(), () -> "the dead-letter subscriber got " + sum(dead) + " of " + stats);
        for (int id = 1; id <= jobs; id++) {
            assertEquals(1, acked.get(id) + dead.get(id), "job " + id + " settled exactly once");
        }
        assertTrue(stats.deadLettered() >= jobs / 5 && stats.redelivered() > 0, () -> "the failures happened: " + stats);
    }

    private static long sum(AtomicIntegerArray a) {
        long n = 0;
        for (int i = 0; i < a.length(); i++) {
            n += a.get(i);
        }
        return n;
    }

    /** Requests 32, acks each delivery, asks for one more per delivery. */
    static final class AckingWorker implements Flow.Subscriber<Delivery<Integer>> {
        final AtomicIntegerArray deliveries;
        final AtomicIntegerArray acks;
        final AtomicInteger handled = new AtomicInteger();
        final CountDownLatch completed = new CountDownLatch(1);
        Flow.Subscription s;

        AckingWorker(AtomicIntegerArray deliveries, AtomicIntegerArray acks) {
            this.deliveries = deliveries;
            this.acks = acks;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.s = s;
            s.request(32);
        }

        @Override
        public void onNext(Delivery<Integer> d) {
            int id = (int) d.id();
            deliveries.incrementAndGet(id);
            if (d.ack()) {
                acks.incrementAndGet(id);
            }
            handled.incrementAndGet();
            s.request(1);
        }

        @Override
        public void onError(Throwable t) {
            throw new AssertionError("unexpected", t);
        }

        @Override
        public void onComplete() {
            completed.countDown();
        }
    }

    // ------------------------------------------------------------------ idempotent consumer

    @Test
    void theIdempotentConsumerDropsARedeliveryOfAnIdItAlreadyProcessed() throws Exception {
        AckQueue<String> q = manualQueue(5);
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        IdempotentConsumer<String> once = IdempotentConsumer.of(1024, d -> {
            runs.incrementAndGet();
            inHandler.countDown();
            assertTrue(release.await(10, TimeUnit.SECONDS));
        });
        TestSubscriber<Delivery<String>> worker = TestSubscriber.create(1);
        q.subscribe(worker);
        worker.awaitSubscribed();
        long id = q.enqueue("charge card");
        Delivery<String> first = worker.awaitCount(1).items().get(0);

        // the handler is slow: the visibility timeout passes while it runs, so the job is redelivered
        Thread slow = new Thread(() -> once.handle(first), "slow-handler");
        slow.start();
        Await.latch(inHandler, "the handler to start");
        advance(10 * SECOND);
        assertEquals(1, q.expireNow());
        release.countDown();
        Await.joined(slow);
        assertEquals(1, runs.get());
        assertTrue(once.isProcessed(id));
        assertEquals(1, q.stats().pending(), "its ack was stale: the redelivery is still out there");

        worker.request(1);
        Delivery<String> again = worker.awaitCount(2).items().get(1);
        assertEquals(2, again.attempt());
        assertEquals(IdempotentConsumer.Outcome.DUPLICATE, once.handle(again));
        assertEquals(1, runs.get(), "the handler did not run again");
        assertEquals(new QueueStats(1, 1, 1, 0, 0, 0), q.stats(), "the duplicate was acked");
        assertEquals(1, once.processed());
        assertEquals(1, once.duplicates());
    }

    @Test
    void aDuplicateThatArrivesWhileTheFirstIsRunningIsSettledByTheFirst() throws Exception {
        AckQueue<String> q = manualQueue(5);
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        IdempotentConsumer<String> once = IdempotentConsumer.of(16, d -> {
            runs.incrementAndGet();
            inHandler.countDown();
            assertTrue(release.await(10, TimeUnit.SECONDS));
        });
        TestSubscriber<Delivery<String>> a = TestSubscriber.create(1);
        q.subscribe(a);
        a.awaitSubscribed();
        q.enqueue("job");
        Delivery<String> first = a.awaitCount(1).items().get(0);
        Thread slow = new Thread(() -> once.handle(first), "slow-handler");
        slow.start();
        Await.latch(inHandler, "the handler to start");
        advance(10 * SECOND);
        assertEquals(1, q.expireNow());
        TestSubscriber<Delivery<String>> b = TestSubscriber.create();
        q.subscribe(b);
        Delivery<String> second = b.awaitCount(1).items().get(0);
        assertEquals(IdempotentConsumer.Outcome.IN_PROGRESS, once.handle(second));
        assertEquals(1, q.stats().pending());
        release.countDown();
        Await.joined(slow);
        assertEquals(1, runs.get());
        assertEquals(new QueueStats(1, 1, 1, 0, 0, 0), q.stats(), "the first call acked the current attempt");
    }

    @Test
    void aFailingHandlerNacksAndForgetsTheIdSoTheRetryRunsIt() {
        AckQueue<String> q = manualQueue(5);
        AtomicInteger runs = new AtomicInteger();
        IdempotentConsumer<String> once = IdempotentConsumer.of(16, d -> {
            if (runs.incrementAndGet() == 1) {
                throw new java.io.IOException("transient");
            }
        });
        TestSubscriber<Delivery<String>> worker = TestSubscriber.create();
        q.subscribe(worker);
        worker.awaitSubscribed();
        long id = q.enqueue("job");
        assertEquals(IdempotentConsumer.Outcome.FAILED, once.handle(worker.awaitCount(1).items().get(0)));
        assertFalse(once.isProcessed(id));
        assertEquals(IdempotentConsumer.Outcome.PROCESSED, once.handle(worker.awaitCount(2).items().get(1)));
        assertEquals(2, runs.get());
        assertEquals(1, once.failures());
        assertEquals(new QueueStats(1, 1, 1, 0, 0, 0), q.stats());
    }

    @Test
    void theIdempotentConsumerRemembersABoundedWindowOfIds() {
        AtomicInteger runs = new AtomicInteger();
        IdempotentConsumer<String> once = IdempotentConsumer.of(4, d -> runs.incrementAndGet());
        assertEquals(4, once.window());
        for (long id = 1; id <= 4; id++) {
            assertEquals(IdempotentConsumer.Outcome.PROCESSED, once.handle(new StubDelivery(id)));
        }
        assertEquals(IdempotentConsumer.Outcome.DUPLICATE, once.handle(new StubDelivery(1)));
        assertEquals(IdempotentConsumer.Outcome.PROCESSED, once.handle(new StubDelivery(5))); // forgets id 1
        assertFalse(once.isProcessed(1));
        assertTrue(once.isProcessed(2) && once.isProcessed(5));
        assertEquals(IdempotentConsumer.Outcome.PROCESSED, once.handle(new StubDelivery(1)), "forgotten: processed again");
        assertEquals(6, runs.get());
        assertThrows(IllegalArgumentException.class, () -> IdempotentConsumer.of(0, d -> { }));
    }

    /** A delivery outside any queue, for the idempotent consumer alone. */
    private record StubDelivery(long id) implements Delivery<String> {
        @Override
        public String payload() {
            return "p" + id;
        }

        @Override
        public int attempt() {
            return 1;
        }

        @Override
        public boolean ack() {
            return true;
        }

        @Override
        public boolean nack() {
            return true;
        }

        @Override
        public boolean nack(Duration delay) {
            return true;
        }
    }

    // ------------------------------------------------------------------ closing, timers, bad input

    @Test
    void closeStopsIntakeAndTerminatesOnceEveryJobIsSettled() {
        AckQueue<String> q = manualQueue(2);
        TestSubscriber<DeadLetter<String>> dlq = TestSubscriber.create();
        q.deadLetters().subscribe(dlq);
        TestSubscriber<Delivery<String>> worker = TestSubscriber.create();
        q.subscribe(worker);
        worker.awaitSubscribed();
        q.enqueue("ok");
        q.enqueue("poison");
        q.close();
        q.close(); // idempotent
        assertTrue(q.isClosed());
        assertThrows(IllegalStateException.class, () -> q.enqueue("late"));
        assertEquals(2, q.stats().enqueued(), "a refused job gets no id");

        List<Delivery<String>> got = worker.awaitCount(2).items();
        Delivery<String> ok = got.get(0).payload().equals("ok") ? got.get(0) : got.get(1);
        Delivery<String> poison = got.get(0) == ok ? got.get(1) : got.get(0);
        assertTrue(ok.ack());
        assertTrue(poison.nack()); // retry
        assertFalse(q.isTerminated(), "the poison job is pending");
        assertTrue(worker.awaitCount(3).items().get(2).nack()); // last attempt: dead
        worker.awaitTerminal().assertCompleted();
        assertTrue(q.isTerminated());
        assertEquals("poison", dlq.awaitCount(1).items().get(0).payload());
        dlq.awaitTerminal().assertCompleted();

        TestSubscriber<Delivery<String>> late = TestSubscriber.create();
        q.subscribe(late);
        late.awaitTerminal().assertFailed(IllegalStateException.class); // RS 1.9
    }

    @Test
    void closingAnIdleQueueTerminatesAtOnce() {
        AckQueue<String> q = manualQueue(5);
        TestSubscriber<Delivery<String>> worker = TestSubscriber.create();
        q.subscribe(worker);
        q.close();
        assertTrue(q.isTerminated());
        worker.awaitTerminal().assertCompleted();
    }

    @Test
    void thePeriodicSweepRedeliversOnItsOwnOnTheInjectedTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        timer.setRemoveOnCancelPolicy(true);
        try {
            AckQueue<String> q = AckQueue.<String>builder()
                    .visibilityTimeout(Duration.ofMillis(50))
                    .sweepInterval(Duration.ofMillis(5))
                    .timer(timer)
                    .build();
            assertEquals(1, timer.getQueue().size(), "the sweep runs on the given timer");
            TestSubscriber<Delivery<String>> crasher = TestSubscriber.create(1);
            q.subscribe(crasher);
            crasher.awaitSubscribed();
            q.enqueue("job");
            crasher.awaitCount(1);
            TestSubscriber<Delivery<String>> survivor = TestSubscriber.create();
            q.subscribe(survivor);
            Delivery<String> second = survivor.awaitCount(1).items().get(0); // no expireNow(): the sweep found it
            assertEquals(2, second.attempt());
            assertTrue(second.ack());
            q.close();
            assertTrue(q.isTerminated());
            Await.until(() -> timer.getQueue().isEmpty(), "the sweep to be cancelled at termination");
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void badInputIsRefused() {
        AckQueue<String> q = manualQueue(5);
        assertThrows(NullPointerException.class, () -> q.enqueue(null));
        assertThrows(NullPointerException.class, () -> q.subscribe(null));
        assertThrows(IllegalArgumentException.class, () -> AckQueue.builder().visibilityTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> AckQueue.builder().maxAttempts(0));
        assertThrows(IllegalArgumentException.class, () -> AckQueue.builder().sweepInterval(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> AckQueue.builder().batch(0));
        assertEquals(Duration.ofSeconds(10), q.visibilityTimeout());
        assertEquals(5, q.maxAttempts());

        TestSubscriber<Delivery<String>> worker = TestSubscriber.create();
        q.subscribe(worker);
        worker.awaitSubscribed();
        q.enqueue("job");
        Delivery<String> d = worker.awaitCount(1).items().get(0);
        assertThrows(NullPointerException.class, () -> d.nack(null));

        TestSubscriber<Delivery<String>> zero = TestSubscriber.create(0);
        q.subscribe(zero);
        zero.awaitSubscribed();
        zero.request(0); // RS 3.9
        zero.awaitTerminal().assertFailed(IllegalArgumentException.class);
        assertTrue(d.ack());
    }
}
