package io.flowrelay.stress.blockhound;

import io.flowrelay.actor.ActorOptions;
import io.flowrelay.actor.ActorRef;
import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Behaviors;
import io.flowrelay.actor.Dispatcher;
import io.flowrelay.actor.KeyedPool;
import io.flowrelay.actor.PinnedDispatcher;
import io.flowrelay.actor.StageHandler;
import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import io.flowrelay.channel.SendResult;
import io.flowrelay.stress.support.SignalLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * No blocking call on a FlowRelay dispatcher thread in the non-blocking paths: channel
 * subscriptions (delivery, request, cancel, completion), actor tells and turns (actor to actor
 * on the shared pool and on a pinned dispatcher, a keyed pool), actor stages in a pipeline, and
 * shutdown. Blocking by contract is left out: send() on a full channel, a tell into a full BLOCK
 * mailbox, receive(), ask().join(). And one test proves that BlockHound does fire here.
 */
@Tag("blockhound")
class NonBlockingPathsTest {

    @BeforeEach
    void install() {
        Hound.install();
        Hound.CALLS.clear();
    }

    @AfterEach
    void noBlockingCalls() {
        List<String> calls = List.copyOf(Hound.CALLS);
        Hound.CALLS.clear();
        if (!calls.isEmpty()) {
            fail(calls.size() + " blocking calls on dispatcher threads, the first:\n" + calls.get(0));
        }
    }

    static void await(CountDownLatch latch, String what) throws InterruptedException {
        assertTrue(latch.await(30, TimeUnit.SECONDS), "not within 30 s: " + what);
    }

    static void until(java.util.function.BooleanSupplier c, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0L) {
                fail("not within 30 s: " + what);
            }
            LockSupport.parkNanos(100_000L);
        }
    }

    @Test
    void channelSubscriptionsDeliverRequestCancelAndCompleteWithoutBlocking() {
        Channel<Integer> ch = Channels.bounded(64);
        SignalLog<Integer> a = SignalLog.requesting(16);
        SignalLog<Integer> b = SignalLog.unbounded();
        ch.subscribe(a);
        ch.subscribe(b);
        until(() -> a.isSubscribed() && b.isSubscribed(), "subscriptions");
        int sent = 0;
        for (int i = 0; i < 50_000; i++) {
            if (ch.trySend(i) == SendResult.OK) {
                sent++;
            }
            if (i % 1000 == 0) {
                a.request(16);
            }
        }
        a.cancel();
        ch.close();
        until(b::isTerminated, "completion");
        int left = 0;
        while (ch.poll() != null) {
            left++;
        }
        assertEquals(sent, a.nexts() + b.nexts() + left);
        assertEquals(0, a.violations() | b.violations());
    }

    @Test
    void actorTellsAndTurnsOnTheSharedPoolAndAPinnedDispatcherDoNotBlock() throws Exception {
        try (PinnedDispatcher pinned = Dispatcher.pinned("hound", 2, 16)) {
            ActorSystem system = ActorSystem.create("hound");
            int n = 20_000;
            CountDownLatch done = new CountDownLatch(2);
            AtomicInteger got = new AtomicInteger();
            ActorRef<Integer> sink = system.spawn("sink", () -> (ctx, m) -> {
                if (got.incrementAndGet() == 2 * n) {
                    done.countDown();
                    done.countDown();
                }
                return Behaviors.same();
            }, ActorOptions.defaults().dispatcher(pinned));
            ActorRef<Integer> relayShared = system.spawn("relay-shared", () -> (ctx, m) -> {
                sink.tell(m); // actor to actor, shared pool -> pinned thread
                return Behaviors.same();
            });
            ActorRef<Integer> relayPinned = system.spawn("relay-pinned", () -> (ctx, m) -> {
                sink.tell(m); // pinned thread -> pinned thread
                return Behaviors.same();
            }, ActorOptions.defaults().dispatcher(pinned));
            for (int i = 0; i < n; i++) {
                relayShared.tell(i);
                relayPinned.tell(i);
            }
            await(done, "every message through the relays");
            KeyedPool<String, Integer, Integer> pool = system.keyedPool("keys", pinned, id -> new io.flowrelay.actor.PoolItem<>() {
                int total;

                @Override
                public Integer handle(Integer request) {
                    return total += request;
                }
            });
            pool.create("a");
            pool.create("b");
            List<Integer> replies = pool.sendAndReceive(List.of(Map.entry("a", 1), Map.entry("b", 2), Map.entry("a", 3)),
                    Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
            assertEquals(List.of(1, 2, 4), replies);
            pool.close();
            assertTrue(system.shutdown(Duration.ofSeconds(30)).toCompletableFuture().get(40, TimeUnit.SECONDS).completed());
        }
    }

    @Test
    void aStagePipelineRunsWithoutBlocking() throws Exception {
        ActorSystem system = ActorSystem.create("hound-stages");
        Flow.Processor<Integer, Integer> twice = system.stage("twice", () -> (StageHandler<Integer, Integer>) (in, out) -> {
            out.emit(in);
            out.emit(in);
        });
        Flow.Processor<Integer, Integer> odd = system.stage("odd", () -> (StageHandler<Integer, Integer>) (in, out) -> {
            if (in % 2 == 1) {
                out.emit(in);
            }
        });
        Channel<Integer> source = Channels.bounded(256);
        source.subscribe(twice);
        twice.subscribe(odd);
        SignalLog<Integer> sink = SignalLog.requesting(32);
        odd.subscribe(sink);
        until(sink::isSubscribed, "the sink's subscription");
        int n = 20_000;
        Thread producer = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                try {
                    source.send(i); // blocks the test's producer thread, never a dispatcher thread
                } catch (InterruptedException e) {
                    return;
                }
            }
            source.close();
        }, "test-producer");
        producer.start();
        long requested = 32;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!sink.isTerminated()) {
            if (System.nanoTime() - deadline > 0L) {
                producer.interrupt();
                fail("the pipeline stalled at " + sink.nexts() + " items; blocking calls seen: " + Hound.CALLS.size()
                        + (Hound.CALLS.isEmpty() ? "" : "\n" + Hound.CALLS.get(0)));
            }
            if (sink.nexts() >= requested - 16) {
                sink.request(32);
                requested += 32;
            }
            LockSupport.parkNanos(50_000L);
        }
        producer.join(30_000);
        assertEquals(n, sink.nexts(), "every odd item, twice");
        assertEquals(1, sink.completes());
        assertEquals(0, sink.violations());
        assertTrue(system.shutdown(Duration.ofSeconds(30)).toCompletableFuture().get(40, TimeUnit.SECONDS).completed());
    }

    @Test
    void blockHoundFiresOnABlockingCallInAnActorTurn() throws Exception {
        ActorSystem system = ActorSystem.create("hound-proof");
        CountDownLatch handled = new CountDownLatch(1);
        ActorRef<String> sleeper = system.spawn("sleeper", () -> (ctx, m) -> {
            try {
                Thread.sleep(1); // a blocking call on a dispatcher thread
            } finally {
                handled.countDown();
            }
            return Behaviors.same();
        });
        sleeper.tell("nap");
        await(handled, "the turn");
        until(() -> !Hound.CALLS.isEmpty(), "BlockHound to report the sleep");
        String call = Hound.CALLS.get(0);
        Hound.CALLS.clear(); // expected here: not a failure of this test
        assertTrue(call.contains("java.lang.Thread.sleep"), call);
        assertTrue(call.contains(" on flowrelay-"), call);
        assertTrue(call.contains("io.flowrelay.internal.DeliveryLoop.run"), call);
        assertFalse(system.shutdown(Duration.ofSeconds(30)).toCompletableFuture().get(40, TimeUnit.SECONDS).took().isNegative());
    }
}
