package io.flowrelay.actor;

import io.flowrelay.channel.SendResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.Flow;

import static io.flowrelay.actor.ActorTestKit.WAIT;
import static io.flowrelay.actor.ActorTestKit.awaitTerminated;
import static io.flowrelay.actor.ActorTestKit.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DeadLetters}: a hot publisher of everything undeliverable. */
class DeadLettersTest {

    private final ActorTestKit kit = new ActorTestKit();

    @AfterEach
    void tearDown() throws Exception {
        kit.close();
    }

    @Test
    void aSubscriberGetsTheLettersPublishedAfterItSubscribedWithReasonAndCause() {
        ActorSystem system = kit.system("letters");
        ActorRef<String> gone = system.spawn("gone", () -> (ctx, m) -> Behaviors.stopped());
        gone.tell("stop");
        awaitTerminated(gone);
        assertEquals(SendResult.CLOSED, gone.tell("before"));
        assertEquals(1, system.deadLetters().count());

        DeadLetterCollector c = ActorTestKit.deadLetters(system);
        get(c.subscription);
        ActorRef<String> failing = system.spawn("failing", () -> (ctx, m) -> {
            throw new IllegalArgumentException("cannot handle " + m);
        }, ActorOptions.defaults().supervision(SupervisorStrategy.resume()));
        failing.tell("x");
        DeadLetter failed = c.await(d -> true, 1).get(0);
        gone.tell("after");

        List<DeadLetter> got = c.await(d -> true, 2);
        assertSame(failed, got.get(0));
        assertSame(failing, failed.recipient());
        assertEquals("x", failed.message());
        assertEquals(DeadLetter.Reason.FAILED, failed.reason());
        assertInstanceOf(IllegalArgumentException.class, failed.cause());
        assertEquals("cannot handle x", failed.cause().getMessage());
        DeadLetter stopped = got.get(1);
        assertEquals(new DeadLetter(gone, "after", DeadLetter.Reason.STOPPED, null), stopped);
        assertEquals(2, got.size(), "not the letter from before the subscription: " + got);
        assertEquals(3, system.deadLetters().count());
        assertEquals(1, failing.stats().deadLettered());
        assertEquals(2, gone.stats().deadLettered());
    }

    @Test
    void everySubscriberGetsEveryLetterAndACancelledOneNoMore() {
        ActorSystem system = kit.system("fan-out");
        ActorRef<String> gone = system.spawn("gone", () -> (ctx, m) -> Behaviors.stopped());
        gone.tell("stop");
        awaitTerminated(gone);
        DeadLetterCollector a = ActorTestKit.deadLetters(system);
        DeadLetterCollector b = ActorTestKit.deadLetters(system);
        get(a.subscription);
        Flow.Subscription sb = get(b.subscription);
        for (int i = 0; i < 100; i++) {
            gone.tell("m" + i);
        }
        assertEquals(100, a.await(d -> true, 100).size());
        assertEquals(100, b.await(d -> true, 100).size());
        sb.cancel();
        for (int i = 100; i < 200; i++) {
            gone.tell("m" + i);
        }
        List<DeadLetter> all = a.await(d -> true, 200);
        for (int i = 0; i < 200; i++) {
            assertEquals("m" + i, all.get(i).message(), "in order");
        }
        assertEquals(100, b.letters().size(), "nothing after cancel");
    }

    @Test
    void aSlowSubscriberMissesTheOldestLettersAndTheyAreCounted() {
        ActorSystem system = kit.system("slow");
        ActorRef<String> gone = system.spawn("gone", () -> (ctx, m) -> Behaviors.stopped());
        gone.tell("stop");
        awaitTerminated(gone);
        RecordingSubscriber<DeadLetter> lazy = new RecordingSubscriber<>(0);
        system.deadLetters().subscribe(lazy);
        Flow.Subscription s = get(lazy.subscription);
        int n = DeadLettersImpl.BUFFER + 76;
        for (int i = 0; i < n; i++) {
            gone.tell("m" + i);
        }
        assertEquals(76, system.deadLetters().missedBySubscribers());
        s.request(Long.MAX_VALUE);
        ActorTestKit.waitUntil(() -> lazy.size() == DeadLettersImpl.BUFFER, "the buffered letters");
        List<DeadLetter> got = lazy.items();
        assertEquals("m76", got.get(0).message(), "the oldest were dropped");
        assertEquals("m" + (n - 1), got.get(got.size() - 1).message());
        assertEquals(n, system.deadLetters().count(), "counted even when missed");
    }

    @Test
    void theLettersCompleteWithTheSystemAndALateSubscriberIsRefusedWithAnError() {
        ActorSystem system = kit.system("complete");
        DeadLetterCollector early = ActorTestKit.deadLetters(system);
        get(system.shutdown(WAIT).toCompletableFuture());
        get(early.done);
        DeadLetterCollector late = ActorTestKit.deadLetters(system);
        Throwable refused = ActorTestKit.failure(late.done); // RS 1.9: onSubscribe, then onError
        assertTrue(refused instanceof IllegalStateException, () -> "got " + refused);
        assertEquals(List.of(), late.letters());
        assertThrows(NullPointerException.class, () -> system.deadLetters().subscribe(null));
        assertNull(early.done.getNow(null));
    }
}
