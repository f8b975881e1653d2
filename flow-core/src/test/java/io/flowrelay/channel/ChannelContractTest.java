package io.flowrelay.channel;

import io.flowrelay.test.Await;
import io.flowrelay.test.Forked;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The behaviour every kind of {@link Channel} promises, written once; one subclass per kind
 * supplies the channel and says what the kind can do.
 */
abstract class ChannelContractTest {

    /** A new, open channel of the kind under test. */
    abstract <T> Channel<T> newChannel();

    /** Items can wait in the channel with nobody receiving: {@code trySend} is OK without a waiting receiver. */
    abstract boolean buffers();

    /** A send can find no room: {@code trySend} then reports FULL, {@code send} waits, {@code sendAsync} pends. */
    abstract boolean canBeFull();

    /** Fills the channel with 0, 1, 2 ... until {@code trySend} reports FULL; returns what went in. */
    static List<Integer> fill(Channel<Integer> ch) {
        List<Integer> in = new ArrayList<>();
        for (int i = 0; ; i++) {
            SendResult r = ch.trySend(i);
            if (r == SendResult.FULL) {
                return in;
            }
            assertEquals(SendResult.OK, r);
            in.add(i);
            assertTrue(i < 1 << 20, "channel never became full");
        }
    }

    static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().collect(Collectors.toList());
    }

    /** Sends {@code items} with blocking {@code send} on a new thread. */
    static Forked<Void> sendAll(Sender<Integer> ch, List<Integer> items) {
        return Forked.start("producer", () -> {
            for (Integer i : items) {
                ch.send(i);
            }
            return null;
        });
    }

    static Throwable failureOf(CompletionStage<?> stage) {
        CompletableFuture<?> f = stage.toCompletableFuture();
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    // ------------------------------------------------------------------ send / receive

    @Test
    void receiveGetsItemsInTheOrderTheyWereSent() throws Exception {
        Channel<Integer> ch = newChannel();
        Forked<Void> producer = sendAll(ch, range(0, 1000));
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, ch.receive());
        }
        producer.join();
        assertNull(ch.poll());
    }

    @Test
    void trySendIsOkWhenThereIsRoomOrAWaitingReceiver() throws Exception {
        Channel<Integer> ch = newChannel();
        if (buffers()) {
            assertEquals(SendResult.OK, ch.trySend(1));
            assertEquals(SendResult.OK, ch.trySend(2));
            assertEquals(2, ch.size());
            assertEquals(1, ch.poll());
            assertEquals(2, ch.poll());
        } else {
            assertEquals(SendResult.FULL, ch.trySend(0), "no receiver waits yet");
            Forked<Integer> receiver = Forked.start("receiver", ch::receive);
            Await.parkedInChannel(receiver.thread());
            assertEquals(SendResult.OK, ch.trySend(1));
            assertEquals(1, receiver.join());
        }
        assertNull(ch.poll(), "nothing else was sent");
    }

    @Test
    void trySendIsFullWhenThereIsNoRoomAndChangesNothing() {
        assumeTrue(canBeFull());
        Channel<Integer> ch = newChannel();
        List<Integer> in = fill(ch);
        assertEquals(SendResult.FULL, ch.trySend(-1));
        assertEquals(SendResult.FULL, ch.trySend(-2));
        List<Integer> out = new ArrayList<>();
        for (Integer v; (v = ch.poll()) != null; ) {
            out.add(v);
        }
        assertEquals(in, out, "a FULL trySend must leave the channel as it was");
        assertFalse(ch.isClosed());
    }

    @Test
    void sendsAreRefusedAfterClose() throws Exception {
        Channel<Integer> ch = newChannel();
        ch.close();
        assertTrue(ch.isClosed());
        assertEquals(SendResult.CLOSED, ch.trySend(1));
        ChannelClosedException e = assertThrows(ChannelClosedException.class, () -> ch.send(1));
        assertNull(e.getCause());
        assertInstanceOf(ChannelClosedException.class, failureOf(ch.sendAsync(1)));
        assertNull(ch.poll(), "refused items are not enqueued");
        assertTrue(ch.isTerminated());
    }

    @Test
    void sendsAreRefusedAfterFailWithTheErrorAsCause() {
        Channel<Integer> ch = newChannel();
        IllegalStateException boom = new IllegalStateException("boom");
        assertTrue(ch.fail(boom));
        assertFalse(ch.fail(new RuntimeException("second")), "fail only once");
        ch.close(); // no effect
        assertSame(boom, ch.error());
        assertEquals(SendResult.CLOSED, ch.trySend(1));
        ChannelClosedException e = assertThrows(ChannelClosedException.class, () -> ch.send(1));
        assertSame(boom, e.getCause());
        Throwable async = failureOf(ch.sendAsync(1));
        assertInstanceOf(ChannelClosedException.class, async);
        assertSame(boom, async.getCause());
    }

    @Test
    void failAfterCloseDoesNothing() throws Exception {
        Channel<Integer> ch = newChannel();
        ch.close();
        assertFalse(ch.fail(new RuntimeException("late")));
        assertNull(ch.error());
        ChannelClosedException e = assertThrows(ChannelClosedException.class, ch::receive);
        assertNull(e.getCause(), "the channel closed normally");
    }

    @Test
    void pollReturnsNullWhenNothingIsThere() {
        Channel<Integer> ch = newChannel();
        assertNull(ch.poll());
        ch.close();
        assertNull(ch.poll(), "poll never throws, also when closed");
    }

    @Test
    void pollTakesWhatWasSentInOrder() throws Exception {
        Channel<Integer> ch = newChannel();
        CompletionStage<Void> first = ch.sendAsync(1);
        CompletionStage<Void> second = ch.sendAsync(2);
        assertEquals(1, ch.poll());
        assertEquals(2, ch.poll());
        assertNull(ch.poll());
        first.toCompletableFuture().get(10, TimeUnit.SECONDS);
        second.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void receiveWithTimeoutReturnsAnItemOrNull() throws Exception {
        Channel<Integer> ch = newChannel();
        assertNull(ch.receive(1, TimeUnit.MILLISECONDS), "nothing was sent");
        CompletionStage<Void> sent = ch.sendAsync(7);
        assertEquals(7, ch.receive(10, TimeUnit.SECONDS));
        sent.toCompletableFuture().get(10, TimeUnit.SECONDS);
        ch.close();
        assertThrows(ChannelClosedException.class, () -> ch.receive(10, TimeUnit.SECONDS));
    }

    @Test
    void receiveIsInterruptible() {
        Channel<Integer> ch = newChannel();
        Forked<Integer> receiver = Forked.start("receiver", ch::receive);
        Await.parkedInChannel(receiver.thread());
        receiver.thread().interrupt();
        assertInstanceOf(InterruptedException.class, receiver.failure());

        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, ch::receive, "an interrupted thread does not wait");
        assertFalse(Thread.interrupted());
    }

    // ------------------------------------------------------------------ closing

    @Test
    void iterationEndsAtClose() {
        Channel<Integer> ch = newChannel();
        Forked<Void> producer = Forked.start("producer", () -> {
            for (int i = 0; i < 100; i++) {
                ch.send(i);
            }
            ch.close();
            return null;
        });
        List<Integer> got = new ArrayList<>();
        for (Integer v : ch) {
            got.add(v);
        }
        producer.join();
        assertEquals(range(0, 100), got);
        assertTrue(ch.isTerminated());
    }

    @Test
    void iterationThrowsAfterTheItemsOfAFailedChannel() {
        Channel<Integer> ch = newChannel();
        IllegalStateException boom = new IllegalStateException("boom");
        Forked<Void> producer = Forked.start("producer", () -> {
            for (int i = 0; i < 10; i++) {
                ch.send(i);
            }
            ch.fail(boom);
            return null;
        });
        List<Integer> got = new ArrayList<>();
        ChannelClosedException e = assertThrows(ChannelClosedException.class, () -> {
            for (Integer v : ch) {
                got.add(v);
            }
        });
        producer.join();
        assertSame(boom, e.getCause());
        assertEquals(range(0, 10), got, "items sent before fail() come first");
    }

    @Test
    void closeDeliversSentItemsThenOnComplete() {
        Channel<Integer> ch = newChannel();
        TestSubscriber<Integer> ts = TestSubscriber.create();
        ch.subscribe(ts);
        ts.awaitSubscribed();
        Forked<Void> producer = Forked.start("producer", () -> {
            for (int i = 0; i < 200; i++) {
                ch.send(i);
            }
            ch.close();
            return null;
        });
        producer.join();
        ts.awaitTerminal().assertCompleted();
        assertEquals(range(0, 200), ts.items());
        assertTrue(ch.isTerminated());
    }

    @Test
    void closeDeliversQueuedItemsToALateSubscriberThenOnComplete() {
        Channel<Integer> ch = newChannel();
        List<Integer> queued = buffers() ? range(0, 10) : List.of();
        for (Integer i : queued) {
            assertEquals(SendResult.OK, ch.trySend(i));
        }
        ch.close();
        assertEquals(!buffers(), ch.isTerminated(), "terminated only once drained");
        TestSubscriber<Integer> ts = TestSubscriber.create();
        ch.subscribe(ts);
        ts.awaitTerminal().assertCompleted();
        assertEquals(queued, ts.items());
        assertTrue(ch.isTerminated());
    }

    @Test
    void failDeliversSentItemsThenOnError() {
        Channel<Integer> ch = newChannel();
        IllegalStateException boom = new IllegalStateException("boom");
        TestSubscriber<Integer> ts = TestSubscriber.create();
        ch.subscribe(ts);
        ts.awaitSubscribed();
        Forked<Void> producer = Forked.start("producer", () -> {
            for (int i = 0; i < 200; i++) {
                ch.send(i);
            }
            ch.fail(boom);
            return null;
        });
        producer.join();
        ts.awaitTerminal().assertFailedWith(boom);
        assertEquals(range(0, 200), ts.items());
    }

    @Test
    void failDeliversQueuedItemsToALateSubscriberThenOnError() {
        Channel<Integer> ch = newChannel();
        List<Integer> queued = buffers() ? range(0, 10) : List.of();
        for (Integer i : queued) {
            assertEquals(SendResult.OK, ch.trySend(i));
        }
        IllegalStateException boom = new IllegalStateException("boom");
        ch.fail(boom);
        TestSubscriber<Integer> ts = TestSubscriber.create();
        ch.subscribe(ts);
        ts.awaitTerminal().assertFailedWith(boom);
        assertEquals(queued, ts.items());
    }

    @Test
    void receiveAfterCloseAndDrainThrowsChannelClosedException() throws Exception {
        Channel<Integer> ch = newChannel();
        Forked<Void> producer = Forked.start("producer", () -> {
            for (int i = 0; i < 5; i++) {
                ch.send(i);
            }
            ch.close();
            return null;
        });
        for (int i = 0; i < 5; i++) {
            assertEquals(i, ch.receive());
        }
        producer.join();
        ChannelClosedException e = assertThrows(ChannelClosedException.class, ch::receive);
        assertNull(e.getCause());
        assertNull(ch.error());
        assertTrue(ch.isTerminated());
        assertThrows(ChannelClosedException.class, ch::receive, "and again");
    }

    @Test
    void receiveAfterFailAndDrainThrowsWithTheErrorAsCause() throws Exception {
        Channel<Integer> ch = newChannel();
        IllegalStateException boom = new IllegalStateException("boom");
        Forked<Void> producer = Forked.start("producer", () -> {
            for (int i = 0; i < 5; i++) {
                ch.send(i);
            }
            ch.fail(boom);
            return null;
        });
        for (int i = 0; i < 5; i++) {
            assertEquals(i, ch.receive());
        }
        producer.join();
        ChannelClosedException e = assertThrows(ChannelClosedException.class, ch::receive);
        assertSame(boom, e.getCause());
        assertSame(boom, ch.error());
        assertTrue(ch.isTerminated());
    }

    @Test
    void closeReleasesABlockedReceiver() {
        Channel<Integer> ch = newChannel();
        Forked<Integer> receiver = Forked.start("receiver", ch::receive);
        Await.parkedInChannel(receiver.thread());
        ch.close();
        ChannelClosedException e = assertInstanceOf(ChannelClosedException.class, receiver.failure());
        assertNull(e.getCause());
    }

    @Test
    void closeIsIdempotent() {
        Channel<Integer> ch = newChannel();
        TestSubscriber<Integer> ts = TestSubscriber.create();
        ch.subscribe(ts);
        ch.close();
        ch.close();
        ts.awaitTerminal().assertCompleted();
        assertTrue(ch.isClosed());
    }

    // ------------------------------------------------------------------ sendAsync

    @Test
    void sendAsyncCompletesWhenTheChannelTookTheItem() throws Exception {
        Channel<Integer> ch = newChannel();
        CompletableFuture<Void> f = ch.sendAsync(1).toCompletableFuture();
        assertEquals(buffers(), f.isDone(), "with room it completes at once; else it waits for a taker");
        assertEquals(1, ch.receive());
        f.get(10, TimeUnit.SECONDS);
        assertFalse(f.isCompletedExceptionally());
    }

    @Test
    void pendingSendAsyncsCompleteInSendOrder() throws Exception {
        assumeTrue(canBeFull());
        Channel<Integer> ch = newChannel();
        List<Integer> in = fill(ch);
        List<Integer> completed = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (int k = 100; k < 110; k++) {
            int item = k;
            CompletableFuture<Void> f = ch.sendAsync(item).toCompletableFuture();
            f.thenRun(() -> completed.add(item));
            pending.add(f);
        }
        for (CompletableFuture<Void> f : pending) {
            assertFalse(f.isDone(), "no room yet");
        }
        List<Integer> expected = new ArrayList<>(in);
        expected.addAll(range(100, 110));
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            got.add(ch.receive());
        }
        assertEquals(expected, got, "pending items come after the queued ones, in send order");
        for (CompletableFuture<Void> f : pending) {
            f.get(10, TimeUnit.SECONDS);
        }
        assertEquals(range(100, 110), completed, "stages complete in send order");
        assertNull(ch.poll());
    }

    @Test
    void pendingSendAsyncFailsOnCloseAndItsItemIsNotDelivered() throws Exception {
        assumeTrue(canBeFull());
        Channel<Integer> ch = newChannel();
        List<Integer> in = fill(ch);
        CompletionStage<Void> pending = ch.sendAsync(-1);
        assertFalse(pending.toCompletableFuture().isDone());
        ch.close();
        assertInstanceOf(ChannelClosedException.class, failureOf(pending));
        List<Integer> got = new ArrayList<>();
        for (Integer v : ch) {
            got.add(v);
        }
        assertEquals(in, got, "queued items are still delivered, the refused one is not");
    }

    @Test
    void aSenderBlockedOnAFullChannelIsReleasedByClose() {
        assumeTrue(canBeFull());
        Channel<Integer> ch = newChannel();
        List<Integer> in = fill(ch);
        Forked<Void> sender = sendAll(ch, List.of(-1));
        Await.parkedInChannel(sender.thread());
        ch.close();
        assertInstanceOf(ChannelClosedException.class, sender.failure());
        List<Integer> got = new ArrayList<>();
        ch.forEach(got::add);
        assertEquals(in, got);
    }

    // ------------------------------------------------------------------ producer handles

    @Test
    void theChannelClosesWhenItsLastProducerHandleCloses() throws Exception {
        Channel<Integer> ch = newChannel();
        Sender<Integer> a = ch.producer();
        Sender<Integer> b = ch.producer();

        Forked<Integer> first = Forked.start("receiver-1", ch::receive);
        Await.parkedInChannel(first.thread());
        b.send(7);
        assertEquals(7, first.join(), "a handle sends into its channel");

        a.close();
        a.close(); // idempotent: releases its count once
        assertTrue(a.isClosed());
        assertFalse(b.isClosed());
        assertFalse(ch.isClosed(), "b is still open");
        assertEquals(SendResult.CLOSED, a.trySend(1));
        assertThrows(ChannelClosedException.class, () -> a.send(1));
        assertInstanceOf(ChannelClosedException.class, failureOf(a.sendAsync(1)));

        Forked<Integer> second = Forked.start("receiver-2", ch::receive);
        Await.parkedInChannel(second.thread());
        b.close();
        assertTrue(ch.isClosed());
        assertTrue(b.isClosed());
        assertInstanceOf(ChannelClosedException.class, second.failure(), "a blocked receive is released");
        assertNull(ch.poll(), "the refused sends of a closed handle were not enqueued");
    }

    @Test
    void closingTheChannelClosesItsProducerHandles() {
        Channel<Integer> ch = newChannel();
        Sender<Integer> a = ch.producer();
        ch.close();
        assertTrue(a.isClosed());
        assertEquals(SendResult.CLOSED, a.trySend(1));
        a.close(); // harmless
        assertTrue(ch.isClosed());
    }

    // ------------------------------------------------------------------ subscribers

    @Test
    void aSubscriberThatRequestedOneGetsExactlyOne() throws Exception {
        Channel<Integer> ch = newChannel();
        TestSubscriber<Integer> ts = TestSubscriber.create(1);
        ch.subscribe(ts);
        ts.awaitSubscribed();
        Forked<Void> producer = sendAll(ch, List.of(1, 2, 3));
        ts.awaitCount(1);
        assertEquals(2, ch.receive(), "the subscriber did not take a second item");
        assertEquals(3, ch.receive());
        producer.join();
        assertEquals(List.of(1), ts.items());
        ts.assertNotTerminated();

        ch.close();
        ts.awaitTerminal().assertCompleted(); // RS 1.4: completion needs no demand
        assertEquals(List.of(1), ts.items());
    }

    @Test
    void competingSubscribersEachGetADistinctShareInOrder() {
        Channel<Integer> ch = newChannel();
        TestSubscriber<Integer> a = TestSubscriber.create();
        TestSubscriber<Integer> b = TestSubscriber.create();
        ch.subscribe(a);
        ch.subscribe(b);
        a.awaitSubscribed();
        b.awaitSubscribed();
        Forked<Void> producer = Forked.start("producer", () -> {
            for (int i = 0; i < 2000; i++) {
                ch.send(i);
            }
            ch.close();
            return null;
        });
        producer.join();
        a.awaitTerminal().assertCompleted();
        b.awaitTerminal().assertCompleted();
        List<Integer> all = new ArrayList<>(a.items());
        all.addAll(b.items());
        Collections.sort(all);
        assertEquals(range(0, 2000), all, "every item exactly once");
        assertAscending(a.items());
        assertAscending(b.items());
    }

    @Test
    void aSubscriberWithoutDemandCompletesWhenOthersTakeTheLastItems() {
        assumeTrue(buffers());
        Channel<Integer> ch = newChannel();
        for (int i = 0; i < 4; i++) {
            assertEquals(SendResult.OK, ch.trySend(i));
        }
        TestSubscriber<Integer> idle = TestSubscriber.create(0);
        ch.subscribe(idle);
        idle.awaitSubscribed();
        ch.close();
        TestSubscriber<Integer> worker = TestSubscriber.create();
        ch.subscribe(worker);
        worker.awaitTerminal().assertCompleted();
        assertEquals(range(0, 4), worker.items());
        // the channel is closed and drained: "then consumers see completion" (RS 1.4: no demand needed)
        idle.awaitTerminal().assertCompleted();
        assertEquals(List.of(), idle.items());
    }

    @Test
    void finishedSubscribersAreRemoved() {
        Channel<Integer> ch = newChannel();
        assertEquals(0, ch.subscriberCount());
        TestSubscriber<Integer> a = TestSubscriber.create();
        TestSubscriber<Integer> b = TestSubscriber.create();
        ch.subscribe(a);
        ch.subscribe(b);
        assertEquals(2, ch.subscriberCount());
        a.awaitSubscribed().cancel();
        Await.until(() -> ch.subscriberCount() == 1, "the cancelled subscriber to be removed");
        ch.close();
        b.awaitTerminal().assertCompleted();
        Await.until(() -> ch.subscriberCount() == 0, "the completed subscriber to be removed");
        a.assertNotTerminated(); // RS 1.8: it cancelled before close, so no terminal signal
    }

    static void assertAscending(List<Integer> items) {
        for (int i = 1; i < items.size(); i++) {
            assertTrue(items.get(i - 1) < items.get(i), () -> "out of order: " + items);
        }
    }
}
