package io.flowrelay.actor;

import io.flowrelay.channel.SendResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static io.flowrelay.actor.ActorTestKit.WAIT;
import static io.flowrelay.actor.ActorTestKit.awaitTerminated;
import static io.flowrelay.actor.ActorTestKit.failure;
import static io.flowrelay.actor.ActorTestKit.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets a clear, typed error, and nothing is lost silently. */
class ActorBadInputTest {

    private final ActorTestKit kit = new ActorTestKit();

    @AfterEach
    void tearDown() throws Exception {
        kit.close();
    }

    private static Behavior<String> ignore() {
        return (ctx, m) -> Behaviors.same();
    }

    @Test
    void nullMessagesAndArgumentsAreRefused() {
        ActorSystem system = kit.system("nulls");
        ActorRef<String> a = system.spawn("a", ActorBadInputTest::ignore);
        assertThrows(NullPointerException.class, () -> a.tell(null));
        assertThrows(NullPointerException.class, () -> a.ask(null, WAIT));
        assertThrows(NullPointerException.class, () -> a.<String>ask(r -> "x", null));
        assertThrows(NullPointerException.class, () -> system.spawn("b", null));
        assertThrows(NullPointerException.class, () -> system.spawn("b", ActorBadInputTest::ignore, null));
        assertThrows(NullPointerException.class, () -> ActorOptions.defaults().mailbox(null));
        assertThrows(NullPointerException.class, () -> ActorOptions.defaults().dispatcher(null));
        assertThrows(NullPointerException.class, () -> ActorOptions.defaults().supervision(null));
        assertEquals(0, a.stats().depth());
        assertEquals(0, system.deadLetters().count());
    }

    @Test
    void tellAfterStopReportsClosedAndDeadLetters() {
        ActorSystem system = kit.system("closed");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorRef<String> a = system.spawn("a", () -> (ctx, m) -> Behaviors.stopped());
        a.tell("stop");
        awaitTerminated(a);
        assertEquals(SendResult.CLOSED, a.tell("hello"));
        DeadLetter d = letters.await(DeadLetterCollector.of(a, DeadLetter.Reason.STOPPED), 1).get(0);
        assertEquals("hello", d.message());
    }

    @Test
    void askTimeoutsMustBePositive() {
        ActorSystem system = kit.system("timeouts");
        ActorRef<String> a = system.spawn("a", ActorBadInputTest::ignore);
        assertThrows(IllegalArgumentException.class, () -> a.<String>ask(r -> "x", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> a.<String>ask(r -> "x", Duration.ofNanos(-1)));
        assertEquals(0, a.stats().depth(), "a refused ask tells nothing");
    }

    @Test
    void aBehaviorReturningNullIsAFailureHandledBySupervision() {
        ActorSystem system = kit.system("null-behavior");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorRef<String> stopping = system.spawn("stopping", () -> (ctx, m) -> null,
                ActorOptions.defaults().supervision(SupervisorStrategy.stop()));
        stopping.tell("first");
        awaitTerminated(stopping);
        DeadLetter d = letters.await(DeadLetterCollector.of(stopping, DeadLetter.Reason.FAILED), 1).get(0);
        assertEquals("first", d.message());
        assertInstanceOf(IllegalStateException.class, d.cause());
        assertTrue(d.cause().getMessage().contains("returned null"), d.cause().getMessage());

        AtomicInteger starts = new AtomicInteger();
        ActorRef<String> restarting = system.spawn("restarting", () -> new Actor<String>() {
            @Override
            public void preStart(ActorContext<String> ctx) {
                starts.incrementAndGet();
            }

            @Override
            public Behavior<String> receive(ActorContext<String> ctx, String m) {
                return m.equals("null") ? null : Behaviors.same();
            }
        });
        restarting.tell("null");
        restarting.tell("fine");
        ActorTestKit.waitUntil(() -> restarting.stats().processed() == 1, "the next message handled");
        assertEquals(2, starts.get(), "restarted by the default strategy");
        assertFalse(restarting.isTerminated());
    }

    @Test
    void aFactoryReturningNullIsAFailureToo() {
        ActorSystem system = kit.system("null-factory");
        ActorRef<String> a = system.spawn("a", () -> null, ActorOptions.defaults().supervision(SupervisorStrategy.stop()));
        awaitTerminated(a);
        assertInstanceOf(ActorStoppedException.class, failure(a.<String>ask(r -> "x", WAIT)));
    }

    @Test
    void namesMustBeNonEmptyWithoutSlashAndUniqueAmongSiblings() {
        ActorSystem system = kit.system("names");
        assertThrows(IllegalArgumentException.class, () -> system.spawn("", ActorBadInputTest::ignore));
        assertThrows(IllegalArgumentException.class, () -> system.spawn("a/b", ActorBadInputTest::ignore));
        assertThrows(IllegalArgumentException.class, () -> system.spawn("/", ActorBadInputTest::ignore));
        assertThrows(NullPointerException.class, () -> system.spawn(null, ActorBadInputTest::ignore));
        ActorRef<String> first = system.spawn("dup", ActorBadInputTest::ignore);
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> system.spawn("dup", ActorBadInputTest::ignore));
        assertTrue(dup.getMessage().contains("/dup"), dup.getMessage());
        assertEquals("/dup", first.path());

        CompletableFuture<Throwable> childDup = new CompletableFuture<>();
        CompletableFuture<String> childPath = new CompletableFuture<>();
        system.spawn("parent", () -> new Actor<String>() {
            @Override
            public void preStart(ActorContext<String> ctx) {
                childPath.complete(ctx.spawn("dup", ActorBadInputTest::ignore).path()); // same name, other parent
                try {
                    ctx.spawn("dup", ActorBadInputTest::ignore);
                    childDup.complete(null);
                } catch (Throwable ex) {
                    childDup.complete(ex);
                }
            }

            @Override
            public Behavior<String> receive(ActorContext<String> ctx, String m) {
                return Behaviors.same();
            }
        });
        assertEquals("/parent/dup", get(childPath));
        assertInstanceOf(IllegalArgumentException.class, get(childDup));

        assertThrows(IllegalArgumentException.class, () -> ActorSystem.builder(""));
        assertThrows(IllegalArgumentException.class, () -> ActorSystem.builder(null));
    }

    @Test
    void aNameIsFreeAgainOnceItsActorHasStopped() {
        ActorSystem system = kit.system("reuse");
        ActorRef<String> a = system.spawn("a", () -> (ctx, m) -> Behaviors.stopped());
        a.tell("stop");
        awaitTerminated(a);
        ActorRef<String> again = system.spawn("a", ActorBadInputTest::ignore);
        assertEquals("/a", again.path());
        assertFalse(again.isTerminated());
    }

    @Test
    void aReplyHandleCannotBeAskedAndTakesOneReply() {
        ActorSystem system = kit.system("reply");
        CompletableFuture<ActorRef<String>> handle = new CompletableFuture<>();
        ActorRef<ActorRef<String>> keeper = system.spawn("keeper", () -> (ctx, r) -> {
            handle.complete(r);
            return Behaviors.same();
        });
        CompletableFuture<String> answer = keeper.ask(r -> r, WAIT);
        ActorRef<String> reply = get(handle);
        assertInstanceOf(UnsupportedOperationException.class, failure(reply.<String>ask(r -> "x", WAIT)));
        assertThrows(NullPointerException.class, () -> reply.tell(null));
        assertEquals(SendResult.OK, reply.tell("one"));
        assertEquals(SendResult.CLOSED, reply.tell("two"));
        assertEquals("one", get(answer));
        assertTrue(reply.isTerminated());
        assertSame(reply, handle.getNow(null));
    }
}
