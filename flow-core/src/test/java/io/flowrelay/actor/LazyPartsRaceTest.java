package io.flowrelay.actor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.flowrelay.channel.Overflow;
import io.flowrelay.channel.SendResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parts of an actor made on first use race with its end: a termination future asked for while
 * the actor ends, and a watch registered while the watched actor stops, must each still see the
 * end, exactly once (ActorCell: CAS install of the termination future vs getAndSet(ENDED); put
 * into the lazily made watcher map vs the end's read of it). And the mailbox itself, made by the
 * first tell: first tells race each other (one channel wins, every message lands in it) and the
 * actor's stop or close (CAS null -> the shared closed mailbox): each message is handled or goes
 * to dead letters, exactly once, and the actor ends.
 */
class LazyPartsRaceTest {

    private static final int ROUNDS = 300;

    private final ActorSystem system = ActorSystem.create("lazy-race");

    @AfterEach
    void tearDown() {
        system.shutdown(Duration.ofSeconds(5)).toCompletableFuture().join();
    }

    @Test
    void terminationAskedForWhileTheActorEndsCompletes() {
        for (int i = 0; i < ROUNDS; i++) {
            ActorRef<String> ref = system.spawn("t" + i, () -> (ctx, m) -> Behaviors.stopped());
            ActorTestKit.race(2, id -> {
                if (id == 0) {
                    ref.tell("stop");
                } else {
                    ActorTestKit.get(((ActorCell<?>) ref).termination());
                }
            });
            ActorTestKit.awaitTerminated(ref);
        }
    }

    @Test
    void aWatchRegisteredWhileTheTargetStopsSignalsOnce() {
        for (int i = 0; i < ROUNDS; i++) {
            ActorRef<String> target = system.spawn("target" + i, () -> (ctx, m) -> Behaviors.stopped());
            AtomicInteger signals = new AtomicInteger();
            CountDownLatch terminated = new CountDownLatch(1);
            ActorRef<Object> watcher = system.spawn("watcher" + i, () -> new Actor<Object>() {
                @Override
                @SuppressWarnings("unchecked")
                public Behavior<Object> receive(ActorContext<Object> ctx, Object message) {
                    if (message instanceof ActorRef<?> replyTo) {
                        ((ActorRef<Object>) replyTo).tell(Boolean.TRUE); // a round trip behind any signal already queued
                    } else {
                        ctx.watch(target);
                    }
                    return Behaviors.same();
                }

                @Override
                public Behavior<Object> onSignal(ActorContext<Object> ctx, Signal signal) {
                    if (signal instanceof Terminated t && t.ref() == target) {
                        signals.incrementAndGet();
                        terminated.countDown();
                    }
                    return Behaviors.same();
                }
            });
            ActorTestKit.race(2, id -> {
                if (id == 0) {
                    target.tell("stop");
                } else {
                    watcher.tell("watch");
                }
            });
            ActorTestKit.await(terminated, "Terminated of " + target.path());
            // a second signal would come through the same system queue: a round trip through the
            // watcher after the first one makes it visible before we count
            ActorTestKit.get(watcher.<Boolean>ask(r -> r, Duration.ofSeconds(5)));
            assertEquals(1, signals.get(), "Terminated signals for " + target.path());
        }
    }

    @Test
    void anIdleActorHoldsNoMailboxUntilItsFirstMessage() {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        ActorRef<String> ref = system.spawn("idle", () -> {
            started.countDown();
            return (ctx, m) -> {
                handled.incrementAndGet();
                return Behaviors.same();
            };
        });
        ActorTestKit.await(started, "the first turn");
        ActorCell<?> cell = (ActorCell<?>) ref;
        assertNull(cell.mailbox(), "a mailbox before any message");
        assertNull(cell.extrasOrNull(), "the rarely used parts (system queue, restart state) before any need");
        assertEquals(0, ref.stats().depth());
        assertEquals(SendResult.OK, ref.tell("m"));
        assertNotNull(cell.mailbox());
        ActorTestKit.waitUntil(() -> ref.stats().processed() == 1L, "the first message counted as processed");
        assertEquals(1, handled.get());
        assertNull(cell.extrasOrNull(), "a handled message needs none of them");
    }

    /**
     * A turn that leaves takes its wip to 0 and then re-checks its sources; meanwhile another
     * thread may run a whole turn that ends the actor, and the kernel drops the loop's subscriber
     * (the cell, which the actor's loop reads instead of a field of its own). The late re-check
     * must then answer "nothing left", not throw.
     */
    @Test
    void aLeavingTurnsLateReCheckAfterTheActorEndedFindsNothingAndDoesNotThrow() throws Exception {
        ActorRef<String> ref = system.spawn("ended", () -> (ctx, m) -> Behaviors.stopped());
        assertEquals(SendResult.OK, ref.tell("stop"));
        ActorTestKit.awaitTerminated(ref);
        java.lang.reflect.Field f = ActorCell.class.getDeclaredField("loop");
        f.setAccessible(true);
        ActorLoop loop = (ActorLoop) f.get(ref);
        assertNull(loop.heldSubscriber(), "the kernel dropped the subscriber when the loop finished (RS 3.13)");
        org.junit.jupiter.api.Assertions.assertFalse(loop.hasMoreBeforeLeaving());
    }

    @Test
    void anActorStoppedFromOutsideDuringItsRestartBackoffEndsAtOnceAndDeadLettersWhatWaited() {
        DeadLetterCollector dead = ActorTestKit.deadLetters(system);
        List<String> handled = java.util.Collections.synchronizedList(new ArrayList<>());
        ActorRef<String> ref = system.spawn("backing-off", () -> (ctx, m) -> {
            if (m.equals("fail")) {
                throw new IllegalStateException("boom");
            }
            handled.add(m);
            return Behaviors.same();
        }, ActorOptions.defaults().supervision(SupervisorStrategy.restart()
                .withBackoff(Duration.ofSeconds(60), Duration.ofSeconds(60))));
        assertEquals(SendResult.OK, ref.tell("fail"));
        // the failed message is dead-lettered while its turn handles the failure; the stop below, a
        // system message, is polled only after that turn has paused the actor for the backoff
        dead.await(DeadLetterCollector.of(ref, DeadLetter.Reason.FAILED), 1);
        assertEquals(SendResult.OK, ref.tell("a"));
        assertEquals(SendResult.OK, ref.tell("b"));
        long t0 = System.nanoTime();
        ((ActorCell<?>) ref).stop();
        ActorTestKit.awaitTerminated(ref);
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "ended without waiting out the backoff");
        List<DeadLetter> stopped = dead.await(DeadLetterCollector.of(ref, DeadLetter.Reason.STOPPED), 2);
        assertEquals(List.of("a", "b"), List.of(stopped.get(0).message(), stopped.get(1).message()));
        assertEquals(List.of(), handled, "nothing handled by a paused actor");
    }

    @Test
    void anActorStoppedBeforeItsFirstMessageEndsAndDeadLettersLaterOnes() {
        DeadLetterCollector dead = ActorTestKit.deadLetters(system);
        ActorRef<String> ref = system.spawn("never-told", () -> (ctx, m) -> Behaviors.same());
        ((ActorCell<?>) ref).stop();
        ActorTestKit.awaitTerminated(ref);
        assertSame(ActorCell.UNOPENED_CLOSED, ((ActorCell<?>) ref).mailbox());
        assertEquals(SendResult.CLOSED, ref.tell("late"));
        assertEquals("late", dead.await(DeadLetterCollector.of(ref, DeadLetter.Reason.STOPPED), 1).get(0).message());
        assertEquals(0, ActorCell.UNOPENED_CLOSED.size(), "the shared closed mailbox stays empty");
    }

    @Test
    void aDroppingMailboxMadeByTheFirstTellStillReportsItsDrops() {
        DeadLetterCollector dead = ActorTestKit.deadLetters(system);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        ActorRef<Integer> ref = system.spawn("dropper", () -> (ctx, m) -> {
            ActorTestKit.await(release, "the test's release");
            handled.incrementAndGet();
            return Behaviors.same();
        }, ActorOptions.defaults().mailbox(Mailbox.bounded(2, Overflow.DROP_NEWEST)));
        for (int i = 0; i < 10; i++) {
            assertEquals(SendResult.OK, ref.tell(i));
        }
        release.countDown();
        ActorTestKit.waitUntil(() -> handled.get() + ref.stats().dropped() == 10, "10 handled or dropped");
        assertTrue(ref.stats().dropped() >= 7, "at most one in the turn and two queued: " + ref.stats());
        assertEquals((int) ref.stats().dropped(), dead.await(DeadLetterCollector.of(ref, DeadLetter.Reason.DROPPED), (int) ref.stats().dropped()).size());
    }

    @Test
    @SuppressWarnings("unchecked")
    void firstTellsFromFourThreadsAllLandInOneMailbox() {
        int senders = 4;
        for (int i = 0; i < ROUNDS; i++) {
            AtomicInteger handled = new AtomicInteger();
            ActorRef<Object> ref = system.spawn("first" + i, () -> (ctx, m) -> {
                if (m instanceof ActorRef<?> replyTo) {
                    ((ActorRef<Object>) replyTo).tell(handled.get()); // behind every message queued before the ask
                } else {
                    handled.incrementAndGet();
                }
                return Behaviors.same();
            });
            ActorTestKit.race(senders, id -> assertEquals(SendResult.OK, ref.tell(id)));
            Object seen = ActorTestKit.get(ref.<Object>ask(r -> r, Duration.ofSeconds(5)));
            assertEquals(senders, seen, "messages handled by " + ref.path() + " before the ask");
            ((ActorCell<?>) ref).stop();
        }
    }

    @Test
    void aFirstTellRacingTheActorsStopOrCloseIsHandledOrDeadLetteredOnce() {
        DeadLetterCollector dead = ActorTestKit.deadLetters(system);
        AtomicInteger[] handled = new AtomicInteger[ROUNDS];
        List<ActorRef<String>> refs = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            AtomicInteger count = handled[i] = new AtomicInteger();
            ActorRef<String> ref = system.spawn("raced" + i, () -> (ctx, m) -> {
                count.incrementAndGet();
                return Behaviors.same();
            });
            refs.add(ref);
            ActorCell<?> cell = (ActorCell<?>) ref;
            boolean graceful = (i & 1) == 0;
            ActorTestKit.race(2, id -> {
                if (id == 0) {
                    ref.tell("m");
                } else if (graceful) {
                    cell.closeMailbox();
                } else {
                    cell.stop();
                }
            });
            ActorTestKit.awaitTerminated(ref); // its turns are over: its count is final
        }
        // every round's dead letter was published before its round ended: one published now comes after all of them
        assertEquals(SendResult.CLOSED, refs.get(0).tell("flush"), "a tell to an ended actor");
        dead.await(d -> "flush".equals(d.message()), 1);
        for (int i = 0; i < ROUNDS; i++) {
            ActorRef<String> ref = refs.get(i);
            int deadHere = dead.matching(d -> d.recipient() == ref && "m".equals(d.message())).size();
            assertEquals(1, handled[i].get() + deadHere, ref.path() + ((i & 1) == 0 ? " (closed)" : " (stopped)")
                    + ": handled " + handled[i].get() + ", dead letters " + deadHere);
        }
    }
}
