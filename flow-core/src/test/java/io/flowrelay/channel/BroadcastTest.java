package io.flowrelay.channel;

import io.flowrelay.test.Await;
import io.flowrelay.test.Forked;
import io.flowrelay.test.ManualExecutor;
import io.flowrelay.test.Race;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Broadcast}: fan-out of every item to every subscriber, the two slow-subscriber policies, closing, bad input. */
class BroadcastTest {

    /** How long the big runs may take on a loaded 2-core machine. */
    static final long LONG_WAIT_SECONDS = 60;

    /**
     * Counts and checks a stream of {@code 0, 1, 2, ...} (or, after a reported lag, the item that
     * follows the gap), requesting in batches of {@code batch} with 75 % replenishment. Under
     * LAG it is a {@link Broadcast.LagListener}: each reported gap must be exactly the jump in values.
     */
    static class SeqSubscriber implements Flow.Subscriber<Integer>, Broadcast.LagListener {
        final int batch;
        final int limit;
        final CountDownLatch done = new CountDownLatch(1);
        final Integer firstExpected;
        volatile String problem;
        volatile long received;
        volatile long lagged;
        volatile int last = -1;
        volatile Throwable error;
        private Flow.Subscription s;
        private long pendingLag;
        private int expected;
        private int sinceRequest;
        private boolean started;

        SeqSubscriber(int batch) {
            this(batch, 0);
        }

        /** {@code firstExpected}: the first item, or {@code null} for "whatever comes first" (a late subscriber). */
        SeqSubscriber(int batch, Integer firstExpected) {
            this.batch = batch;
            this.limit = batch - (batch >> 2);
            this.firstExpected = firstExpected;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.s = s;
            s.request(batch);
        }

        @Override
        public void onLagged(long missed) {
            if (missed <= 0) {
                problem("onLagged(" + missed + ")");
            }
            pendingLag += missed;
            lagged += missed;
        }

        @Override
        public void onNext(Integer v) {
            if (!started) {
                started = true;
                // a late subscriber does not know where it starts: it may even lag before its first item
                expected = firstExpected != null ? firstExpected : (int) (v - pendingLag);
            }
            long want = expected + pendingLag;
            if (v != want) {
                problem("expected " + want + " (after a reported lag of " + pendingLag + "), got " + v + " after " + received + " items");
            }
            pendingLag = 0;
            expected = v + 1;
            last = v;
            received++;
            if (++sinceRequest == limit) {
                sinceRequest = 0;
                s.request(limit);
            }
        }

        private void problem(String p) {
            if (problem == null) {
                problem = p;
            }
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }

        void await() throws InterruptedException {
            assertTrue(done.await(LONG_WAIT_SECONDS, TimeUnit.SECONDS), () -> "no terminal signal; received " + received + ", last " + last);
            assertNull(problem, problem);
            assertNull(error, () -> "onError: " + error);
        }
    }

    /** A subscriber that is a {@link Broadcast.LagListener} and records every signal, for the deterministic scenarios. */
    static class LagRecorder implements Flow.Subscriber<Integer>, Broadcast.LagListener {
        final List<String> events = new ArrayList<>();
        Flow.Subscription s;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.s = s;
        }

        @Override
        public void onLagged(long missed) {
            events.add("lagged " + missed);
        }

        @Override
        public void onNext(Integer v) {
            events.add("next " + v);
        }

        @Override
        public void onError(Throwable t) {
            events.add("error " + t);
        }

        @Override
        public void onComplete() {
            events.add("complete");
        }

        List<String> take() {
            List<String> out = new ArrayList<>(events);
            events.clear();
            return out;
        }
    }

    private static void sendAll(Broadcast<Integer> b, int from, int to) {
        for (int i = from; i < to; i++) {
            assertEquals(SendResult.OK, b.trySend(i), "trySend(" + i + ")");
        }
    }

    // ------------------------------------------------------------------ fan-out

    @Test
    void eightSubscribersEachGetAMillionItemsInOrder() throws Exception {
        int n = 1_000_000;
        Broadcast<Integer> b = Channels.broadcast(1024);
        List<SeqSubscriber> subs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            SeqSubscriber s = new SeqSubscriber(256 << (i % 3)); // different request batches: 256, 512, 1024
            subs.add(s);
            b.subscribe(s);
        }
        Forked<Void> producer = Forked.start("producer", () -> {
            for (int i = 0; i < n; i++) {
                b.send(i);
            }
            b.close();
            return null;
        });
        for (SeqSubscriber s : subs) {
            s.await();
            assertEquals(n, s.received);
            assertEquals(n - 1, s.last);
            assertEquals(0, s.lagged);
        }
        producer.join();
        assertEquals(n, b.published());
        assertEquals(0, b.laggedCount());
        Await.until(() -> b.subscriberCount() == 0, "finished subscribers to leave");
    }

    @Test
    void everySubscriberGetsEveryItemPublishedAfterItSubscribed() {
        Broadcast<Integer> b = Channels.broadcast(16);
        sendAll(b, 0, 3); // nobody listens: accepted, reach nobody
        TestSubscriber<Integer> early = TestSubscriber.create();
        b.subscribe(early);
        early.awaitSubscribed();
        sendAll(b, 3, 6);
        early.awaitCount(3);
        TestSubscriber<Integer> late = TestSubscriber.create();
        b.subscribe(late);
        late.awaitSubscribed();
        sendAll(b, 6, 9);
        b.close();
        early.awaitTerminal().assertCompleted();
        late.awaitTerminal().assertCompleted();
        assertEquals(List.of(3, 4, 5, 6, 7, 8), early.items());
        assertEquals(List.of(6, 7, 8), late.items());
        assertEquals(9, b.published());
    }

    /** Subscribers join while items flow: each gets a gap-free run of items up to the last one. */
    @ParameterizedTest
    @EnumSource(Broadcast.Policy.class)
    void subscribersJoiningWhileItemsFlowGetAGapFreeSuffix(Broadcast.Policy policy) throws Exception {
        int n = 200_000;
        Broadcast<Integer> b = Channels.broadcast(64, policy);
        SeqSubscriber first = new SeqSubscriber(128);
        b.subscribe(first);
        List<SeqSubscriber> joiners = new ArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger joined = new AtomicInteger();
        int joins = 6;
        Race.race(
                () -> {
                    for (int i = 0, j = 0; i < n; i++) {
                        if (j < joins && i == joinAt(j, n) + 5_000) {
                            // joiner j subscribes while items flow, but before the end
                            while (joined.get() <= j) {
                                Thread.onSpinWait();
                            }
                            j++;
                        }
                        b.send(i);
                        sent.lazySet(i + 1);
                    }
                    b.close();
                },
                () -> {
                    for (int j = 0; j < joins; j++) {
                        while (sent.get() < joinAt(j, n)) {
                            Thread.onSpinWait();
                        }
                        SeqSubscriber s = new SeqSubscriber(128, null);
                        joiners.add(s);
                        b.subscribe(s);
                        joined.incrementAndGet();
                    }
                });
        first.await();
        assertEquals(n - 1, first.last);
        assertEquals(n, first.received + first.lagged);
        for (SeqSubscriber s : joiners) {
            s.await(); // gap-free: every jump was a reported lag (LAG) or there was none (HOLD)
            assertEquals(n - 1, s.last, "a joiner ends on the last item");
            if (policy == Broadcast.Policy.HOLD) {
                assertEquals(0, s.lagged);
            }
        }
        if (policy == Broadcast.Policy.HOLD) {
            assertEquals(n, first.received);
            assertEquals(0, b.laggedCount());
        }
    }

    private static int joinAt(int j, int n) {
        return (j + 1) * n / 8;
    }

    // ------------------------------------------------------------------ HOLD

    @Test
    void holdRefusesExactlyWhenTheSlowestSubscriberIsARingBehind() {
        Broadcast<Integer> b = Channels.broadcast(8);
        assertEquals(Broadcast.Policy.HOLD, b.policy());
        TestSubscriber<Integer> slow = TestSubscriber.create(0);
        TestSubscriber<Integer> fast = TestSubscriber.create();
        b.subscribe(slow);
        b.subscribe(fast);
        slow.awaitSubscribed();
        fast.awaitSubscribed();
        sendAll(b, 0, 8);
        assertEquals(SendResult.FULL, b.trySend(8), "the ring holds 8 items the slow subscriber has not taken");
        fast.awaitCount(8);
        assertEquals(SendResult.FULL, b.trySend(8), "a fast subscriber does not make room: the slowest does");
        slow.request(3);
        slow.awaitCount(3);
        // Each subscriber tells the publishers how far it got once per batch (its cursor), so the
        // fast one may still count as behind for a moment: wait for each of the 3 to fit.
        for (int i = 8; i < 11; i++) {
            int item = i;
            Await.until(() -> b.trySend(item) == SendResult.OK, "room for item " + item + " after the slow subscriber took 3");
        }
        assertEquals(SendResult.FULL, b.trySend(11), "exactly 3 more fit");
        assertEquals(11, b.published());
        slow.cancel(); // the slowest leaves: the gate is the fast one now
        Await.until(() -> b.trySend(11) == SendResult.OK, "room once the slowest left");
        b.close();
        fast.awaitTerminal().assertCompleted();
        assertEquals(12, fast.itemCount());
        assertEquals(List.of(0, 1, 2), slow.items());
    }

    /** Many subscribers with random demand and two publishers: no subscriber is ever more than a ring behind. */
    @Test
    void holdNeverLetsThePublishersRunMoreThanACapacityAheadOfAnySubscriber() throws Exception {
        int capacity = 16;
        int perProducer = 50_000;
        Broadcast<Integer> b = Channels.broadcast(capacity);
        assertEquals(capacity, b.capacity());
        List<RandomDemand> subs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RandomDemand s = new RandomDemand(b, capacity);
            subs.add(s);
            b.subscribe(s);
        }
        Race.race(2, p -> {
            for (int i = 0; i < perProducer; i++) {
                b.send(p * perProducer + i);
            }
        });
        b.close();
        for (RandomDemand s : subs) {
            assertTrue(s.done.await(LONG_WAIT_SECONDS, TimeUnit.SECONDS), "completion");
            assertNull(s.problem, s.problem);
            assertEquals(2L * perProducer, s.received);
        }
    }

    /** Requests 1..8 at a time; checks per-publisher order and that published() <= its position + 1 + capacity. */
    static final class RandomDemand implements Flow.Subscriber<Integer> {
        final Broadcast<Integer> b;
        final int capacity;
        final CountDownLatch done = new CountDownLatch(1);
        final int[] next = new int[2];
        volatile String problem;
        volatile long received;
        private Flow.Subscription s;
        private long outstanding;

        RandomDemand(Broadcast<Integer> b, int capacity) {
            this.b = b;
            this.capacity = capacity;
            next[1] = 50_000;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.s = s;
            more();
        }

        private void more() {
            int k = ThreadLocalRandom.current().nextInt(1, 9);
            outstanding += k;
            s.request(k);
        }

        @Override
        public void onNext(Integer v) {
            long position = received; // subscribed before the first publish: item k is at position k
            long published = b.published();
            if (published > position + 1 + capacity && problem == null) {
                problem = "published " + published + " while a subscriber is at position " + position + " (capacity " + capacity + ")";
            }
            int p = v < 50_000 ? 0 : 1;
            if (v != next[p] && problem == null) {
                problem = "publisher " + p + ": expected " + next[p] + ", got " + v;
            }
            next[p] = v + 1;
            received++;
            if (--outstanding == 0) {
                more();
            }
        }

        @Override
        public void onError(Throwable t) {
            problem = "onError " + t;
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }
    }

    @Test
    void holdSendWaitsAndSendAsyncCompletesWhenTheSlowestMakesRoom() throws Exception {
        Broadcast<Integer> b = Channels.broadcast(2);
        TestSubscriber<Integer> s = TestSubscriber.create(0);
        b.subscribe(s);
        s.awaitSubscribed();
        sendAll(b, 0, 2);
        CompletionStage<Void> async = b.sendAsync(2);
        assertFalse(async.toCompletableFuture().isDone());
        Forked<Void> sender = Forked.start("sender", () -> {
            b.send(3);
            return null;
        });
        Await.parkedInChannel(sender.thread());
        assertEquals(SendResult.FULL, b.trySend(99), "a later trySend does not overtake waiting senders");
        s.request(1);
        async.toCompletableFuture().get(10, TimeUnit.SECONDS);
        s.request(1);
        sender.join();
        s.request(10);
        s.awaitCount(4);
        b.close();
        s.awaitTerminal().assertCompleted();
        assertEquals(List.of(0, 1, 2, 3), s.items());
    }

    @Test
    void closeFailsWaitingSendersAndDeliversTheRest() throws Exception {
        Broadcast<Integer> b = Channels.broadcast(2);
        TestSubscriber<Integer> s = TestSubscriber.create(0);
        b.subscribe(s);
        s.awaitSubscribed();
        sendAll(b, 0, 2);
        CompletionStage<Void> async = b.sendAsync(2);
        Forked<Void> sender = Forked.start("sender", () -> {
            b.send(3);
            return null;
        });
        Await.parkedInChannel(sender.thread());
        b.close();
        assertInstanceOf(ChannelClosedException.class, sender.failure());
        Throwable asyncError = assertThrows(Exception.class, () -> async.toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertInstanceOf(ChannelClosedException.class, asyncError.getCause());
        assertEquals(SendResult.CLOSED, b.trySend(4));
        assertThrows(ChannelClosedException.class, () -> b.send(4));
        s.assertNotTerminated(); // the rest waits for demand
        s.request(5);
        s.awaitTerminal().assertCompleted();
        assertEquals(List.of(0, 1), s.items());
    }

    @Test
    void anInterruptedSendLeavesNothingBehind() throws Exception {
        Broadcast<Integer> b = Channels.broadcast(2);
        TestSubscriber<Integer> s = TestSubscriber.create(0);
        b.subscribe(s);
        s.awaitSubscribed();
        sendAll(b, 0, 2);
        Forked<Void> sender = Forked.start("sender", () -> {
            b.send(2);
            return null;
        });
        Await.parkedInChannel(sender.thread());
        sender.thread().interrupt();
        assertInstanceOf(InterruptedException.class, sender.failure());
        s.request(10);
        s.awaitCount(2);
        // the abandoned waiter is swept by the next sender drain (the subscriber's progress runs one)
        Await.until(() -> b.trySend(3) == SendResult.OK, "room, and the abandoned waiter gone");
        b.close();
        s.awaitTerminal().assertCompleted();
        assertEquals(List.of(0, 1, 3), s.items());
    }

    @Test
    void aSubscriberWhoseOnNextThrowsLeavesAndStopsHoldingThePublishers() {
        Broadcast<Integer> b = Channels.broadcast(4);
        RuntimeException boom = new RuntimeException("boom");
        TestSubscriber<Integer> bad = TestSubscriber.<Integer>create().onNextHook((ts, v) -> {
            if (v == 2) {
                throw boom;
            }
        });
        TestSubscriber<Integer> good = TestSubscriber.create();
        b.subscribe(bad);
        b.subscribe(good);
        bad.awaitSubscribed();
        good.awaitSubscribed();
        for (int i = 0; i < 100; i++) {
            int v = i;
            Await.until(() -> b.trySend(v) == SendResult.OK, "room for " + v);
        }
        b.close();
        good.awaitTerminal().assertCompleted();
        assertEquals(100, good.itemCount());
        assertSame(boom, bad.awaitTerminal().assertFailed(RuntimeException.class));
        assertEquals(List.of(0, 1, 2), bad.items());
        Await.until(() -> b.subscriberCount() == 0, "both subscribers to leave");
    }

    // ------------------------------------------------------------------ LAG

    @Test
    void lagReportsExactlyHowManyItemsASubscriberSkipped() {
        ManualExecutor ex = new ManualExecutor();
        Broadcast<Integer> b = Channels.<Integer>broadcastBuilder().capacity(4).policy(Broadcast.Policy.LAG).executor(ex).build();
        LagRecorder r = new LagRecorder();
        b.subscribe(r);
        ex.runAll();
        sendAll(b, 0, 10); // never waits: the ring keeps 6..9
        assertEquals(List.of(), r.take(), "nothing without demand");
        r.s.request(1);
        ex.runAll();
        assertEquals(List.of("lagged 6", "next 6"), r.take());
        r.s.request(3);
        ex.runAll();
        assertEquals(List.of("next 7", "next 8", "next 9"), r.take());
        sendAll(b, 10, 14); // exactly a ring: nothing lost
        r.s.request(4);
        ex.runAll();
        assertEquals(List.of("next 10", "next 11", "next 12", "next 13"), r.take());
        sendAll(b, 14, 25); // 11 items into 4 slots: 14..20 are gone
        r.s.request(2);
        ex.runAll();
        assertEquals(List.of("lagged 7", "next 21", "next 22"), r.take());
        b.close();
        ex.runAll();
        assertEquals(List.of(), r.take(), "23 and 24 are still to come");
        r.s.request(Long.MAX_VALUE);
        ex.runAll();
        assertEquals(List.of("next 23", "next 24", "complete"), r.take());
        assertEquals(13, b.laggedCount());
    }

    @Test
    void aLaggingSubscriberThatDoesNotListenGetsLaggedExceptionNotAGap() {
        ManualExecutor ex = new ManualExecutor();
        Broadcast<Integer> b = Channels.<Integer>broadcastBuilder().capacity(4).policy(Broadcast.Policy.LAG).executor(ex).build();
        TestSubscriber<Integer> s = TestSubscriber.create(2);
        b.subscribe(s);
        ex.runAll();
        sendAll(b, 0, 2);
        ex.runAll();
        sendAll(b, 2, 12); // the subscriber is at 2; the ring keeps 8..11
        s.request(5);
        ex.runAll();
        LaggedException e = s.assertFailed(LaggedException.class);
        assertEquals(6, e.missed());
        assertEquals(List.of(0, 1), s.items(), "the items before the gap, none after it");
        assertEquals(0, b.subscriberCount());
        assertEquals(6, b.laggedCount());
    }

    @Test
    void aLagListenerThatThrowsEndsItsSubscriptionWithThatError() {
        ManualExecutor ex = new ManualExecutor();
        Broadcast<Integer> b = Channels.<Integer>broadcastBuilder().capacity(2).policy(Broadcast.Policy.LAG).executor(ex).build();
        RuntimeException boom = new RuntimeException("boom");
        LagRecorder r = new LagRecorder() {
            @Override
            public void onLagged(long missed) {
                super.onLagged(missed);
                throw boom;
            }
        };
        b.subscribe(r);
        ex.runAll();
        sendAll(b, 0, 5);
        r.s.request(1);
        ex.runAll();
        assertEquals(List.of("lagged 3", "error " + boom), r.take());
        assertEquals(0, b.subscriberCount());
    }

    /** A fast publisher and slow subscribers under LAG: every jump in values is exactly a reported lag, and nothing else is missing. */
    @Test
    void lagUnderLoadAccountsForEveryItem() throws Exception {
        int n = 200_000;
        Broadcast<Integer> b = Channels.broadcast(32, Broadcast.Policy.LAG);
        List<SeqSubscriber> subs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            SeqSubscriber s = new SeqSubscriber(1 + i * 8) { // slow: small request batches
                @Override
                public void onNext(Integer v) {
                    super.onNext(v);
                    if ((v & 15) == 0) {
                        Thread.yield();
                    }
                }
            };
            subs.add(s);
            b.subscribe(s);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(SendResult.OK, b.trySend(i)); // LAG never refuses
        }
        b.close();
        long lagged = 0;
        for (SeqSubscriber s : subs) {
            s.await();
            assertEquals(n - 1, s.last, "ends on the last item");
            assertEquals(n, s.received + s.lagged, "delivered + reported lag = published");
            lagged += s.lagged;
        }
        assertEquals(lagged, b.laggedCount());
    }

    /** Two publishers overwriting a small ring while listeners lag: delivered + reported = published, each publisher's items in order. */
    @Test
    void lagWithSeveralPublishersAccountsForEveryItem() throws Exception {
        int perProducer = 100_000;
        Broadcast<Integer> b = Channels.broadcast(8, Broadcast.Policy.LAG);
        List<CountingListener> subs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CountingListener s = new CountingListener(perProducer);
            subs.add(s);
            b.subscribe(s);
        }
        Race.race(2, p -> {
            for (int i = 0; i < perProducer; i++) {
                assertEquals(SendResult.OK, b.trySend(p * perProducer + i));
            }
        });
        b.close();
        for (CountingListener s : subs) {
            assertTrue(s.done.await(LONG_WAIT_SECONDS, TimeUnit.SECONDS), "completion");
            assertNull(s.problem, s.problem);
            assertEquals(2L * perProducer, s.received + s.lagged, "delivered + reported lag = published");
        }
        assertEquals(subs.stream().mapToLong(s -> s.lagged).sum(), b.laggedCount());
    }

    /** Unbounded demand; counts items and reported lag; checks each publisher's items increase. */
    static final class CountingListener implements Flow.Subscriber<Integer>, Broadcast.LagListener {
        final int perProducer;
        final CountDownLatch done = new CountDownLatch(1);
        final int[] last = {-1, -1};
        volatile long received;
        volatile long lagged;
        volatile String problem;

        CountingListener(int perProducer) {
            this.perProducer = perProducer;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onLagged(long missed) {
            lagged += missed;
        }

        @Override
        public void onNext(Integer v) {
            int p = v / perProducer;
            if (v <= last[p] && problem == null) {
                problem = "publisher " + p + ": " + v + " after " + last[p];
            }
            last[p] = v;
            received++;
            if ((received & 63) == 0) {
                Thread.yield(); // fall behind now and then
            }
        }

        @Override
        public void onError(Throwable t) {
            problem = "onError " + t;
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }
    }

    // ------------------------------------------------------------------ closing

    @ParameterizedTest
    @EnumSource(Broadcast.Policy.class)
    void failDeliversTheRestThenTheError(Broadcast.Policy policy) {
        Broadcast<Integer> b = Channels.broadcast(8, policy);
        TestSubscriber<Integer> s = TestSubscriber.create(0);
        b.subscribe(s);
        s.awaitSubscribed();
        sendAll(b, 0, 3);
        IllegalStateException boom = new IllegalStateException("boom");
        assertTrue(b.fail(boom));
        assertFalse(b.fail(new RuntimeException("second")), "one outcome");
        b.close(); // no-op
        assertSame(boom, b.error());
        assertTrue(b.isClosed());
        s.request(1);
        s.awaitCount(1);
        s.assertNotTerminated();
        s.request(2);
        s.awaitTerminal().assertFailedWith(boom);
        assertEquals(List.of(0, 1, 2), s.items());
        TestSubscriber<Integer> late = TestSubscriber.create(0);
        b.subscribe(late);
        late.awaitTerminal().assertFailedWith(boom); // RS 1.9: onSubscribe, then onError, no demand needed
    }

    @Test
    void closeWithoutItemsCompletesWithoutDemandAndLateSubscribersComplete() {
        Broadcast<Integer> b = Channels.broadcast(8);
        TestSubscriber<Integer> s = TestSubscriber.create(0);
        b.subscribe(s);
        s.awaitSubscribed();
        b.close();
        assertNull(b.error());
        s.awaitTerminal().assertCompleted(); // RS 1.4
        TestSubscriber<Integer> late = TestSubscriber.create(0);
        b.subscribe(late);
        late.awaitTerminal().assertCompleted();
        assertEquals(List.of(), late.items());
        CompletionStage<Void> async = b.sendAsync(1);
        assertThrows(Exception.class, () -> async.toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    @Test
    void closeRacingWithPublishersEndsEverySubscriberOnAPrefixOfTheStream() {
        for (int round = 0; round < 50; round++) {
            // a ring larger than what the publisher may send, so that LAG never laps these non-listeners
            int most = 20_000;
            Broadcast<Integer> b = Channels.broadcast(1 << 15, round % 2 == 0 ? Broadcast.Policy.HOLD : Broadcast.Policy.LAG);
            List<TestSubscriber<Integer>> subs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                TestSubscriber<Integer> s = TestSubscriber.create();
                subs.add(s);
                b.subscribe(s);
                s.awaitSubscribed();
            }
            AtomicInteger accepted = new AtomicInteger();
            Race.race(
                    () -> {
                        for (int i = 0; i < most; i++) {
                            SendResult r = b.trySend(i);
                            if (r == SendResult.CLOSED) {
                                return;
                            }
                            if (r == SendResult.OK) {
                                accepted.incrementAndGet();
                            } else {
                                i--;
                                Thread.onSpinWait();
                            }
                        }
                    },
                    () -> {
                        for (int i = 0; i < 200; i++) {
                            Thread.onSpinWait();
                        }
                        b.close();
                    });
            for (TestSubscriber<Integer> s : subs) {
                s.awaitTerminal().assertCompleted();
                List<Integer> items = s.items();
                assertEquals(accepted.get(), items.size(), "every accepted item, then the end");
                for (int i = 0; i < items.size(); i++) {
                    assertEquals(i, items.get(i));
                }
            }
        }
    }

    // ------------------------------------------------------------------ bad input

    @ParameterizedTest
    @EnumSource(Broadcast.Policy.class)
    void badInputGetsAClearTypedError(Broadcast.Policy policy) {
        Broadcast<Integer> b = Channels.broadcast(4, policy);
        assertThrows(NullPointerException.class, () -> b.send(null));
        assertThrows(NullPointerException.class, () -> b.trySend(null));
        assertThrows(NullPointerException.class, () -> b.sendAsync(null));
        assertThrows(NullPointerException.class, () -> b.subscribe(null)); // RS 1.9
        assertThrows(NullPointerException.class, () -> b.fail(null));
        assertThrows(IllegalArgumentException.class, () -> Channels.broadcast(0));
        assertThrows(IllegalArgumentException.class, () -> Channels.broadcast(-1, policy));
        assertThrows(NullPointerException.class, () -> Channels.broadcast(4, null));
        assertThrows(IllegalArgumentException.class, () -> Channels.broadcastBuilder().batch(0));
        assertThrows(NullPointerException.class, () -> Channels.broadcastBuilder().executor(null));
        assertEquals(0, b.published(), "nothing was accepted");
        assertFalse(b.isClosed());
        assertEquals(2, Channels.broadcast(1).capacity(), "at least 2");
        assertEquals(8, Channels.broadcast(5).capacity(), "a power of two");

        for (long bad : new long[] {0L, -1L, Long.MIN_VALUE}) {
            TestSubscriber<Integer> s = TestSubscriber.create(0);
            b.subscribe(s);
            s.awaitSubscribed();
            s.request(bad);
            s.awaitTerminal().assertFailed(IllegalArgumentException.class); // RS 3.9
        }
        Await.until(() -> b.subscriberCount() == 0, "the failed subscribers to leave");
        assertEquals(SendResult.OK, b.trySend(1), "the broadcast is still sound");
    }
}
