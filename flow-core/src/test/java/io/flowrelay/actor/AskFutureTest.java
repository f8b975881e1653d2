package io.flowrelay.actor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static io.flowrelay.actor.ActorTestKit.WAIT;
import static io.flowrelay.actor.ActorTestKit.WAIT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The future an {@code ask} returns: brief spin-then-park waits, otherwise a plain CompletableFuture. */
class AskFutureTest {

    private final ActorTestKit kit = new ActorTestKit();

    @AfterEach
    void tearDown() throws Exception {
        kit.close();
    }

    record Echo(ActorRef<Integer> replyTo, int value) {
    }

    private ActorRef<Echo> echo(ActorSystem system) {
        return system.spawn("echo", () -> (ctx, m) -> {
            m.replyTo().tell(m.value());
            return Behaviors.same();
        });
    }

    @Test
    void everyBlockingWaitGetsTheReply() throws Exception {
        ActorSystem system = kit.system("ask-waits");
        ActorRef<Echo> echo = echo(system);
        for (int i = 0; i < 2_000; i++) {
            int v = i;
            assertEquals(v, echo.<Integer>ask(r -> new Echo(r, v), WAIT).get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(v, echo.<Integer>ask(r -> new Echo(r, v), WAIT).get());
            assertEquals(v, echo.<Integer>ask(r -> new Echo(r, v), WAIT).join());
        }
    }

    @Test
    void aTimedWaitWithoutAReplyTimesOutWithinItsTimeoutNotAfterTheSpin() {
        ActorSystem system = kit.system("ask-silent");
        ActorRef<Echo> silent = system.spawn("silent", () -> (ctx, m) -> Behaviors.same());
        CompletableFuture<Integer> f = silent.ask(r -> new Echo(r, 1), WAIT);
        assertThrows(TimeoutException.class, () -> f.get(0, TimeUnit.NANOSECONDS), "no time: no spin, no park");
        assertThrows(TimeoutException.class, () -> f.get(-5, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        assertThrows(TimeoutException.class, () -> f.get(20, TimeUnit.MILLISECONDS));
        long took = System.nanoTime() - t0;
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(20), "waited its whole timeout: " + took + " ns");
        assertFalse(f.isDone(), "a get that times out leaves the ask pending");
    }

    @Test
    void theAsksOwnTimeoutStillFailsAWaiterParkedOnIt() {
        ActorSystem system = kit.system("ask-timeout");
        ActorRef<Echo> silent = system.spawn("silent", () -> (ctx, m) -> Behaviors.same());
        CompletableFuture<Integer> f = silent.ask(r -> new Echo(r, 1), Duration.ofMillis(50));
        ExecutionException ex = assertThrows(ExecutionException.class, f::get);
        assertInstanceOf(TimeoutException.class, ex.getCause());
    }

    @Test
    void anInterruptedWaiterGetsInterruptedExceptionAndTheAskStaysPending() throws Exception {
        ActorSystem system = kit.system("ask-interrupt");
        ActorRef<Echo> silent = system.spawn("silent", () -> (ctx, m) -> Behaviors.same());
        CompletableFuture<Integer> f = silent.ask(r -> new Echo(r, 1), WAIT);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            started.countDown();
            try {
                f.get();
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "ask-waiter");
        waiter.start();
        ActorTestKit.await(started, "waiter started");
        waiter.interrupt();
        waiter.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(waiter.isAlive(), "the interrupt ended the wait");
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertFalse(f.isDone());

        Thread.currentThread().interrupt(); // already interrupted: no spin, the park throws
        try {
            assertThrows(InterruptedException.class, f::get);
            Thread.currentThread().interrupt(); // the throw cleared it
            assertThrows(InterruptedException.class, () -> f.get(WAIT_SECONDS, TimeUnit.SECONDS));
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void dependentStagesArePlainCompletableFutures() {
        ActorSystem system = kit.system("ask-stages");
        ActorRef<Echo> echo = echo(system);
        CompletableFuture<Integer> f = echo.ask(r -> new Echo(r, 20), WAIT);
        CompletableFuture<Integer> g = f.thenApply(x -> x + 1);
        assertEquals(CompletableFuture.class, g.getClass());
        assertEquals(21, g.join());
    }
}
