package io.flowrelay.internal;

import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** First turns run from one task of the pool (actor spawns): each loop starts once, and none is stranded. */
class StartQueueTest {

    @Test
    void loopsStartedFromSeveralThreadsEachStartOnceOnThePoolAndDeliverInOrder() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            StartQueue queue = new StartQueue(pool);
            int threads = 3;
            int perThread = 2_000;
            List<List<DeliveryLoopTest.QueueLoop>> started = new ArrayList<>();
            List<List<TestSubscriber<Integer>>> subscribers = new ArrayList<>();
            AtomicInteger offPool = new AtomicInteger();
            for (int t = 0; t < threads; t++) {
                started.add(new ArrayList<>());
                subscribers.add(new ArrayList<>());
            }
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts[t] = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        TestSubscriber<Integer> s = TestSubscriber.<Integer>create().onNextHook((x, v) -> {
                            if (!(Thread.currentThread() instanceof ForkJoinWorkerThread w) || w.getPool() != pool) {
                                offPool.incrementAndGet();
                            }
                        });
                        DeliveryLoopTest.QueueLoop loop = new DeliveryLoopTest.QueueLoop(s, pool, 16);
                        loop.queue.offer(-1); // queued before the start: delivered by the first turn
                        loop.startVia(queue);
                        loop.emit(i);
                        started.get(id).add(loop);
                        subscribers.get(id).add(s);
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < perThread; i++) {
                    TestSubscriber<Integer> s = subscribers.get(t).get(i);
                    s.awaitCount(2).assertNotTerminated().assertNoViolations();
                    assertEquals(List.of(-1, i), s.items());
                    started.get(t).get(i).complete();
                    s.awaitTerminal().assertCompleted();
                }
            }
            assertEquals(0, offPool.get(), "every turn ran on the loops' pool");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void onceThePoolRefusesTheQueueEachLoopFailsAsIfSubmittedItself() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        StartQueue queue = new StartQueue(pool);
        TestSubscriber<Integer> before = TestSubscriber.create();
        new DeliveryLoopTest.QueueLoop(before, pool, 16).startVia(queue);
        before.awaitSubscribed(); // the queue's task has run
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        // the queue is idle: this start wakes it, the pool refuses it, the queue hands the loop back
        TestSubscriber<Integer> refused = TestSubscriber.create();
        new DeliveryLoopTest.QueueLoop(refused, pool, 16).startVia(queue);
        assertInstanceOf(RejectedExecutionException.class, refused.awaitTerminal().errors().get(0));
        // and from now on every loop is submitted on its own
        TestSubscriber<Integer> after = TestSubscriber.create();
        new DeliveryLoopTest.QueueLoop(after, pool, 16).startVia(queue);
        assertInstanceOf(RejectedExecutionException.class, after.awaitTerminal().errors().get(0));
        before.assertNotTerminated();
    }

    @Test
    void aLoopTheExecutorThrowsOnFailsAndTheQueueGoesOn() throws Exception {
        java.util.Queue<Throwable> uncaught = new java.util.concurrent.ConcurrentLinkedQueue<>();
        ForkJoinPool pool = new ForkJoinPool(2, ForkJoinPool.defaultForkJoinWorkerThreadFactory, (t, e) -> uncaught.add(e), true);
        try {
            java.util.concurrent.atomic.AtomicBoolean throwOnce = new java.util.concurrent.atomic.AtomicBoolean(true);
            IllegalStateException boom = new IllegalStateException("cannot submit");
            java.util.concurrent.Executor executor = task -> {
                if (task instanceof DeliveryLoopTest.QueueLoop && throwOnce.getAndSet(false)) {
                    throw boom;
                }
                pool.execute(task);
            };
            StartQueue queue = new StartQueue(executor);
            TestSubscriber<Integer> failed = TestSubscriber.create();
            new DeliveryLoopTest.QueueLoop(failed, executor, 16).startVia(queue);
            Throwable e = failed.awaitTerminal().errors().get(0);
            assertInstanceOf(RejectedExecutionException.class, e);
            assertEquals(boom, e.getCause());
            TestSubscriber<Integer> next = TestSubscriber.create();
            DeliveryLoopTest.QueueLoop loop = new DeliveryLoopTest.QueueLoop(next, executor, 16);
            loop.startVia(queue);
            loop.emit(7);
            assertEquals(List.of(7), next.awaitCount(1).items(), "the queue still runs");
            io.flowrelay.test.Await.until(() -> uncaught.contains(boom), "the error at the pool thread's handler");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The race of a start with the pool's refusal of the queue (the Dekker pair on
     * {@code refused}): each loop starts, normally or with the refusal, and none is left in the
     * queue unsignalled (awaitSubscribed would time out).
     */
    @Test
    void startsRacingThePoolsShutdownAreNeverStranded() throws Exception {
        for (int round = 0; round < 40; round++) {
            ForkJoinPool pool = new ForkJoinPool(2);
            StartQueue queue = new StartQueue(pool);
            List<TestSubscriber<Integer>> subs = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger made = new AtomicInteger();
            Thread[] ts = new Thread[2];
            for (int t = 0; t < ts.length; t++) {
                ts[t] = new Thread(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        TestSubscriber<Integer> s = TestSubscriber.create();
                        subs.add(s);
                        new DeliveryLoopTest.QueueLoop(s, pool, 16).startVia(queue);
                        made.incrementAndGet();
                    }
                });
                ts[t].start();
            }
            while (made.get() < 500) {
                Thread.onSpinWait();
            }
            pool.shutdown();
            for (Thread t : ts) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            int rejected = 0;
            for (TestSubscriber<Integer> s : subs) {
                s.awaitSubscribed().assertNoViolations();
                if (!s.errors().isEmpty()) {
                    assertInstanceOf(RejectedExecutionException.class, s.errors().get(0), "round " + round);
                    rejected++;
                }
            }
            assertEquals(4_000, subs.size());
            assertTrue(rejected < subs.size(), "round " + round + ": some started before the shutdown");
            pool.shutdownNow();
        }
    }

    /**
     * The queue's task does not give its thread way to the first turns it submitted while it
     * spins for more (StartQueue.Turns); on a pool of one thread nobody else can take them, so
     * they run only once the spin ends. Each must run: the spin is bounded, and the task leaves.
     * A start that comes later wakes the queue again.
     */
    @Test
    void onAPoolOfOneThreadTheFirstTurnsRunAfterTheQueuesSpin() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(1);
        try {
            StartQueue queue = new StartQueue(pool);
            for (int burst = 0; burst < 3; burst++) {
                List<TestSubscriber<Integer>> subs = new ArrayList<>();
                for (int i = 0; i < 1_000; i++) {
                    TestSubscriber<Integer> s = TestSubscriber.create();
                    subs.add(s);
                    DeliveryLoopTest.QueueLoop loop = new DeliveryLoopTest.QueueLoop(s, pool, 16);
                    loop.startVia(queue);
                    loop.emit(i);
                }
                for (int i = 0; i < subs.size(); i++) {
                    assertEquals(List.of(i), subs.get(i).awaitCount(1).assertNoViolations().items(), "burst " + burst);
                }
                io.flowrelay.test.Await.until(pool::isQuiescent, "the pool's thread idle between bursts");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
