package io.flowrelay.channel;

import io.flowrelay.test.Await;
import io.flowrelay.test.Forked;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each {@link Overflow} policy does with a send into a full bounded channel. */
class OverflowTest {

    private final List<Integer> dropped = Collections.synchronizedList(new ArrayList<>());
    private final Consumer<Integer> onDrop = dropped::add;

    private Channel<Integer> channel(Overflow overflow) {
        return Channels.<Integer>builder().capacity(4).overflow(overflow).onDrop(onDrop).build();
    }

    private static List<Integer> drain(Channel<Integer> ch) {
        List<Integer> out = new ArrayList<>();
        for (Integer v; (v = ch.poll()) != null; ) {
            out.add(v);
        }
        return out;
    }

    @Test
    void blockMakesTheSenderWaitAndDropsNothing() throws Exception {
        Channel<Integer> ch = channel(Overflow.BLOCK);
        for (int i = 0; i < 4; i++) {
            assertEquals(SendResult.OK, ch.trySend(i));
        }
        assertEquals(SendResult.FULL, ch.trySend(4));
        CompletableFuture<Void> async = ch.sendAsync(5).toCompletableFuture();
        Forked<Void> sender = Forked.start("sender", () -> {
            ch.send(6);
            return null;
        });
        Await.parkedInChannel(sender.thread());
        assertFalse(sender.isDone(), "send waits while the channel is full");
        assertFalse(async.isDone(), "sendAsync pends while the channel is full");

        assertEquals(0, ch.poll());
        async.get(10, TimeUnit.SECONDS); // the room went to the older pending send
        assertEquals(1, ch.poll());
        sender.join();
        assertEquals(List.of(2, 3, 5, 6), drain(ch));
        assertEquals(List.of(), dropped, "BLOCK never drops");
    }

    @Test
    void dropNewestHandsTheNewItemsToOnDrop() throws Exception {
        Channel<Integer> ch = channel(Overflow.DROP_NEWEST);
        for (int i = 0; i < 4; i++) {
            assertEquals(SendResult.OK, ch.trySend(i));
        }
        assertEquals(SendResult.OK, ch.trySend(4), "a dropping send still reports OK");
        ch.send(5); // does not wait
        assertTrue(ch.sendAsync(6).toCompletableFuture().isDone());
        assertEquals(List.of(4, 5, 6), dropped);
        assertEquals(List.of(0, 1, 2, 3), drain(ch));
        assertEquals(SendResult.OK, ch.trySend(7));
        assertEquals(List.of(4, 5, 6), dropped, "with room nothing is dropped");
        assertEquals(List.of(7), drain(ch));
    }

    @Test
    void dropOldestHandsTheOldestItemsToOnDrop() throws Exception {
        Channel<Integer> ch = channel(Overflow.DROP_OLDEST);
        for (int i = 0; i < 4; i++) {
            assertEquals(SendResult.OK, ch.trySend(i));
        }
        assertEquals(SendResult.OK, ch.trySend(4));
        ch.send(5);
        assertTrue(ch.sendAsync(6).toCompletableFuture().isDone());
        assertEquals(List.of(0, 1, 2), dropped);
        assertEquals(List.of(3, 4, 5, 6), drain(ch));
    }

    @Test
    void dropOldestUnderConcurrentSendsLosesNothingSilently() {
        Channel<Integer> ch = channel(Overflow.DROP_OLDEST);
        int perProducer = 20_000;
        io.flowrelay.test.Race.race(4, p -> {
            for (int i = 0; i < perProducer; i++) {
                assertEquals(SendResult.OK, ch.trySend(p * perProducer + i));
            }
        });
        List<Integer> kept = drain(ch);
        assertTrue(kept.size() <= 4);
        List<Integer> all = new ArrayList<>(dropped);
        all.addAll(kept);
        Collections.sort(all);
        assertEquals(ChannelContractTest.range(0, 4 * perProducer), all, "each item is either kept or handed to onDrop, once");
    }

    @Test
    void failRefusesSendsIntoAFullChannel() throws Exception {
        Channel<Integer> ch = Channels.<Integer>builder().capacity(4).overflow(Overflow.FAIL).build();
        for (int i = 0; i < 4; i++) {
            assertEquals(SendResult.OK, ch.trySend(i));
        }
        assertEquals(SendResult.FULL, ch.trySend(4));
        assertThrows(ChannelFullException.class, () -> ch.send(5));
        CompletableFuture<Void> async = ch.sendAsync(6).toCompletableFuture();
        ExecutionException e = assertThrows(ExecutionException.class, () -> async.get(10, TimeUnit.SECONDS));
        assertInstanceOf(ChannelFullException.class, e.getCause());
        assertEquals(List.of(0, 1, 2, 3), drain(ch), "refused items were not enqueued");
        ch.send(7); // room again
        assertEquals(List.of(7), drain(ch));
    }

    @Test
    void failHandsNothingToOnDrop() {
        Channel<Integer> ch = channel(Overflow.FAIL);
        for (int i = 0; i < 4; i++) {
            ch.trySend(i);
        }
        assertThrows(ChannelFullException.class, () -> ch.send(5));
        assertEquals(SendResult.FULL, ch.trySend(6));
        assertEquals(List.of(), dropped, "a refused send is reported to the caller, not dropped");
    }

    @ParameterizedTest
    @EnumSource(value = Overflow.class, names = {"DROP_NEWEST", "DROP_OLDEST"})
    void theBuilderRefusesADropPolicyWithoutOnDrop(Overflow overflow) {
        Channels.Builder<Integer> b = Channels.<Integer>builder().capacity(4).overflow(overflow);
        assertThrows(IllegalStateException.class, b::build);
        assertThrows(NullPointerException.class, () -> Channels.bounded(4, overflow, null));
    }

    @ParameterizedTest
    @EnumSource(value = Overflow.class, names = {"DROP_NEWEST", "DROP_OLDEST", "FAIL"})
    void onlyBoundedChannelsTakeAPolicyOtherThanBlock(Overflow overflow) {
        assertThrows(IllegalStateException.class,
                () -> Channels.<Integer>builder().unbounded().overflow(overflow).onDrop(onDrop).build());
        assertThrows(IllegalStateException.class,
                () -> Channels.<Integer>builder().capacity(0).overflow(overflow).onDrop(onDrop).build());
        assertEquals(overflow, channel(overflow).overflow());
    }

    @Test
    void rendezvousSendCompletesOnlyAfterAReceiverTookTheItem() throws Exception {
        Channel<Integer> ch = Channels.rendezvous();
        assertEquals(SendResult.FULL, ch.trySend(0), "no receiver: nothing to hand the item to");
        assertNull(ch.poll());

        Forked<Void> sender = Forked.start("sender", () -> {
            ch.send(42);
            return null;
        });
        Await.parkedInChannel(sender.thread());
        assertFalse(sender.isDone(), "no receiver yet: the send waits");
        assertEquals(42, ch.receive());
        sender.join();

        // the other way round: the receiver waits first, the send hands over and returns
        Forked<Integer> receiver = Forked.start("receiver", ch::receive);
        Await.parkedInChannel(receiver.thread());
        ch.send(43);
        assertEquals(43, receiver.join());
    }

    @Test
    void rendezvousSendAsyncCompletesWhenTheItemIsTaken() {
        Channel<Integer> ch = Channels.rendezvous();
        CompletableFuture<Void> f = ch.sendAsync(1).toCompletableFuture();
        assertFalse(f.isDone());
        TestSubscriber<Integer> ts = TestSubscriber.create(0);
        ch.subscribe(ts);
        ts.awaitSubscribed();
        assertFalse(f.isDone(), "a subscriber without demand takes nothing");
        ts.request(1);
        ts.awaitCount(1);
        assertTrue(f.isDone() && !f.isCompletedExceptionally(), "the item was taken before it was delivered");
        assertEquals(List.of(1), ts.items());
    }
}
