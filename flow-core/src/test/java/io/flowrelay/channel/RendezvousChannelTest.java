package io.flowrelay.channel;

import io.flowrelay.test.Await;
import io.flowrelay.test.Forked;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RendezvousChannelTest extends ChannelContractTest {

    @Override
    <T> Channel<T> newChannel() {
        return Channels.rendezvous();
    }

    @Override
    boolean buffers() {
        return false;
    }

    @Override
    boolean canBeFull() {
        return true;
    }

    @Test
    void hasNoBuffer() {
        Channel<Integer> ch = newChannel();
        assertEquals(0, ch.capacity());
        CompletableFuture<Void> pending = ch.sendAsync(1).toCompletableFuture();
        assertEquals(0, ch.size(), "a waiting sender keeps its item");
        assertFalse(pending.isDone());
        assertEquals(1, ch.poll());
        assertTrue(pending.isDone(), "the taker completes the stage before poll returns");
    }

    @Test
    void aSendCompletesOnlyWhenASubscriberTakesTheItem() {
        Channel<Integer> ch = newChannel();
        TestSubscriber<Integer> ts = TestSubscriber.create(0);
        ch.subscribe(ts);
        ts.awaitSubscribed();
        Forked<Void> sender = sendAll(ch, List.of(42));
        Await.parkedInChannel(sender.thread());
        assertFalse(sender.isDone(), "nobody took the item: the send waits");
        assertEquals(List.of(), ts.items());
        ts.request(1);
        sender.join();
        ts.awaitCount(1);
        assertEquals(List.of(42), ts.items());
        assertNull(ch.poll());
    }
}
