package io.flowrelay.pubsub;

import io.flowrelay.actor.ActorRef;
import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Behaviors;
import io.flowrelay.channel.ChannelFullException;
import io.flowrelay.channel.Overflow;
import io.flowrelay.test.Await;
import io.flowrelay.test.Forked;
import io.flowrelay.test.Race;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broker's routing, per-subscriber buffers and policies, unsubscribing, wildcards and closing. */
class BrokerTest {

    private static final SubscribeOptions<Object> LOSSLESS = SubscribeOptions.defaults().capacity(64).overflow(Overflow.BLOCK);

    private final Broker<Long> broker = Broker.create();

    @AfterEach
    void closeBroker() {
        broker.close();
    }

    // ------------------------------------------------------------------ fan-out

    @Test
    void fanOutToThreeTopicsTimesFiveSubscribersEachGetsItsTopicInOrder() {
        int topics = 3;
        int perTopic = 5;
        long n = 20_000;
        List<List<TestSubscriber<Long>>> subs = new ArrayList<>();
        for (int t = 0; t < topics; t++) {
            List<TestSubscriber<Long>> list = new ArrayList<>();
            for (int i = 0; i < perTopic; i++) {
                TestSubscriber<Long> ts = TestSubscriber.create();
                broker.subscribe("fan." + t, ts, LOSSLESS);
                list.add(ts);
            }
            subs.add(list);
        }
        TestSubscriber<Long> all = TestSubscriber.create();
        broker.subscribe("fan.*", all, SubscribeOptions.defaults().unbounded());
        for (int t = 0; t < topics; t++) {
            assertEquals(perTopic + 1, broker.subscriberCount("fan." + t));
        }

        AtomicInteger wrongCounts = new AtomicInteger();
        Race.race(topics, t -> {
            for (long i = 0; i < n; i++) {
                if (broker.publish("fan." + t, t * 1_000_000L + i) != perTopic + 1) {
                    wrongCounts.incrementAndGet();
                }
            }
        });
        assertEquals(0, wrongCounts.get(), "every publish reaches 5 exact + 1 wildcard subscriber");
        broker.close();

        for (int t = 0; t < topics; t++) {
            for (TestSubscriber<Long> ts : subs.get(t)) {
                ts.awaitTerminal().assertCompleted();
                List<Long> items = ts.items();
                assertEquals(n, items.size());
                for (int i = 0; i < n; i++) {
                    assertEquals(t * 1_000_000L + i, items.get(i));
                }
            }
        }
        all.awaitTerminal().assertCompleted();
        assertEquals(topics * n, all.itemCount());
        long[] next = new long[topics];
        for (long v : all.items()) {
            int t = (int) (v / 1_000_000L);
            assertEquals(next[t]++, v % 1_000_000L, "per-topic order at the wildcard subscriber");
        }
    }

    @Test
    void publishingToATopicWithoutSubscribersReachesNobodyAndIsNoError() {
        assertEquals(0, broker.publish("nobody.listens", 1L));
        assertEquals(0, broker.subscriberCount("nobody.listens"));
        TestSubscriber<Long> ts = TestSubscriber.create();
        TopicSubscription h = broker.subscribe("somebody.listens", ts);
        assertEquals(0, broker.publish("nobody.listens", 2L));
        assertEquals(1, broker.publish("somebody.listens", 3L));
        ts.awaitCount(1);
        h.cancel();
        assertEquals(0, broker.publish("somebody.listens", 4L));
        assertEquals(List.of(3L), ts.items());
    }

    @Test
    void aTopicViewPublishesAndSubscribes() {
        Topic<Long> topic = broker.topic("orders.created");
        assertEquals("orders.created", topic.name());
        TestSubscriber<Long> a = TestSubscriber.create();
        TestSubscriber<Long> b = TestSubscriber.create();
        topic.subscribe(a);
        TopicSubscription hb = topic.subscribe(b, LOSSLESS);
        assertEquals("orders.created", hb.pattern());
        assertEquals(2, topic.subscriberCount());
        assertEquals(2, topic.publish(7L));
        assertEquals(2, broker.publish("orders.created", 8L));
        broker.close();
        assertEquals(List.of(7L, 8L), a.awaitTerminal().assertCompleted().items());
        assertEquals(List.of(7L, 8L), b.awaitTerminal().assertCompleted().items());
        assertThrows(IllegalArgumentException.class, () -> broker.topic("orders.*"));
    }

    // ------------------------------------------------------------------ slow subscribers

    @Test
    void aStalledSubscriberWithADropPolicyDoesNotSlowTheOthers() {
        int fast = 4;
        long n = 10_000;
        List<TestSubscriber<Long>> fastSubs = new ArrayList<>();
        for (int i = 0; i < fast; i++) {
            TestSubscriber<Long> ts = TestSubscriber.create();
            broker.subscribe("prices", ts, SubscribeOptions.defaults().capacity(1024).overflow(Overflow.BLOCK));
            fastSubs.add(ts);
        }
        AtomicLong dropCallbacks = new AtomicLong();
        TestSubscriber<Long> stalled = TestSubscriber.create(1); // takes one, then never asks again
        TopicSubscription slow = broker.subscribe("prices", stalled,
                SubscribeOptions.defaults().capacity(8).overflow(Overflow.DROP_OLDEST).onDrop((Long v) -> dropCallbacks.incrementAndGet()));
        stalled.awaitSubscribed();

        for (long i = 0; i < n; i++) {
            assertEquals(fast + 1, broker.publish("prices", i), "DROP_OLDEST takes the new message: counted");
        }
        // the publisher never waited for the stalled subscriber: all sent, and the fast ones get everything
        for (TestSubscriber<Long> ts : fastSubs) {
            ts.awaitCount((int) n);
        }
        stalled.awaitCount(1);
        assertEquals(1, stalled.itemCount(), "it asked for one");
        assertEquals(n, 1 + slow.buffered() + slow.dropped(), "received + buffered + dropped = published");
        assertTrue(slow.buffered() >= 7, "its buffer is full (8), less the one it may have taken since");
        assertEquals(slow.dropped(), dropCallbacks.get(), "every drop went to onDrop");

        int buffered = slow.buffered();
        stalled.request(Long.MAX_VALUE);
        stalled.awaitCount(1 + buffered);
        List<Long> got = stalled.items();
        assertEquals(n - 1, got.get(got.size() - 1), "the newest survived");
        assertEquals(n, got.size() + slow.dropped());
        broker.close();
        for (TestSubscriber<Long> ts : fastSubs) {
            List<Long> items = ts.awaitTerminal().assertCompleted().items();
            for (int i = 0; i < n; i++) {
                assertEquals(i, items.get(i));
            }
        }
        stalled.awaitTerminal().assertCompleted();
    }

    @Test
    void concurrentPublishersToASlowDropOldestSubscriberAccountForEveryMessage() {
        AtomicLong onDrop = new AtomicLong();
        TestSubscriber<Long> slow = TestSubscriber.<Long>create(0).onNextHook((s, v) -> s.request(1));
        TopicSubscription h = broker.subscribe("feed", slow,
                SubscribeOptions.defaults().capacity(8).overflow(Overflow.DROP_OLDEST).onDrop((Long v) -> onDrop.incrementAndGet()));
        slow.awaitSubscribed();
        slow.request(1); // then one more per item: slower than 4 publishers
        AtomicLong reached = new AtomicLong();
        Race.race(4, p -> {
            for (long i = 0; i < 10_000; i++) {
                reached.addAndGet(broker.publish("feed", p * 1_000_000L + i));
            }
        });
        assertEquals(40_000, reached.get(), "DROP_OLDEST takes every new message");
        broker.close();
        slow.awaitTerminal().assertCompleted();
        assertEquals(40_000, slow.itemCount() + h.dropped(), "received + dropped = published");
        assertEquals(h.dropped(), onDrop.get());
        long[] last = {-1, -1, -1, -1};
        for (long v : slow.items()) { // what survives still comes in each publisher's order
            int p = (int) (v / 1_000_000L);
            assertTrue(v % 1_000_000L > last[p]);
            last[p] = v % 1_000_000L;
        }
    }

    @Test
    void aStalledSubscriberWithBlockHoldsThePublisherBackAsConfigured() {
        TestSubscriber<Long> fast = TestSubscriber.create();
        broker.subscribe("jobs", fast, SubscribeOptions.defaults().unbounded());
        TestSubscriber<Long> stalled = TestSubscriber.create(1);
        TopicSubscription slow = broker.subscribe("jobs", stalled, SubscribeOptions.defaults().capacity(8).overflow(Overflow.BLOCK));
        stalled.awaitSubscribed();
        AtomicInteger published = new AtomicInteger();
        int n = 100;
        Forked<Void> publisher = Forked.start("publisher", () -> {
            for (long i = 0; i < n; i++) {
                assertEquals(2, broker.publish("jobs", i));
                published.incrementAndGet();
            }
            return null;
        });
        // steady state: the stalled one holds 1 delivered + 8 buffered; the 10th publish waits for it
        stalled.awaitCount(1);
        Await.until(() -> published.get() == 9 && slow.buffered() == 8, () -> "publisher to stop at 9, got " + published.get());
        Await.parkedInChannel(publisher.thread());
        assertEquals(9, published.get(), "the publisher waits for the BLOCK subscriber");
        fast.awaitCount(10); // ... but the other subscriber got the waiting message first
        assertEquals(0, slow.dropped());

        stalled.request(Long.MAX_VALUE);
        publisher.join();
        broker.close();
        assertEquals(n, stalled.awaitTerminal().assertCompleted().itemCount());
        assertEquals(n, fast.awaitTerminal().assertCompleted().itemCount());
    }

    @Test
    void dropNewestLosesTheNewMessageForThatSubscriberOnlyAndDoesNotCountIt() {
        ConcurrentLinkedQueue<Long> dropped = new ConcurrentLinkedQueue<>();
        TestSubscriber<Long> idle = TestSubscriber.create(0);
        TopicSubscription h = broker.subscribe("t", idle,
                SubscribeOptions.defaults().capacity(2).overflow(Overflow.DROP_NEWEST).onDrop((Long v) -> dropped.add(v)));
        TestSubscriber<Long> other = TestSubscriber.create();
        broker.subscribe("t", other, LOSSLESS);
        idle.awaitSubscribed();
        int[] reached = new int[6];
        for (int i = 0; i < 6; i++) {
            reached[i] = broker.publish("t", (long) i);
        }
        assertEquals(List.of(2, 2, 1, 1, 1, 1), List.of(reached[0], reached[1], reached[2], reached[3], reached[4], reached[5]));
        assertEquals(List.of(2L, 3L, 4L, 5L), List.copyOf(dropped));
        assertEquals(4, h.dropped());
        idle.request(10);
        assertEquals(List.of(0L, 1L), idle.awaitCount(2).items());
        assertEquals(6, other.awaitCount(6).itemCount());
    }

    @Test
    void failCutsOffASubscriberThatFallsAFullBufferBehind() {
        TestSubscriber<Long> idle = TestSubscriber.create(0);
        TopicSubscription h = broker.subscribe("t", idle, SubscribeOptions.defaults().capacity(2).overflow(Overflow.FAIL));
        idle.awaitSubscribed();
        assertEquals(1, broker.publish("t", 0L));
        assertEquals(1, broker.publish("t", 1L));
        assertTrue(h.isActive());
        assertEquals(0, broker.publish("t", 2L), "full: cut off, not reached");
        assertFalse(h.isActive());
        assertEquals(0, broker.subscriberCount("t"));
        assertEquals(0, broker.publish("t", 3L));
        idle.request(10);
        idle.awaitTerminal();
        assertEquals(List.of(0L, 1L), idle.items(), "what was buffered, then the error");
        idle.assertFailed(ChannelFullException.class);
    }

    // ------------------------------------------------------------------ unsubscribing

    @Test
    void unsubscribeUnderLoadStopsExactlyThereAndTheOthersMissNothing() {
        int publishers = 2;
        int leavers = 6;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong[] sent = {new AtomicLong(), new AtomicLong()};
        SubscribeOptions<Object> keepAll = SubscribeOptions.defaults().capacity(256).overflow(Overflow.BLOCK); // lossless, paced

        List<TestSubscriber<Long>> stayers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            TestSubscriber<Long> ts = TestSubscriber.create();
            broker.subscribe("load.all", ts, keepAll);
            stayers.add(ts);
        }
        List<TestSubscriber<Long>> gone = new ArrayList<>();
        List<TopicSubscription> goneHandles = new CopyOnWriteArrayList<>();
        for (int i = 0; i < leavers; i++) {
            int quota = 1000 * (i + 1);
            TestSubscriber<Long> ts = TestSubscriber.<Long>create().onNextHook((s, v) -> {
                if (s.itemCount() == quota) {
                    s.cancel(); // from onNext: the subscriber must get nothing more (TestSubscriber checks)
                }
            });
            goneHandles.add(broker.subscribe(i % 2 == 0 ? "load.all" : "load.*", ts, keepAll)); // half of them wildcards
            gone.add(ts);
        }
        List<TestSubscriber<Long>> joiners = new CopyOnWriteArrayList<>();

        Race.race(
                () -> publish(stop, sent[0], 0L),
                () -> publish(stop, sent[1], 1L),
                () -> {
                    for (int i = 0; i < leavers; i++) {
                        gone.get(i).awaitCount(1000 * (i + 1));
                    }
                    for (int i = 0; i < 2; i++) { // subscribers that join in the middle of the stream
                        TestSubscriber<Long> ts = TestSubscriber.create();
                        broker.subscribe("load.all", ts, keepAll);
                        joiners.add(ts);
                    }
                    for (TestSubscriber<Long> ts : joiners) {
                        ts.awaitCount(100);
                    }
                    stop.set(true);
                });
        assertEquals(4, broker.subscriberCount("load.all"), "2 stayers + 2 joiners; the leavers are gone");
        for (TopicSubscription h : goneHandles) {
            assertFalse(h.isActive());
        }
        broker.close();
        long total = sent[0].get() + sent[1].get();
        for (int i = 0; i < leavers; i++) {
            TestSubscriber<Long> ts = gone.get(i);
            ts.assertNoViolations();
            assertEquals(1000 * (i + 1), ts.itemCount(), "a cancel from onNext is the last onNext");
            assertEquals(0, ts.completions(), "a cancelled subscriber gets no onComplete");
        }
        for (TestSubscriber<Long> ts : stayers) {
            ts.awaitTerminal().assertCompleted();
            assertEquals(total, ts.itemCount());
            assertGapFreePerPublisher(ts.items(), true);
        }
        for (TestSubscriber<Long> ts : joiners) {
            ts.awaitTerminal().assertCompleted();
            assertGapFreePerPublisher(ts.items(), false);
        }
    }

    private void publish(AtomicBoolean stop, AtomicLong sent, long publisher) {
        for (long i = 0; !stop.get(); i++) {
            broker.publish("load.all", publisher * 1_000_000_000L + i);
            sent.incrementAndGet();
        }
    }

    /** Per publisher: consecutive sequence numbers (from 0 if {@code fromStart}). */
    private static void assertGapFreePerPublisher(List<Long> items, boolean fromStart) {
        long[] next = {-1, -1};
        for (long v : items) {
            int p = (int) (v / 1_000_000_000L);
            long seq = v % 1_000_000_000L;
            if (next[p] < 0) {
                next[p] = fromStart ? 0 : seq;
            }
            assertEquals(next[p]++, seq, "publisher " + p);
        }
    }

    @Test
    void subscribeAndCancelRacingWithPublishersLeaveNoTrace() {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger churned = new AtomicInteger();
        Race.race(
                () -> churn(stop, churned, "churn.a"),
                () -> churn(stop, churned, "churn.a"),
                () -> churn(stop, churned, "churn.*"),
                () -> {
                    for (long i = 0; i < 50_000 && !stop.get(); i++) {
                        broker.publish("churn.a", i);
                    }
                    Await.until(() -> churned.get() >= 3 * 500, "the churners to do 500 rounds each");
                    stop.set(true);
                });
        assertEquals(0, broker.subscriberCount("churn.a"));
        assertEquals(0, broker.publish("churn.a", -1L));
        assertEquals("Broker[topics=0, wildcard subscriptions=0]", broker.toString(), "every node and wildcard entry removed");
    }

    private void churn(AtomicBoolean stop, AtomicInteger churned, String pattern) {
        while (!stop.get()) {
            TestSubscriber<Long> ts = TestSubscriber.create();
            TopicSubscription h = broker.subscribe(pattern, ts, SubscribeOptions.defaults().capacity(4).overflow(Overflow.BLOCK));
            if (churned.incrementAndGet() % 3 == 0) {
                ts.awaitSubscribed(); // sometimes through the Flow subscription, sometimes through the handle
                ts.cancel();
            } else {
                h.cancel();
            }
            assertFalse(h.isActive());
            ts.assertNoViolations();
        }
    }

    @Test
    void cancellingABlockSubscriberReleasesAPublisherWaitingForIt() {
        TestSubscriber<Long> idle = TestSubscriber.create(0);
        TopicSubscription h = broker.subscribe("t", idle, SubscribeOptions.defaults().capacity(2).overflow(Overflow.BLOCK));
        idle.awaitSubscribed();
        Forked<Integer> publisher = Forked.start("publisher", () -> broker.publish("t", 0L) + broker.publish("t", 1L) + broker.publish("t", 2L));
        Await.parkedInChannel(publisher.thread());
        h.cancel();
        assertEquals(2, publisher.join(), "the third message reached nobody");
        assertEquals(0, h.dropped(), "not dropped either: the subscriber had gone");
    }

    @Test
    void cancellingThroughTheHandleBeforeOnSubscribeStillSignalsOnSubscribeOnly() {
        TestSubscriber<Long> ts = TestSubscriber.create();
        TopicSubscription h = broker.subscribe("t", ts);
        h.cancel();
        h.cancel(); // idempotent
        assertFalse(h.isActive());
        assertEquals(0, broker.publish("t", 1L));
        ts.awaitSubscribed();
        broker.close();
        assertEquals(0, ts.itemCount());
        assertFalse(ts.isTerminated());
        ts.assertNoViolations();
    }

    @Test
    void aSubscriberWhoseOnNextThrowsLeavesTheTopic() {
        TestSubscriber<Long> bad = TestSubscriber.<Long>create().onNextHook((s, v) -> {
            throw new IllegalStateException("boom");
        });
        TopicSubscription h = broker.subscribe("t", bad);
        assertEquals(1, broker.publish("t", 1L));
        bad.awaitTerminal().assertFailed(IllegalStateException.class);
        Await.until(() -> !h.isActive() && broker.subscriberCount("t") == 0, "the failed subscriber to leave");
        assertEquals(0, broker.publish("t", 2L));
    }

    @Test
    void requestZeroEndsTheSubscriptionWithIllegalArgumentException() {
        TestSubscriber<Long> ts = TestSubscriber.create(0);
        TopicSubscription h = broker.subscribe("t", ts);
        ts.awaitSubscribed();
        ts.request(0); // RS 3.9
        ts.awaitTerminal().assertFailed(IllegalArgumentException.class);
        Await.until(() -> !h.isActive(), "the subscription to leave");
        assertEquals(0, broker.subscriberCount("t"));
    }

    // ------------------------------------------------------------------ wildcards

    @Test
    void wildcardsMatchWholeSegmentsAsDocumented() {
        String[] patterns = {"orders.*", "orders.>", "*.created", ">", "*", "orders.created", "orders.*.created"};
        List<TestSubscriber<Long>> subs = new ArrayList<>();
        for (String p : patterns) {
            TestSubscriber<Long> ts = TestSubscriber.create();
            broker.subscribe(p, ts, SubscribeOptions.defaults().unbounded());
            subs.add(ts);
        }
        String[] topics = {"orders", "orders.created", "orders.eu.created", "payments.created", "ordersx.created", "orders.created.late"};
        for (int i = 0; i < topics.length; i++) {
            broker.publish(topics[i], (long) i);
        }
        broker.close();
        List<List<Long>> expected = List.of(
                List.of(1L),                 // orders.*
                List.of(1L, 2L, 5L),         // orders.>
                List.of(1L, 3L, 4L),         // *.created
                List.of(0L, 1L, 2L, 3L, 4L, 5L), // >
                List.of(0L),                 // *
                List.of(1L),                 // orders.created
                List.of(2L));                // orders.*.created
        for (int i = 0; i < patterns.length; i++) {
            assertEquals(expected.get(i), subs.get(i).awaitTerminal().assertCompleted().items(), patterns[i]);
        }
    }

    @Test
    void wildcardRoutingFollowsSubscribeAndCancel() {
        assertEquals(0, broker.subscriberCount("orders.created"));
        TestSubscriber<Long> exact = TestSubscriber.create();
        broker.subscribe("orders.created", exact);
        assertEquals(1, broker.publish("orders.created", 1L)); // caches "no wildcard" on the node
        TestSubscriber<Long> wild = TestSubscriber.create();
        TopicSubscription hw = broker.subscribe("orders.*", wild);
        assertEquals(2, broker.publish("orders.created", 2L), "a new wildcard subscription is seen at once");
        assertEquals(1, broker.publish("orders.paid", 3L), "also by topics without a node");
        assertEquals(List.of(2L, 3L), wild.awaitCount(2).items());
        hw.cancel(); // (what is still buffered at a cancel is discarded)
        assertEquals(1, broker.publish("orders.created", 4L));
        assertEquals(0, broker.publish("orders.paid", 5L));
        broker.close();
        assertEquals(List.of(1L, 2L, 4L), exact.awaitTerminal().items());
        assertEquals(List.of(2L, 3L), wild.items());
        assertFalse(wild.isTerminated(), "cancelled: no onComplete");
    }

    @Test
    void badNamesAndNullsAreRefused() {
        TestSubscriber<Long> ts = TestSubscriber.create();
        for (String bad : new String[]{"", ".", "a..b", "a.", ".a", "ord*", "a.>.b", ">x", "a.b*"}) {
            assertThrows(IllegalArgumentException.class, () -> broker.subscribe(bad, ts), bad);
            assertThrows(IllegalArgumentException.class, () -> broker.publish(bad, 1L), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> broker.publish("orders.*", 1L), "a pattern is no topic name");
        assertThrows(IllegalArgumentException.class, () -> broker.publish("orders.>", 1L));
        assertThrows(IllegalArgumentException.class, () -> broker.subscriberCount("orders.*"));
        assertThrows(NullPointerException.class, () -> broker.publish("t", null));
        assertThrows(NullPointerException.class, () -> broker.publish(null, 1L));
        assertThrows(NullPointerException.class, () -> broker.subscribe("t", (Flow.Subscriber<Long>) null));
        assertThrows(NullPointerException.class, () -> broker.subscribe(null, ts));
        assertThrows(NullPointerException.class, () -> broker.subscribe("t", ts, null));
        assertThrows(NullPointerException.class, () -> broker.topic("t").subscribe(null));
        assertThrows(IllegalArgumentException.class, () -> SubscribeOptions.defaults().capacity(0));
        assertThrows(IllegalArgumentException.class, () -> SubscribeOptions.defaults().batch(0));
        assertEquals(0, ts.itemCount());
    }

    // ------------------------------------------------------------------ closing

    @Test
    void closeDeliversWhatIsBufferedThenCompletesAndRefusesNewcomers() {
        TestSubscriber<Long> lazy = TestSubscriber.create(0);
        broker.subscribe("t.a", lazy, LOSSLESS);
        TestSubscriber<Long> wild = TestSubscriber.create(0);
        broker.subscribe("t.>", wild, LOSSLESS);
        lazy.awaitSubscribed();
        wild.awaitSubscribed(); // onSubscribe comes from the delivery loop, asynchronously
        assertEquals(2, broker.publish("t.a", 1L));
        assertEquals(2, broker.publish("t.a", 2L));
        broker.close();
        broker.close(); // idempotent
        assertTrue(broker.isClosed());
        assertEquals(0, broker.publish("t.a", 3L), "after close nobody is reached");
        lazy.request(10);
        wild.request(10);
        assertEquals(List.of(1L, 2L), lazy.awaitTerminal().assertCompleted().items());
        assertEquals(List.of(1L, 2L), wild.awaitTerminal().assertCompleted().items());

        TestSubscriber<Long> late = TestSubscriber.create();
        TopicSubscription h = broker.subscribe("t.a", late);
        assertFalse(h.isActive());
        late.awaitTerminal().assertFailed(IllegalStateException.class); // RS 1.9: onSubscribe, then onError
        assertEquals(0, late.itemCount());
    }

    @Test
    void closeReleasesAPublisherWaitingForABlockSubscriber() {
        TestSubscriber<Long> idle = TestSubscriber.create(0);
        broker.subscribe("t", idle, SubscribeOptions.defaults().capacity(2).overflow(Overflow.BLOCK));
        idle.awaitSubscribed();
        Forked<Integer> publisher = Forked.start("publisher", () -> {
            int reached = 0;
            for (long i = 0; i < 3; i++) {
                reached += broker.publish("t", i);
            }
            return reached;
        });
        Await.parkedInChannel(publisher.thread());
        broker.close();
        assertEquals(2, publisher.join(), "the waiting message reached nobody");
        idle.request(10);
        assertEquals(List.of(0L, 1L), idle.awaitTerminal().assertCompleted().items());
    }

    @Test
    void aBlockedPublisherThatIsInterruptedDropsForThatSubscriberAndKeepsTheFlag() {
        AtomicLong onDrop = new AtomicLong(-1);
        TestSubscriber<Long> idle = TestSubscriber.create(0);
        TopicSubscription h = broker.subscribe("t", idle,
                SubscribeOptions.defaults().capacity(2).overflow(Overflow.BLOCK).onDrop((Long v) -> onDrop.set(v)));
        idle.awaitSubscribed();
        Forked<Boolean> publisher = Forked.start("publisher", () -> {
            broker.publish("t", 0L);
            broker.publish("t", 1L);
            int reached = broker.publish("t", 2L);
            return reached == 0 && Thread.currentThread().isInterrupted();
        });
        Await.parkedInChannel(publisher.thread());
        publisher.thread().interrupt();
        assertTrue(publisher.join());
        assertEquals(1, h.dropped());
        assertEquals(2L, onDrop.get());
    }

    // ------------------------------------------------------------------ actors

    @Test
    void anActorSubscriberIsToldEachMessageAndLeavesWhenItStops() {
        ActorSystem system = ActorSystem.create("broker-test");
        try {
            ConcurrentLinkedQueue<Long> got = new ConcurrentLinkedQueue<>();
            ActorRef<Long> actor = system.spawn("audit", () -> (ctx, msg) -> {
                if (msg < 0) {
                    return Behaviors.stopped();
                }
                got.add(msg);
                return Behaviors.same();
            });
            TopicSubscription h = broker.subscribe("orders.*", actor);
            assertEquals(1, broker.publish("orders.created", 1L));
            assertEquals(1, broker.publish("orders.paid", 2L));
            assertEquals(0, broker.publish("payments.done", 3L));
            Await.until(() -> got.size() == 2, "the actor to get 2 messages");
            assertEquals(List.of(1L, 2L), List.copyOf(got));

            actor.tell(-1L);
            Await.until(actor::isTerminated, "the actor to stop");
            broker.publish("orders.created", 4L); // told to a stopped actor: CLOSED, so the subscription ends
            Await.until(() -> !h.isActive() && broker.subscriberCount("orders.x") == 0, "the subscription to end");
            assertEquals(List.of(1L, 2L), List.copyOf(got));
        } finally {
            system.shutdown(Duration.ofSeconds(5)).toCompletableFuture().join();
        }
    }
}
