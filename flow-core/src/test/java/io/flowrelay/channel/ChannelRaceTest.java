package io.flowrelay.channel;

import io.flowrelay.test.Await;
import io.flowrelay.test.Forked;
import io.flowrelay.test.Race;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Channels under concurrent producers, consumers, closers and cancellers: nothing lost, nothing
 * duplicated, each producer's items in order at each consumer, exactly one terminal signal.
 */
class ChannelRaceTest {

    static final int PRODUCERS = 4;
    static final int PER_PRODUCER = 250_000;

    /** Item {@code seq} of producer {@code p}. */
    static int item(int p, int seq) {
        return p * PER_PRODUCER + seq;
    }

    /**
     * Checks, per consumer, that each producer's items come in send order, and, across
     * consumers, that no item comes twice. Not thread-safe per consumer: one per consumer.
     */
    static final class OrderCheck {
        private final int[] last = new int[PRODUCERS];
        private final AtomicIntegerArray seen;
        private final List<String> problems;
        int count;

        OrderCheck(AtomicIntegerArray seen, List<String> problems) {
            this.seen = seen;
            this.problems = problems;
            java.util.Arrays.fill(last, -1);
        }

        void accept(int v) {
            int p = v / PER_PRODUCER;
            int seq = v % PER_PRODUCER;
            if (seq <= last[p] && problems.size() < 10) {
                problems.add("producer " + p + ": " + seq + " after " + last[p]);
            }
            last[p] = seq;
            if (seen.getAndIncrement(v) != 0 && problems.size() < 10) {
                problems.add("duplicate " + v);
            }
            count++;
        }
    }

    static Race.Task[] producers(Channel<Integer> ch, int extra, Race.Task... others) {
        Race.Task[] tasks = new Race.Task[PRODUCERS + extra];
        for (int p = 0; p < PRODUCERS; p++) {
            int producer = p;
            tasks[p] = () -> {
                for (int seq = 0; seq < PER_PRODUCER; seq++) {
                    ch.send(item(producer, seq));
                }
            };
        }
        System.arraycopy(others, 0, tasks, PRODUCERS, extra);
        return tasks;
    }

    static void assertAllSeenOnce(AtomicIntegerArray seen) {
        for (int i = 0; i < seen.length(); i++) {
            if (seen.get(i) != 1) {
                fail("item " + i + " (producer " + i / PER_PRODUCER + ", seq " + i % PER_PRODUCER + ") was delivered "
                        + seen.get(i) + " times");
            }
        }
    }

    // ------------------------------------------------------------------ throughput races

    @ParameterizedTest(name = "{0} subscriber(s)")
    @ValueSource(ints = {1, 3})
    void manyProducersIntoCompetingSubscribersLoseNothing(int subscribers) {
        Channel<Integer> ch = Channels.bounded(256);
        AtomicIntegerArray seen = new AtomicIntegerArray(PRODUCERS * PER_PRODUCER);
        List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<TestSubscriber<Integer>> subs = new ArrayList<>();
        List<OrderCheck> checks = new ArrayList<>();
        for (int s = 0; s < subscribers; s++) {
            OrderCheck check = new OrderCheck(seen, problems);
            checks.add(check);
            int mode = s % 3; // unbounded demand, batches of 64 (asked again at 48), one at a time
            TestSubscriber<Integer> ts = TestSubscriber.<Integer>create(mode == 0 ? Long.MAX_VALUE : mode == 1 ? 64 : 1)
                    .onNextHook((sub, v) -> {
                        check.accept(v);
                        if (mode == 1 && check.count % 48 == 0) {
                            sub.request(48);
                        } else if (mode == 2) {
                            sub.request(1);
                        }
                    });
            subs.add(ts);
            ch.subscribe(ts);
        }
        Race.race(producers(ch, 0));
        ch.close();
        int total = 0;
        for (int s = 0; s < subscribers; s++) {
            subs.get(s).awaitTerminal().assertCompleted();
            total += checks.get(s).count;
        }
        assertEquals(List.of(), problems);
        assertEquals(PRODUCERS * PER_PRODUCER, total);
        assertAllSeenOnce(seen);
        assertNull(ch.poll());
        assertTrue(ch.isTerminated());
    }

    @Test
    void manyProducersIntoBlockingReceiversLoseNothing() {
        Channel<Integer> ch = Channels.bounded(256);
        AtomicIntegerArray seen = new AtomicIntegerArray(PRODUCERS * PER_PRODUCER);
        List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger producing = new AtomicInteger(PRODUCERS);
        AtomicInteger received = new AtomicInteger();
        Race.Task receiver = () -> {
            OrderCheck check = new OrderCheck(seen, problems);
            try {
                for (;;) {
                    check.accept(ch.receive());
                }
            } catch (ChannelClosedException closed) {
                assertNull(closed.getCause());
            }
            received.addAndGet(check.count);
        };
        Race.Task[] tasks = new Race.Task[PRODUCERS + 3];
        for (int p = 0; p < PRODUCERS; p++) {
            int producer = p;
            tasks[p] = () -> {
                for (int seq = 0; seq < PER_PRODUCER; seq++) {
                    ch.send(item(producer, seq));
                }
                if (producing.decrementAndGet() == 0) {
                    ch.close();
                }
            };
        }
        for (int r = 0; r < 3; r++) {
            tasks[PRODUCERS + r] = receiver;
        }
        Race.race(tasks);
        assertEquals(List.of(), problems);
        assertEquals(PRODUCERS * PER_PRODUCER, received.get());
        assertAllSeenOnce(seen);
    }

    // ------------------------------------------------------------------ close / fail races

    /** What the senders of one round got accepted, and what the consumers got. */
    private static final class Round {
        final Set<Integer> accepted = ConcurrentHashMap.newKeySet();
        final Set<Integer> refused = ConcurrentHashMap.newKeySet();
        final Map<Integer, CompletableFuture<Void>> async = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Integer> received = new ConcurrentLinkedQueue<>();

        /** Three producers (trySend, send, sendAsync) of {@code perProducer} items each, until the channel refuses. */
        Race.Task[] producers(Channel<Integer> ch, int perProducer) {
            return new Race.Task[] {
                () -> {
                    for (int i = 0; i < perProducer; i++) {
                        SendResult r = ch.trySend(i);
                        if (r == SendResult.OK) {
                            accepted.add(i);
                        } else if (r == SendResult.CLOSED) {
                            refused.add(i);
                            return;
                        } else {
                            i--; // FULL: try again
                            Thread.onSpinWait();
                        }
                    }
                },
                () -> {
                    for (int i = perProducer; i < 2 * perProducer; i++) {
                        try {
                            ch.send(i);
                            accepted.add(i);
                        } catch (ChannelClosedException e) {
                            refused.add(i);
                            return;
                        }
                    }
                },
                () -> {
                    for (int i = 2 * perProducer; i < 3 * perProducer; i++) {
                        CompletableFuture<Void> f = ch.sendAsync(i).toCompletableFuture();
                        async.put(i, f);
                        if (f.isCompletedExceptionally()) {
                            return;
                        }
                        if ((i & 15) == 0) { // keep the number pending bounded
                            try {
                                f.get(10, TimeUnit.SECONDS);
                            } catch (java.util.concurrent.ExecutionException closed) {
                                return; // settleAsync() checks it
                            }
                        }
                    }
                }
            };
        }

        /** Settles the async sends: each stage is done, normally (accepted) or with ChannelClosedException. */
        void settleAsync() throws Exception {
            for (Map.Entry<Integer, CompletableFuture<Void>> e : async.entrySet()) {
                CompletableFuture<Void> f = e.getValue();
                try {
                    f.get(10, TimeUnit.SECONDS);
                    accepted.add(e.getKey());
                } catch (java.util.concurrent.ExecutionException ex) {
                    assertInstanceOf(ChannelClosedException.class, ex.getCause());
                    refused.add(e.getKey());
                }
            }
        }

        /** Every accepted item came out exactly once (to a consumer, or left for poll()); no refused one did. */
        void check(Channel<Integer> ch, List<TestSubscriber<Integer>> subs) {
            List<Integer> out = new ArrayList<>(received);
            for (TestSubscriber<Integer> ts : subs) {
                out.addAll(ts.items());
            }
            for (Integer v; (v = ch.poll()) != null; ) {
                out.add(v);
            }
            Set<Integer> unique = new HashSet<>(out);
            assertEquals(out.size(), unique.size(), "an item came out twice");
            Set<Integer> lost = new HashSet<>(accepted);
            lost.removeAll(unique);
            assertEquals(Set.of(), lost, "accepted but never delivered nor left in the channel");
            Set<Integer> ghosts = new HashSet<>(unique);
            ghosts.removeAll(accepted);
            assertEquals(Set.of(), ghosts, "delivered but never accepted (refused: " + refused.size() + ")");
            assertTrue(ch.isTerminated());
        }
    }

    private static void spinFor(int spins) {
        for (int i = 0; i < spins; i++) {
            Thread.onSpinWait();
        }
    }

    @Test
    void closeRacingWithSendsAndDeliveries() throws Exception {
        for (int round = 0; round < 150; round++) {
            Channel<Integer> ch = Channels.bounded(8);
            Round r = new Round();
            List<TestSubscriber<Integer>> subs = List.of(TestSubscriber.create(), TestSubscriber.<Integer>create(4)
                    .onNextHook((s, v) -> {
                        if (s.itemCount() % 4 == 0) {
                            s.request(4);
                        }
                    }));
            subs.forEach(ch::subscribe);
            int delay = ThreadLocalRandom.current().nextInt(20_000);
            List<Race.Task> tasks = new ArrayList<>(List.of(r.producers(ch, 300)));
            tasks.add(() -> {
                try {
                    for (;;) {
                        r.received.add(ch.receive());
                    }
                } catch (ChannelClosedException e) {
                    assertNull(e.getCause());
                }
            });
            tasks.add(() -> {
                spinFor(delay);
                ch.close();
            });
            Race.race(tasks.toArray(new Race.Task[0]));
            r.settleAsync();
            for (TestSubscriber<Integer> ts : subs) {
                ts.awaitTerminal().assertCompleted();
            }
            r.check(ch, subs);
        }
    }

    @Test
    void failRacingWithSendsAndDeliveries() throws Exception {
        for (int round = 0; round < 150; round++) {
            Channel<Integer> ch = Channels.bounded(8);
            IllegalStateException boom = new IllegalStateException("boom " + round);
            Round r = new Round();
            List<TestSubscriber<Integer>> subs = List.of(TestSubscriber.create(), TestSubscriber.create());
            subs.forEach(ch::subscribe);
            int delay = ThreadLocalRandom.current().nextInt(20_000);
            List<Race.Task> tasks = new ArrayList<>(List.of(r.producers(ch, 300)));
            tasks.add(() -> {
                try {
                    for (;;) {
                        r.received.add(ch.receive());
                    }
                } catch (ChannelClosedException e) {
                    assertSame(boom, e.getCause());
                }
            });
            tasks.add(() -> {
                spinFor(delay);
                assertTrue(ch.fail(boom));
            });
            Race.race(tasks.toArray(new Race.Task[0]));
            r.settleAsync();
            for (TestSubscriber<Integer> ts : subs) {
                ts.awaitTerminal().assertFailedWith(boom);
            }
            r.check(ch, subs);
            assertSame(boom, ch.error());
        }
    }

    @Test
    void closeAndFailRacingSignalOneOutcome() {
        for (int round = 0; round < 500; round++) {
            Channel<Integer> ch = Channels.bounded(8);
            ch.trySend(1);
            TestSubscriber<Integer> ts = TestSubscriber.create();
            ch.subscribe(ts);
            IllegalStateException boom = new IllegalStateException("boom");
            AtomicInteger failed = new AtomicInteger();
            Race.race(ch::close, () -> {
                if (ch.fail(boom)) {
                    failed.incrementAndGet();
                }
            });
            ts.awaitTerminal();
            assertEquals(List.of(1), ts.items());
            if (failed.get() == 1) {
                ts.assertFailedWith(boom);
                assertSame(boom, ch.error());
            } else {
                ts.assertCompleted();
                assertNull(ch.error(), "fail() lost, so the channel closed normally");
            }
        }
    }

    @Test
    void everySubscriberSeesTheEndWhateverEmptiesTheChannel() {
        for (int round = 0; round < 300; round++) {
            Channel<Integer> ch = Channels.bounded(2);
            List<Integer> before = ChannelContractTest.fill(ch);
            TestSubscriber<Integer> idle = TestSubscriber.create(0);
            TestSubscriber<Integer> eager = TestSubscriber.<Integer>create(0);
            ch.subscribe(idle);
            ch.subscribe(eager);
            idle.awaitSubscribed();
            eager.awaitSubscribed();
            Forked<Void> sender = Forked.start("sender", () -> {
                ch.send(2);
                return null;
            });
            Await.parkedInChannel(sender.thread());
            List<Integer> taken = new ArrayList<>();
            Race.race(() -> sender.thread().interrupt(), ch::close, () -> {
                for (Integer v; (v = ch.poll()) != null; ) {
                    taken.add(v);
                }
            }, () -> eager.request(Long.MAX_VALUE));
            Await.until(sender::isDone, "the sender to return or throw");
            eager.awaitTerminal().assertCompleted();
            for (Integer v; (v = ch.poll()) != null; ) {
                taken.add(v);
            }
            taken.addAll(eager.items());
            // the idle subscriber asked for nothing, yet must learn that the channel ended (RS 1.4)
            idle.awaitTerminal().assertCompleted();
            assertEquals(List.of(), idle.items());
            taken.sort(null);
            assertTrue(taken.equals(before) || taken.equals(List.of(0, 1, 2)), () -> "taken " + taken);
        }
    }

    // ------------------------------------------------------------------ cancel races

    @Test
    void cancelInsideOnNextStopsDeliveryAndLeavesTheRestToOthers() {
        for (int round = 0; round < 100; round++) {
            Channel<Integer> ch = Channels.bounded(16);
            int stopAt = round % 40 + 1;
            // the other subscriber starts competing only now, so that the canceller surely gets stopAt items
            TestSubscriber<Integer> other = TestSubscriber.create(0);
            TestSubscriber<Integer> canceller = TestSubscriber.<Integer>create().onNextHook((s, v) -> {
                if (s.itemCount() == stopAt) {
                    other.request(Long.MAX_VALUE);
                    s.cancel(); // arms the guard: any later onNext is a violation
                }
            });
            ch.subscribe(other);
            other.awaitSubscribed();
            ch.subscribe(canceller);
            int n = 2000;
            Race.race(() -> {
                for (int i = 0; i < n; i += 2) {
                    ch.send(i);
                }
            }, () -> {
                for (int i = 1; i < n; i += 2) {
                    ch.send(i);
                }
            });
            ch.close();
            other.awaitTerminal().assertCompleted();
            Await.until(() -> ch.subscriberCount() == 0, "the cancelled subscription to leave");
            canceller.assertNotTerminated();
            assertEquals(stopAt, canceller.itemCount(), "no onNext after cancel() returned inside onNext");
            List<Integer> all = new ArrayList<>(canceller.items());
            all.addAll(other.items());
            for (Integer v; (v = ch.poll()) != null; ) {
                all.add(v);
            }
            all.sort(null);
            assertEquals(ChannelContractTest.range(0, n), all, "every item once: what the canceller left went to the other");
        }
    }

    @Test
    void cancelFromAnotherThreadWhileDeliveringLosesNothing() {
        for (int round = 0; round < 100; round++) {
            Channel<Integer> ch = Channels.bounded(16);
            TestSubscriber<Integer> victim = TestSubscriber.create();
            TestSubscriber<Integer> other = TestSubscriber.create();
            ch.subscribe(victim);
            ch.subscribe(other);
            victim.awaitSubscribed();
            int n = 2000;
            int delay = ThreadLocalRandom.current().nextInt(50_000);
            Race.race(() -> {
                for (int i = 0; i < n; i++) {
                    ch.send(i);
                }
            }, () -> {
                spinFor(delay);
                victim.cancel();
            });
            ch.close();
            other.awaitTerminal().assertCompleted();
            Await.until(() -> ch.subscriberCount() == 0, "the cancelled subscription to leave");
            victim.assertNoViolations();
            List<Integer> all = new ArrayList<>(victim.items());
            all.addAll(other.items());
            for (Integer v; (v = ch.poll()) != null; ) {
                all.add(v);
            }
            all.sort(null);
            assertEquals(ChannelContractTest.range(0, n), all, "every item once");
            ChannelContractTest.assertAscending(victim.items());
            ChannelContractTest.assertAscending(other.items());
        }
    }

    // ------------------------------------------------------------------ blocked senders

    @Test
    void aSenderBlockedOnAFullChannelIsReleasedByClose() {
        Channel<Integer> ch = Channels.bounded(2);
        ch.trySend(0);
        ch.trySend(1);
        Forked<Void> sender = Forked.start("sender", () -> {
            ch.send(2);
            return null;
        });
        Await.parkedInChannel(sender.thread());
        ch.close();
        ChannelClosedException e = assertInstanceOf(ChannelClosedException.class, sender.failure());
        assertNull(e.getCause());
        assertEquals(0, ch.poll());
        assertEquals(1, ch.poll());
        assertNull(ch.poll(), "the refused item was not enqueued");
        assertTrue(ch.isTerminated());
    }

    @Test
    void aSenderBlockedOnAFullChannelIsReleasedByInterrupt() throws Exception {
        Channel<Integer> ch = Channels.bounded(2);
        ch.trySend(0);
        ch.trySend(1);
        Forked<Void> sender = Forked.start("sender", () -> {
            ch.send(2);
            return null;
        });
        Await.parkedInChannel(sender.thread());
        sender.thread().interrupt();
        assertInstanceOf(InterruptedException.class, sender.failure());
        assertEquals(0, ch.poll());
        assertEquals(1, ch.poll());
        assertNull(ch.poll(), "the interrupted send's item was not enqueued");
        assertEquals(SendResult.OK, ch.trySend(3), "the abandoned waiter does not block later sends");
        assertEquals(SendResult.OK, ch.trySend(4));
        assertEquals(3, ch.receive());
        assertEquals(4, ch.receive());
    }

    @Test
    void anInterruptedSenderOnARendezvousChannelHandsNothingOver() {
        Channel<Integer> ch = Channels.rendezvous();
        Forked<Void> sender = Forked.start("sender", () -> {
            ch.send(1);
            return null;
        });
        Await.parkedInChannel(sender.thread());
        sender.thread().interrupt();
        assertInstanceOf(InterruptedException.class, sender.failure());
        assertNull(ch.poll(), "the item went back with its sender");
    }

    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(ints = {0, 2})
    void interruptRacingWithATakerEitherSendsOrRefusesTheItem(int capacity) {
        int sent = 0;
        int interrupted = 0;
        for (int round = 0; round < 200; round++) {
            Channel<Integer> ch = Channels.<Integer>builder().capacity(capacity).build();
            List<Integer> before = capacity == 0 ? List.of() : ChannelContractTest.fill(ch);
            Forked<Void> sender = Forked.start("sender", () -> {
                ch.send(-1);
                return null;
            });
            Await.parkedInChannel(sender.thread());
            List<Integer> taken = new ArrayList<>();
            Race.race(() -> sender.thread().interrupt(), () -> {
                Integer v = ch.poll();
                if (v != null) {
                    taken.add(v);
                }
            });
            Await.until(sender::isDone, "the sender to return or throw");
            for (Integer v; (v = ch.poll()) != null; ) {
                taken.add(v);
            }
            boolean delivered = taken.contains(-1);
            if (delivered) {
                sender.join(); // it counts as sent: send returned normally
                sent++;
            } else {
                assertInstanceOf(InterruptedException.class, sender.failure(), "not taken, so the send must have failed");
                interrupted++;
            }
            List<Integer> expected = new ArrayList<>(before);
            if (delivered) {
                expected.add(-1);
            }
            assertEquals(expected, taken);
        }
        assertEquals(200, sent + interrupted);
    }

    @Test
    void closeRacingWithBlockedSendersAndATaker() {
        for (int round = 0; round < 200; round++) {
            Channel<Integer> ch = Channels.bounded(2);
            List<Integer> before = ChannelContractTest.fill(ch);
            Forked<Void> a = Forked.start("sender-a", () -> {
                ch.send(10);
                return null;
            });
            Forked<Void> b = Forked.start("sender-b", () -> {
                ch.send(11);
                return null;
            });
            Await.parkedInChannel(a.thread());
            Await.parkedInChannel(b.thread());
            List<Integer> taken = new ArrayList<>();
            Race.race(ch::close, () -> {
                Integer v = ch.poll();
                if (v != null) {
                    taken.add(v);
                }
            });
            Await.until(() -> a.isDone() && b.isDone(), "both senders to finish");
            for (Integer v; (v = ch.poll()) != null; ) {
                taken.add(v);
            }
            assertEquals(before, taken.subList(0, before.size()));
            for (Forked<Void> s : List.of(a, b)) {
                int item = s == a ? 10 : 11;
                if (taken.contains(item)) {
                    s.join();
                } else {
                    assertInstanceOf(ChannelClosedException.class, s.failure());
                }
            }
            assertFalse(taken.size() > before.size() + 2);
            assertTrue(ch.isTerminated());
        }
    }
}
