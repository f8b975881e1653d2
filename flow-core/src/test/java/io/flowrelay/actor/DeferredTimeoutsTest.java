package io.flowrelay.actor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.flowrelay.actor.ActorTestKit.WAIT;
import static io.flowrelay.actor.ActorTestKit.await;
import static io.flowrelay.actor.ActorTestKit.failure;
import static io.flowrelay.actor.ActorTestKit.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ask and pool timeouts wait on a lock-free stack for a periodic sweep ({@link DeferredTimeouts}):
 * answered asks never reach the timer, unanswered ones still time out, on the system clock, and
 * shutdown leaves none behind.
 */
class DeferredTimeoutsTest {

    private final ActorTestKit kit = new ActorTestKit();

    @AfterEach
    void tearDown() throws Exception {
        kit.close();
    }

    record Echo(int value, ActorRef<Integer> replyTo) {
    }

    /** A timer that counts what is scheduled on it, and removes cancelled tasks at once. */
    static final class CountingTimer extends ScheduledThreadPoolExecutor {
        final AtomicInteger scheduled = new AtomicInteger();

        CountingTimer() {
            super(1, r -> {
                Thread t = new Thread(r, "counting-timer");
                t.setDaemon(true);
                return t;
            });
            setRemoveOnCancelPolicy(true);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            scheduled.incrementAndGet();
            return super.schedule(command, delay, unit);
        }
    }

    private static ActorRef<Echo> echo(ActorSystem system) {
        return system.spawn("echo", () -> (ctx, m) -> {
            m.replyTo().tell(m.value());
            return Behaviors.same();
        });
    }

    /** Never answers. */
    private static ActorRef<Object> silent(ActorSystem system) {
        return system.spawn("silent", () -> (ctx, m) -> Behaviors.same());
    }

    private static DeferredTimeouts timeouts(ActorSystem system) {
        return ((ActorSystemImpl) system).timeouts;
    }

    @Test
    void aBurstOfAnsweredAsksLeavesNothingInTheTimer() {
        CountingTimer timer = kit.executor(new CountingTimer());
        ActorSystem system = kit.system(ActorSystem.builder("burst").timer(timer));
        ActorRef<Echo> echo = echo(system);
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            int v = i;
            assertEquals(v, get(echo.<Integer>ask(r -> new Echo(v, r), WAIT)));
        }
        // one timer task per sweep (every 10 ms), plus a hand-over for an ask that outlived a sweep
        assertTrue(timer.scheduled.get() < n / 10, "timer tasks for " + n + " asks: " + timer.scheduled.get());
        ActorTestKit.waitUntil(timeouts(system)::isEmpty, "a sweep dropped the answered asks");
        assertTrue(timer.getQueue().size() <= 1, "at most the next sweep waits in the timer: " + timer.getQueue());
    }

    @Test
    void anUnansweredAskTimesOutNoEarlierThanItsTimeout() {
        ActorSystem system = kit.system("unanswered");
        ActorRef<Object> silent = silent(system);
        Duration timeout = Duration.ofMillis(80);
        assertTrue(timeout.toNanos() > DeferredTimeouts.DIRECT_MAX_NANOS, "this ask waits for a sweep");

        long t0 = System.nanoTime();
        CompletableFuture<String> f = silent.ask(r -> "question", timeout);
        Throwable t = failure(f);
        long took = System.nanoTime() - t0;
        assertInstanceOf(TimeoutException.class, t);
        assertEquals("ask to /silent timed out after PT0.08S", t.getMessage());
        assertTrue(took >= timeout.toNanos(), "never early: " + took + " ns");
        // due within about one sweep (10 ms) of the timeout; the slack is for a loaded machine
        assertTrue(took < timeout.plusSeconds(2).toNanos(), "took " + TimeUnit.NANOSECONDS.toMillis(took) + " ms");
    }

    @Test
    void theSweepStopsWhenIdleAndTheNextAskStartsItAgain() {
        ActorSystem system = kit.system("idle");
        ActorRef<Object> silent = silent(system);
        DeferredTimeouts timeouts = timeouts(system);
        assertFalse(timeouts.isArmed(), "no sweep before the first ask");
        CompletableFuture<String> first = silent.ask(r -> "first", WAIT);
        assertTrue(timeouts.isArmed(), "the first waiting timeout starts the sweep");
        ActorTestKit.waitUntil(() -> !timeouts.isArmed(), "the sweep stopped after a second of idle sweeps");
        assertFalse(first.isDone(), "handed to the timer, not expired");

        CompletableFuture<String> f = silent.ask(r -> "question", Duration.ofMillis(50));
        assertInstanceOf(TimeoutException.class, failure(f));
    }

    @Test
    void deadlinesAreOnTheSystemClock() {
        ActorTestKit.HeldTimer timer = kit.executor(new ActorTestKit.HeldTimer()); // holds the sweep
        AtomicLong now = new AtomicLong(1_000_000_000L);
        ActorSystem system = kit.system(ActorSystem.builder("clock").timer(timer).clock(now::get));
        ActorRef<Object> silent = silent(system);
        CompletableFuture<String> oneHour = silent.ask(r -> "a", Duration.ofHours(1));
        CompletableFuture<String> threeHours = silent.ask(r -> "b", Duration.ofHours(3));

        now.addAndGet(Duration.ofHours(2).toNanos());
        timer.fire.countDown(); // the sweep finds the first one past its deadline, the second not
        Throwable t = failure(oneHour);
        assertInstanceOf(TimeoutException.class, t);
        assertEquals("ask to /silent timed out after PT1H", t.getMessage());
        ActorTestKit.waitUntil(timeouts(system)::isEmpty, "the sweep took both");
        assertFalse(threeHours.isDone(), "an hour is left on the system clock");
    }

    @Test
    void shutdownHandsPendingTimeoutsToTheTimer() {
        ActorTestKit.HeldTimer timer = kit.executor(new ActorTestKit.HeldTimer()); // no sweep runs
        ActorSystem system = kit.system(ActorSystem.builder("closing").timer(timer));
        ActorRef<Object> silent = silent(system);
        List<CompletableFuture<String>> pending = List.of(
                silent.ask(r -> "a", Duration.ofMillis(100)),
                silent.ask(r -> "b", Duration.ofMillis(200)));
        assertFalse(timeouts(system).isEmpty());

        ShutdownReport report = get(system.shutdown(WAIT).toCompletableFuture());
        assertTrue(report.completed(), report.toString());
        assertTrue(timeouts(system).isEmpty(), "the shutdown took every waiting entry");
        timer.fire.countDown();
        for (CompletableFuture<String> f : pending) {
            assertInstanceOf(TimeoutException.class, failure(f));
        }
    }

    @Test
    void askTimeoutsPendingAtShutdownStillFireAndLaterOnesFailAtOnce() {
        ActorSystem system = kit.system("own-timer");
        ActorRef<Object> silent = silent(system);
        CompletableFuture<String> pending = silent.ask(r -> "question", Duration.ofMillis(150));

        ShutdownReport report = get(system.shutdown(WAIT).toCompletableFuture());
        assertTrue(report.completed(), report.toString());
        Throwable t = failure(pending); // the system's timer is shut down but runs what it holds
        assertInstanceOf(TimeoutException.class, t);
        assertTrue(t.getMessage().contains("timed out after"), t.getMessage());

        CompletableFuture<String> late = new CompletableFuture<>();
        ((ActorSystemImpl) system).timeout(late, Duration.ofSeconds(1), () -> "probe");
        Throwable s = failure(late);
        assertInstanceOf(ActorStoppedException.class, s);
        assertEquals("probe: actor system own-timer has shut down", s.getMessage());
    }

    @Test
    void asksRacingShutdownAllComplete() {
        ActorSystem system = kit.system("race");
        ActorRef<Object> silent = silent(system);
        List<CompletableFuture<String>> futures = new CopyOnWriteArrayList<>();
        CountDownLatch asking = new CountDownLatch(3);
        ActorTestKit.race(4, id -> {
            if (id == 3) {
                await(asking, "the askers are asking");
                system.shutdown(WAIT);
                return;
            }
            for (int i = 0; i < 500; i++) {
                futures.add(silent.ask(r -> "q", Duration.ofMillis(100)));
                if (i == 50) {
                    asking.countDown();
                }
            }
        });
        assertEquals(1_500, futures.size());
        for (CompletableFuture<String> f : futures) {
            Throwable t = failure(f);
            assertTrue(t instanceof TimeoutException || t instanceof ActorStoppedException, t.toString());
        }
        get(system.shutdown(WAIT).toCompletableFuture());
        assertTrue(timeouts(system).isEmpty());
    }
}
