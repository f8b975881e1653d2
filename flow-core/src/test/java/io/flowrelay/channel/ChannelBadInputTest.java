package io.flowrelay.channel;

import io.flowrelay.internal.DeliveryLoop;
import io.flowrelay.test.Await;
import io.flowrelay.test.Forked;
import io.flowrelay.test.RecordingSubscription;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A caller that breaks the rules gets a clear, typed error, and the channel stays sound. */
class ChannelBadInputTest {

    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of("bounded", (Supplier<Channel<Integer>>) () -> Channels.bounded(16)),
                Arguments.of("unbounded", (Supplier<Channel<Integer>>) Channels::unbounded),
                Arguments.of("rendezvous", (Supplier<Channel<Integer>>) Channels::rendezvous));
    }

    /** Offers 0 .. n-1 without blocking: queued in a buffer, or pending senders of a rendezvous channel. */
    private static void offer(Channel<Integer> ch, int n) {
        for (int i = 0; i < n; i++) {
            ch.sendAsync(i);
        }
    }

    private static List<Integer> drain(Channel<Integer> ch) {
        List<Integer> out = new ArrayList<>();
        for (Integer v; (v = ch.poll()) != null; ) {
            out.add(v);
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void nullItemsAreRefusedWithNullPointerException(String kind, Supplier<Channel<Integer>> factory) {
        Channel<Integer> ch = factory.get();
        assertThrows(NullPointerException.class, () -> ch.send(null));
        assertThrows(NullPointerException.class, () -> ch.trySend(null));
        assertThrows(NullPointerException.class, () -> ch.sendAsync(null));
        assertThrows(NullPointerException.class, () -> ch.onNext(null)); // RS 2.13
        Sender<Integer> handle = ch.producer();
        assertThrows(NullPointerException.class, () -> handle.send(null));
        assertThrows(NullPointerException.class, () -> handle.trySend(null));
        assertThrows(NullPointerException.class, () -> handle.sendAsync(null));
        assertNull(ch.poll(), "nothing was enqueued");
        assertFalse(ch.isClosed(), "a refused null does not break the channel");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void nullArgumentsAreRefusedWithNullPointerException(String kind, Supplier<Channel<Integer>> factory) {
        Channel<Integer> ch = factory.get();
        assertThrows(NullPointerException.class, () -> ch.subscribe(null)); // RS 1.9
        assertThrows(NullPointerException.class, () -> ch.onSubscribe(null)); // RS 2.13
        assertThrows(NullPointerException.class, () -> ch.onError(null)); // RS 2.13
        assertThrows(NullPointerException.class, () -> ch.fail(null));
        assertThrows(NullPointerException.class, () -> ch.receive(1, null));
        assertEquals(0, ch.subscriberCount());
        assertFalse(ch.isClosed());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void aNonPositiveFirstRequestSignalsIllegalArgumentException(String kind, Supplier<Channel<Integer>> factory) {
        for (long bad : new long[] {0L, -1L, Long.MIN_VALUE}) {
            Channel<Integer> ch = factory.get();
            offer(ch, 3);
            TestSubscriber<Integer> ts = TestSubscriber.create(0);
            ch.subscribe(ts);
            ts.awaitSubscribed().request(bad);
            ts.awaitTerminal().assertFailed(IllegalArgumentException.class); // RS 3.9
            assertEquals(List.of(), ts.items());
            assertEquals(List.of(0, 1, 2), drain(ch), "the cancelled subscriber took nothing");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void aNonPositiveRequestAfterItemsStopsDelivery(String kind, Supplier<Channel<Integer>> factory) {
        for (long bad : new long[] {0L, -1L}) {
            Channel<Integer> ch = factory.get();
            offer(ch, 10);
            TestSubscriber<Integer> ts = TestSubscriber.<Integer>create(2).onNextHook((s, v) -> {
                if (v == 1) {
                    s.request(bad);
                }
            });
            ch.subscribe(ts);
            ts.awaitTerminal().assertFailed(IllegalArgumentException.class);
            assertEquals(List.of(0, 1), ts.items(), "no item after the bad request");
            ts.request(5); // ignored: the subscription is cancelled
            assertEquals(ChannelContractTest.range(2, 10), drain(ch), "undelivered items stay for others");
            assertEquals(List.of(0, 1), ts.items());
            ts.assertNoViolations();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void demandAddsUpToLongMaxValueWithoutOverflow(String kind, Supplier<Channel<Integer>> factory) {
        Channel<Integer> ch = factory.get();
        TestSubscriber<Integer> ts = TestSubscriber.<Integer>create(Long.MAX_VALUE).onNextHook((s, v) -> {
            if (v == 0) {
                s.request(Long.MAX_VALUE);
            }
        });
        ch.subscribe(ts);
        ts.awaitSubscribed().request(Long.MAX_VALUE);
        DeliveryLoop<?> loop = (DeliveryLoop<?>) ts.subscription();
        assertEquals(Long.MAX_VALUE, loop.requested(), "RS 3.17: capped, not wrapped");
        Forked<Void> producer = Forked.start("producer", () -> {
            for (int i = 0; i < 1000; i++) {
                ch.send(i);
            }
            ch.close();
            return null;
        });
        producer.join();
        ts.awaitTerminal().assertCompleted();
        assertEquals(ChannelContractTest.range(0, 1000), ts.items());
    }

    @Test
    void largeRequestsCapAtLongMaxValue() {
        Channel<Integer> ch = Channels.bounded(16);
        TestSubscriber<Integer> ts = TestSubscriber.create(Long.MAX_VALUE - 1);
        ch.subscribe(ts);
        ts.awaitSubscribed().request(Long.MAX_VALUE - 1);
        // the subscriber's own request in onSubscribe may land after ours: wait for both
        DeliveryLoop<?> loop = (DeliveryLoop<?>) ts.subscription();
        Await.until(() -> loop.requested() == Long.MAX_VALUE, () -> "demand capped at Long.MAX_VALUE, is " + loop.requested());
        offer(ch, 5);
        ts.awaitCount(5);
        assertEquals(Long.MAX_VALUE, ((DeliveryLoop<?>) ts.subscription()).requested(), "unbounded demand is never decremented");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void aSecondUpstreamSubscriptionIsCancelled(String kind, Supplier<Channel<Integer>> factory) {
        Channel<Integer> ch = factory.get();
        RecordingSubscription first = new RecordingSubscription();
        RecordingSubscription second = new RecordingSubscription();
        ch.onSubscribe(first);
        ch.onSubscribe(second); // RS 2.5
        assertTrue(second.isCancelled());
        assertEquals(List.of(), second.requests(), "nothing is requested from a refused subscription");
        assertFalse(first.isCancelled());
        assertEquals(1, first.requests().size());

        ch.close();
        assertTrue(first.isCancelled(), "closing the channel cancels its upstream");
        RecordingSubscription late = new RecordingSubscription();
        ch.onSubscribe(late);
        assertTrue(late.isCancelled(), "a closed channel takes no upstream");
        assertEquals(List.of(), late.requests());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, -100, Integer.MIN_VALUE, (1 << 30) + 1, Integer.MAX_VALUE})
    void invalidCapacitiesAreRejected(int capacity) {
        assertThrows(IllegalArgumentException.class, () -> Channels.bounded(capacity));
        assertThrows(IllegalArgumentException.class, () -> Channels.builder().capacity(capacity));
        assertThrows(IllegalArgumentException.class, () -> Channel.bounded(capacity));
    }

    @Test
    void theLargestCapacityIsAccepted() {
        assertDoesNotThrow(() -> Channels.builder().capacity(1 << 30)); // not built: that would allocate 2^30 slots
        assertEquals(0, Channels.builder().capacity(0).build().capacity(), "0 makes a rendezvous channel");
    }

    @Test
    void invalidBuilderOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Channels.builder().batch(0));
        assertThrows(IllegalArgumentException.class, () -> Channels.builder().batch(-1));
        assertThrows(IllegalArgumentException.class, () -> Channels.builder().prefetch(0));
        assertThrows(NullPointerException.class, () -> Channels.builder().overflow(null));
        assertThrows(NullPointerException.class, () -> Channels.builder().onDrop(null));
        assertThrows(NullPointerException.class, () -> Channels.builder().executor(null));
    }

    @Test
    void receiveWithANegativeTimeoutDoesNotWait() throws Exception {
        Channel<Integer> ch = Channels.bounded(4);
        assertNull(ch.receive(-5, TimeUnit.SECONDS));
    }
}
