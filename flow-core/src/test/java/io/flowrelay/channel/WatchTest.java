package io.flowrelay.channel;

import io.flowrelay.test.Await;
import io.flowrelay.test.ManualExecutor;
import io.flowrelay.test.Race;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Watch}: latest value, current value first, conflation for slow subscribers, closing, bad input. */
class WatchTest {

    /** Requests one value at a time and takes about {@code micros} per value; checks values only increase. */
    static final class SlowSubscriber implements Flow.Subscriber<Integer> {
        final long nanos;
        final CountDownLatch done = new CountDownLatch(1);
        volatile int last = -1;
        volatile int received;
        volatile String problem;
        private Flow.Subscription s;

        SlowSubscriber(long micros) {
            this.nanos = TimeUnit.MICROSECONDS.toNanos(micros);
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.s = s;
            s.request(1);
        }

        @Override
        public void onNext(Integer v) {
            if (v <= last && problem == null) {
                problem = v + " after " + last + ": a watch never goes back";
            }
            last = v;
            received++;
            long until = System.nanoTime() + nanos;
            while (System.nanoTime() - until < 0L) {
                Thread.onSpinWait(); // busy: a slow consumer, not a timing assumption
            }
            s.request(1);
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
    void rapidUpdatesWithASlowSubscriberEndOnTheLastValue() throws Exception {
        int n = 200_000;
        Watch<Integer> w = Channels.watch();
        SlowSubscriber slow = new SlowSubscriber(50);
        w.subscribe(slow);
        for (int i = 0; i < n; i++) {
            assertTrue(w.set(i));
        }
        Await.until(() -> slow.last == n - 1, () -> "the slow subscriber to reach the last value; it is at " + slow.last);
        w.close();
        assertTrue(slow.done.await(10, TimeUnit.SECONDS));
        assertNull(slow.problem, slow.problem);
        assertEquals(n - 1, slow.last);
        assertTrue(slow.received < n, () -> "conflated: no backlog, got " + slow.received + " of " + n);
        assertEquals(n, w.version());
        assertEquals(n - 1, w.get());
    }

    @Test
    void severalSettersAndSubscribersAllEndOnTheValueThatStayed() throws Exception {
        int perSetter = 50_000;
        Watch<Integer> w = Channels.watch(-1);
        SlowSubscriber[] subs = {new SlowSubscriber(0), new SlowSubscriber(5), new SlowSubscriber(20)};
        TestSubscriber<Integer> ts = TestSubscriber.create();
        for (SlowSubscriber s : subs) {
            w.subscribe(s);
        }
        w.subscribe(ts);
        Race.race(4, p -> {
            for (int i = 0; i < perSetter; i++) {
                w.set(p * perSetter + i);
            }
        });
        assertEquals(1L + 4L * perSetter, w.version());
        Integer stayed = w.get();
        w.close();
        assertFalse(w.set(0), "closed");
        ts.awaitTerminal().assertCompleted();
        List<Integer> items = ts.items();
        assertEquals(stayed, items.get(items.size() - 1), "the newest value, then the end");
        for (SlowSubscriber s : subs) {
            assertTrue(s.done.await(10, TimeUnit.SECONDS));
            assertEquals(stayed.intValue(), s.last);
        }
    }

    @Test
    void aNewSubscriberGetsTheCurrentValueFirstThenChanges() {
        Watch<String> w = Channels.watch("a");
        assertEquals("a", w.get());
        assertEquals(1, w.version());
        w.set("b");
        TestSubscriber<String> s = TestSubscriber.create(1);
        w.subscribe(s);
        s.awaitCount(1);
        assertEquals(List.of("b"), s.items(), "the current value, not the history");
        w.set("c");
        s.request(1);
        s.awaitCount(2);
        assertEquals(List.of("b", "c"), s.items());
        s.request(1);
        w.set("c"); // equal, but a new version: delivered
        s.awaitCount(3);
        assertEquals(List.of("b", "c", "c"), s.items());
        s.assertNotTerminated();
    }

    @Test
    void anEmptyWatchDeliversFromTheFirstSetOn() {
        ManualExecutor ex = new ManualExecutor();
        Watch<Integer> w = new LatestWatch<>(null, ex, Channels.DEFAULT_BATCH);
        assertNull(w.get());
        assertEquals(0, w.version());
        TestSubscriber<Integer> s = TestSubscriber.create();
        w.subscribe(s);
        ex.runAll();
        assertEquals(List.of(), s.items());
        w.set(7);
        ex.runAll();
        assertEquals(List.of(7), s.items());
    }

    @Test
    void withoutDemandValuesAreConflatedToTheNewest() {
        ManualExecutor ex = new ManualExecutor();
        Watch<Integer> w = Channels.watch(0, ex);
        TestSubscriber<Integer> s = TestSubscriber.create(0);
        w.subscribe(s);
        ex.runAll();
        for (int i = 1; i <= 10; i++) {
            w.set(i);
        }
        ex.runAll();
        assertEquals(List.of(), s.items(), "no demand, no item");
        s.request(5);
        ex.runAll();
        assertEquals(List.of(10), s.items(), "only the newest, once");
        w.set(11);
        w.set(12);
        ex.runAll();
        assertEquals(List.of(10, 12), s.items());
        assertEquals(0, ex.pending());
    }

    @Test
    void closeDeliversTheNewestUnseenValueThenCompletes() {
        ManualExecutor ex = new ManualExecutor();
        Watch<Integer> w = Channels.watch(1, ex);
        TestSubscriber<Integer> behind = TestSubscriber.create(0);
        TestSubscriber<Integer> upToDate = TestSubscriber.create(1);
        w.subscribe(behind);
        w.subscribe(upToDate);
        ex.runAll();
        assertEquals(List.of(1), upToDate.items());
        w.set(2);
        upToDate.request(1);
        ex.runAll();
        w.close();
        w.close(); // idempotent
        ex.runAll();
        upToDate.assertCompleted(); // saw the newest: completes without demand (RS 1.4)
        assertEquals(List.of(1, 2), upToDate.items());
        behind.assertNotTerminated(); // the newest value waits for demand
        behind.request(1);
        ex.runAll();
        behind.assertCompleted();
        assertEquals(List.of(2), behind.items());
        assertFalse(w.set(3));
        assertEquals(2, w.get(), "the value stays readable");
        assertTrue(w.isClosed());
        TestSubscriber<Integer> late = TestSubscriber.create();
        w.subscribe(late);
        ex.runAll();
        late.assertCompleted();
        assertEquals(List.of(2), late.items(), "a late subscriber still gets the current value first");
        assertEquals(0, w.subscriberCount());
    }

    @Test
    void failDeliversTheNewestUnseenValueThenTheError() {
        Watch<Integer> w = Channels.watch(1);
        TestSubscriber<Integer> s = TestSubscriber.create();
        w.subscribe(s);
        s.awaitCount(1);
        IllegalStateException boom = new IllegalStateException("boom");
        assertTrue(w.fail(boom));
        assertFalse(w.fail(new RuntimeException("second")));
        assertSame(boom, w.error());
        s.awaitTerminal().assertFailedWith(boom);
        assertEquals(List.of(1), s.items());
        Watch<Integer> empty = Channels.watch();
        empty.fail(boom);
        TestSubscriber<Integer> late = TestSubscriber.create(0);
        empty.subscribe(late);
        late.awaitTerminal().assertFailedWith(boom); // RS 1.9: onSubscribe then onError
    }

    @Test
    void aCancelledSubscriberLeaves() {
        Watch<Integer> w = Channels.watch(1);
        TestSubscriber<Integer> s = TestSubscriber.create(0);
        w.subscribe(s);
        s.awaitSubscribed();
        assertEquals(1, w.subscriberCount());
        s.cancel();
        Await.until(() -> w.subscriberCount() == 0, "the cancelled subscriber to leave");
        w.set(2);
        assertEquals(List.of(), s.items());
    }

    @Test
    void badInputGetsAClearTypedError() {
        Watch<Integer> w = Channels.watch(1);
        assertThrows(NullPointerException.class, () -> w.set(null)); // RS 2.13
        assertThrows(NullPointerException.class, () -> w.subscribe(null)); // RS 1.9
        assertThrows(NullPointerException.class, () -> w.fail(null));
        assertThrows(NullPointerException.class, () -> Channels.watch(null));
        assertThrows(NullPointerException.class, () -> Channels.watch(1, null));
        assertEquals(1, w.get(), "nothing changed");
        assertEquals(1, w.version());
        for (long bad : new long[] {0L, -1L}) {
            TestSubscriber<Integer> s = TestSubscriber.create(0);
            w.subscribe(s);
            s.awaitSubscribed();
            s.request(bad);
            s.awaitTerminal().assertFailed(IllegalArgumentException.class); // RS 3.9
            assertEquals(List.of(), s.items());
        }
        assertFalse(w.isClosed(), "the watch is still sound");
    }
}
