package io.flowrelay.channel;

import io.flowrelay.test.Await;
import io.flowrelay.test.Forked;
import io.flowrelay.test.RecordingSubscription;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A channel used as a {@link java.util.concurrent.Flow.Subscriber}: it asks its upstream only for
 * as many items as it has room for, asks again as consumers drain it, and ends as its upstream ends.
 */
class ChannelAsSubscriberTest {

    /**
     * One thread plays upstream and consumer in turns: upstream emits all it was asked for, the
     * consumer polls a varying number; after every step the channel has asked for no more than
     * its capacity plus what was consumed.
     */
    private static void driveAndCheckWindow(Channel<Integer> ch, long window) {
        RecordingSubscription up = new RecordingSubscription();
        ch.onSubscribe(up);
        assertEquals(List.of(window), up.requests(), "the first request is the whole window");
        int emitted = 0;
        int consumed = 0;
        for (int round = 0; round < 60; round++) {
            while (emitted < up.totalRequested()) {
                ch.onNext(emitted++);
                assertTrue(up.totalRequested() <= window + consumed,
                        "requested " + up.totalRequested() + " with window " + window + " and " + consumed + " consumed");
            }
            int take = round % 7 + 1;
            for (int k = 0; k < take; k++) {
                Integer v = ch.poll();
                if (v == null) {
                    break;
                }
                assertEquals(consumed, v, "upstream order is kept");
                consumed++;
                assertTrue(up.totalRequested() <= window + consumed,
                        "requested " + up.totalRequested() + " with window " + window + " and " + consumed + " consumed");
            }
        }
        assertTrue(up.totalRequested() > window, "it asked again as it drained: " + up.requests());
        assertTrue(consumed > 4 * window, "the stream kept flowing: " + consumed + " consumed");
        assertFalse(up.isCancelled());
    }

    @Test
    void boundedRequestsItsCapacityAndAsksAgainAsItDrains() {
        Channel<Integer> ch = Channels.bounded(8);
        driveAndCheckWindow(ch, ch.capacity());
        assertTrue(ch.size() <= ch.capacity());
    }

    @Test
    void unboundedKeepsItsPrefetchRequested() {
        Channel<Integer> ch = Channels.<Integer>builder().unbounded().prefetch(16).build();
        driveAndCheckWindow(ch, 16);
    }

    @Test
    void rendezvousRequestsOneAtATime() throws Exception {
        Channel<Integer> ch = Channels.rendezvous();
        RecordingSubscription up = new RecordingSubscription();
        ch.onSubscribe(up);
        assertEquals(List.of(1L), up.requests());
        for (int i = 0; i < 20; i++) {
            assertEquals(i + 1, up.totalRequested());
            ch.onNext(i); // requested, so accepted although nobody waits
            assertEquals(i, ch.receive());
        }
        assertEquals(21, up.totalRequested());
    }

    @RepeatedTest(3) // the race it looks for (an item between outstanding and the buffer) is narrow
    void demandCarriesThroughUnderConcurrency() throws Exception {
        Channel<Integer> ch = Channels.bounded(16);
        int n = 150_000;
        Semaphore permits = new Semaphore(0);
        List<String> breaches = Collections.synchronizedList(new ArrayList<>());
        TestSubscriber<Integer> ts = TestSubscriber.<Integer>create(3).onNextHook((s, v) -> {
            if (v % 3 == 2) {
                s.request(3);
            }
        });
        RecordingSubscription up = new RecordingSubscription();
        Thread[] upstreamThread = new Thread[1];
        up.onRequest(k -> {
            long total = up.totalRequested();
            // consumed = taken out of the channel. On the delivering thread (after a batch) every
            // item it took is recorded; a request made on the upstream thread may come while the
            // delivery loop holds one item it took and has not handed to onNext yet.
            int consumed = ts.itemCount() + (Thread.currentThread() == upstreamThread[0] ? 1 : 0);
            if (total > ch.capacity() + consumed) {
                breaches.add("total requested " + total + " > capacity " + ch.capacity() + " + consumed " + consumed
                        + " (on " + Thread.currentThread().getName() + ")");
            }
            permits.release((int) k);
        });
        ch.subscribe(ts);
        ts.awaitSubscribed();
        Forked<Void> upstream = Forked.start("upstream", () -> {
            upstreamThread[0] = Thread.currentThread();
            ch.onSubscribe(up);
            for (int i = 0; i < n; i++) {
                assertTrue(permits.tryAcquire(10, TimeUnit.SECONDS), "upstream got no demand for item " + i);
                ch.onNext(i);
            }
            ch.onComplete();
            return null;
        });
        upstream.join();
        ts.awaitTerminal().assertCompleted();
        assertEquals(n, ts.itemCount());
        List<Integer> items = ts.items();
        for (int i = 0; i < n; i++) {
            assertEquals(i, items.get(i));
        }
        assertEquals(List.of(), breaches, "the channel asked for more than it had room for");
        assertEquals(0, up.cancels(), "a completed upstream is not cancelled (RS 2.4)");
    }

    @Test
    void aRendezvousChannelKeepsAskingWhileReceiversTakeItsItems() throws Exception {
        Channel<Integer> ch = Channels.rendezvous();
        int n = 20_000;
        Semaphore permits = new Semaphore(0);
        RecordingSubscription up = new RecordingSubscription().onRequest(k -> permits.release((int) k));
        Forked<Void> upstream = Forked.start("upstream", () -> {
            ch.onSubscribe(up);
            for (int i = 0; i < n; i++) {
                assertTrue(permits.tryAcquire(10, TimeUnit.SECONDS), "upstream got no demand for item " + i);
                ch.onNext(i); // straight to a parked receiver, or kept until one comes
            }
            ch.onComplete();
            return null;
        });
        for (int i = 0; i < n; i++) {
            Integer v = ch.receive(10, TimeUnit.SECONDS);
            assertEquals(i, v, "item " + i);
        }
        upstream.join();
        assertThrows(ChannelClosedException.class, ch::receive);
        assertTrue(up.totalRequested() <= n + 1, "a window of one: " + up.totalRequested());
    }

    @Test
    void upstreamCompletionClosesTheChannelAfterItsItems() throws Exception {
        Channel<Integer> ch = Channels.bounded(8);
        RecordingSubscription up = new RecordingSubscription();
        ch.onSubscribe(up);
        for (int i = 0; i < 5; i++) {
            ch.onNext(i);
        }
        ch.onComplete();
        assertTrue(ch.isClosed());
        assertFalse(ch.isTerminated(), "its items are still there");
        TestSubscriber<Integer> ts = TestSubscriber.create();
        ch.subscribe(ts);
        ts.awaitTerminal().assertCompleted();
        assertEquals(ChannelContractTest.range(0, 5), ts.items());
        assertThrows(ChannelClosedException.class, ch::receive);
        assertEquals(0, up.cancels(), "RS 2.4: the subscription is over, not cancelled");
    }

    @Test
    void upstreamErrorFailsTheChannelAfterItsItems() throws Exception {
        Channel<Integer> ch = Channels.bounded(8);
        RecordingSubscription up = new RecordingSubscription();
        ch.onSubscribe(up);
        for (int i = 0; i < 5; i++) {
            ch.onNext(i);
        }
        IllegalStateException boom = new IllegalStateException("upstream broke");
        ch.onError(boom);
        assertSame(boom, ch.error());
        for (int i = 0; i < 5; i++) {
            assertEquals(i, ch.receive());
        }
        ChannelClosedException e = assertThrows(ChannelClosedException.class, ch::receive);
        assertSame(boom, e.getCause());
        assertEquals(0, up.cancels());

        TestSubscriber<Integer> late = TestSubscriber.create();
        ch.subscribe(late);
        late.awaitTerminal().assertFailedWith(boom);
    }

    @Test
    void closingTheChannelCancelsUpstreamAndLateItemsGoToOnDrop() {
        List<Integer> dropped = Collections.synchronizedList(new ArrayList<>());
        Channel<Integer> ch = Channels.<Integer>builder().capacity(8).onDrop(dropped::add).build();
        RecordingSubscription up = new RecordingSubscription();
        ch.onSubscribe(up);
        ch.onNext(0);
        ch.close();
        assertEquals(1, up.cancels());
        ch.onNext(1); // RS 2.8: may still come after cancel
        assertEquals(List.of(1), dropped, "never lost silently");
        assertEquals(0, ch.poll());
        assertNull(ch.poll());
        assertTrue(ch.isTerminated());
    }

    @Test
    void requestedItemsAreAcceptedEvenWhenSendsFilledTheBuffer() {
        Channel<Integer> ch = Channels.bounded(4);
        RecordingSubscription up = new RecordingSubscription();
        ch.onSubscribe(up);
        assertEquals(List.of(4L), up.requests());
        for (int i = 0; i < 4; i++) {
            assertEquals(SendResult.OK, ch.trySend(i));
        }
        for (int i = 100; i < 104; i++) {
            ch.onNext(i); // requested earlier: must not be lost
        }
        List<Integer> got = new ArrayList<>();
        for (Integer v; (v = ch.poll()) != null; ) {
            got.add(v);
        }
        assertEquals(List.of(0, 1, 2, 3, 100, 101, 102, 103), got);
    }

    @Test
    void aChannelBetweenTwoStagesCarriesEverything() {
        Channel<Integer> ch = Channels.bounded(32);
        TestSubscriber<Integer> ts = TestSubscriber.create();
        ch.subscribe(ts);
        int n = 20_000;
        try (SubmissionPublisher<Integer> source = new SubmissionPublisher<>()) {
            source.subscribe(ch);
            Await.until(() -> source.getNumberOfSubscribers() == 1, "the channel to subscribe");
            for (int i = 0; i < n; i++) {
                source.submit(i); // blocks while the channel's demand is used up
            }
        } // close(): onComplete to the channel
        ts.awaitTerminal().assertCompleted();
        assertEquals(ChannelContractTest.range(0, n), ts.items());
    }
}
