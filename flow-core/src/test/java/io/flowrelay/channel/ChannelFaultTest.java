package io.flowrelay.channel;

import io.flowrelay.test.Await;
import io.flowrelay.test.Forked;
import io.flowrelay.test.Race;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults around a channel under load, each ending in a defined state with nothing lost silently:
 * a subscriber that throws (from onNext, from onSubscribe), an executor that starts refusing
 * work, and interrupts of blocked receivers racing a send. The single-threaded versions of these
 * are in DeliveryLoopTest and ChannelRaceTest; these run them with producers and competing
 * consumers at full speed.
 */
class ChannelFaultTest {

    static final int N = 20_000;

    /** Items of all consumers plus what is left in the channel: must be 0..n-1, each once. */
    static void assertEachOnce(int n, Channel<Integer> ch, List<Integer>... consumers) {
        List<Integer> all = new ArrayList<>();
        for (List<Integer> c : consumers) {
            all.addAll(c);
            ChannelContractTest.assertAscending(c);
        }
        for (Integer v; (v = ch.poll()) != null; ) {
            all.add(v);
        }
        all.sort(null);
        assertEquals(ChannelContractTest.range(0, n), all, "every item exactly once");
    }

    @Test
    void aSubscriberThatThrowsFromOnNextUnderLoadLosesNothing() {
        for (int round = 0; round < 20; round++) {
            Channel<Integer> ch = Channels.bounded(64);
            int throwAt = 1 + round * 17;
            AtomicInteger seen = new AtomicInteger();
            RuntimeException boom = new IllegalStateException("subscriber bug");
            TestSubscriber<Integer> thrower = TestSubscriber.<Integer>create().onNextHook((ts, v) -> {
                if (seen.incrementAndGet() == throwAt) {
                    throw boom;
                }
            });
            TestSubscriber<Integer> other = TestSubscriber.create();
            ch.subscribe(thrower);
            ch.subscribe(other);
            Race.race(2, p -> {
                for (int i = p; i < N; i += 2) {
                    ch.send(i);
                }
            });
            ch.close();
            other.awaitTerminal().assertCompleted();
            Await.until(() -> ch.subscriberCount() == 0, "the throwing subscription to leave");
            if (thrower.itemCount() >= throwAt) {
                // RS 2.13: the thrower is cancelled; its item counts as delivered (it had it)
                assertEquals(throwAt, thrower.itemCount(), "the thrower gets nothing after it threw");
                assertEquals(0, thrower.completions(), "no onComplete for a subscriber that threw");
            } else {
                thrower.assertCompleted(); // the other subscriber took the rest before it reached its throw
            }
            List<Integer> odd = new ArrayList<>();
            List<Integer> even = new ArrayList<>();
            for (List<Integer> c : List.of(thrower.items(), other.items())) {
                for (Integer v : c) {
                    (v % 2 == 0 ? even : odd).add(v);
                }
                List<Integer> p0 = new ArrayList<>(c);
                p0.removeIf(v -> v % 2 != 0);
                ChannelContractTest.assertAscending(p0);
            }
            List<Integer> all = new ArrayList<>(odd);
            all.addAll(even);
            for (Integer v; (v = ch.poll()) != null; ) {
                all.add(v);
            }
            all.sort(null);
            assertEquals(ChannelContractTest.range(0, N), all, "every item exactly once");
        }
    }

    @Test
    void aSubscriberThatThrowsFromOnSubscribeLeavesEveryItemToTheOthers() {
        Channel<Integer> ch = Channels.bounded(16);
        RuntimeException boom = new IllegalStateException("onSubscribe bug");
        TestSubscriber<Integer> other = TestSubscriber.create();
        ch.subscribe(other);
        ch.subscribe(new java.util.concurrent.Flow.Subscriber<Integer>() {
            @Override
            public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
                throw boom;
            }

            @Override
            public void onNext(Integer item) {
                throw new AssertionError("onNext after onSubscribe threw");
            }

            @Override
            public void onError(Throwable throwable) {
            }

            @Override
            public void onComplete() {
            }
        });
        Race.race(() -> {
            for (int i = 0; i < N; i++) {
                ch.send(i);
            }
            ch.close();
        });
        other.awaitTerminal().assertCompleted();
        assertEachOnce(N, ch, other.items());
    }

    @Test
    void anExecutorThatStartsRefusingEndsTheSubscriptionOnceAndLeavesTheRestQueued() {
        AtomicInteger budget = new AtomicInteger(5);
        AtomicInteger refused = new AtomicInteger();
        Executor refusing = task -> {
            if (budget.decrementAndGet() < 0) {
                refused.incrementAndGet();
                throw new RejectedExecutionException("executor saturated");
            }
            ForkJoinPool.commonPool().execute(task);
        };
        Channel<Integer> ch = Channels.<Integer>builder().capacity(1024).executor(refusing).batch(4).build();
        TestSubscriber<Integer> ts = TestSubscriber.create(8);
        ts.onNextHook((s, v) -> {
            if (s.itemCount() % 8 == 0) {
                s.request(8);
            }
        });
        ch.subscribe(ts);
        Race.race(() -> {
            for (int i = 0; i < 1000; i++) {
                assertSame(SendResult.OK, ch.trySend(i));
            }
        });
        ch.close(); // schedules the loop once more: refused now, unless it is still running
        ts.awaitTerminal().assertNoViolations();
        assertTrue(refused.get() > 0, "the executor refused work");
        if (!ts.errors().isEmpty()) {
            ts.assertFailed(RejectedExecutionException.class);
        } else {
            ts.assertCompleted(); // a running loop whose yield was refused goes on on its own thread
        }
        Await.until(() -> ch.subscriberCount() == 0, "the subscription to leave");
        assertEachOnce(1000, ch, ts.items());
    }

    @Test
    void anInterruptRacingASendEitherReceivesTheItemOrLeavesItInTheChannel() {
        for (Channel<Integer> ch : List.of(Channels.<Integer>bounded(2), Channels.<Integer>unbounded())) {
            for (int round = 0; round < 200; round++) {
                int item = round;
                Forked<Integer> receiver = Forked.start("receiver", ch::receive);
                Await.parkedInChannel(receiver.thread());
                Race.race(() -> ch.send(item), () -> receiver.thread().interrupt());
                Await.joined(receiver.thread());
                Integer got = null;
                try {
                    got = receiver.join();
                } catch (AssertionError e) {
                    assertInstanceOf(InterruptedException.class, e.getCause(), "only the interrupt may end the receive");
                }
                Integer left = ch.poll();
                assertTrue(got == null ^ left == null, "received, or left in the channel: exactly one");
                assertEquals(item, got != null ? got : left);
            }
        }
    }
}
