package io.flowrelay.actor;

import io.flowrelay.channel.SendResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.flowrelay.actor.ActorTestKit.WAIT;
import static io.flowrelay.actor.ActorTestKit.await;
import static io.flowrelay.actor.ActorTestKit.awaitTerminated;
import static io.flowrelay.actor.ActorTestKit.failure;
import static io.flowrelay.actor.ActorTestKit.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Resume, restart (limits, backoff, all-for-one), stop and escalate. */
class SupervisorStrategyTest {

    private final ActorTestKit kit = new ActorTestKit();

    @AfterEach
    void tearDown() throws Exception {
        kit.close();
    }

    /** A failure of message {@code id}; no stack trace, they are many. */
    static final class Boom extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int id;

        Boom(int id) {
            super("boom " + id, null, false, false);
            this.id = id;
        }
    }

    record Work(int id) {
    }

    record Fail(int id) {
    }

    record Count(ActorRef<Integer> replyTo) {
    }

    /** Counts its messages in a field (reset by a restart); fails on {@link Fail}. */
    static class Counter extends Actor<Object> {
        private final AtomicInteger starts;
        private final List<Long> startTimes;
        private int count;

        Counter(AtomicInteger starts, List<Long> startTimes) {
            this.starts = starts;
            this.startTimes = startTimes;
        }

        @Override
        public void preStart(ActorContext<Object> ctx) {
            if (startTimes != null) {
                synchronized (startTimes) {
                    startTimes.add(System.nanoTime());
                }
            }
            starts.incrementAndGet();
        }

        @Override
        public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
            if (msg instanceof Fail f) {
                throw new Boom(f.id());
            } else if (msg instanceof Count c) {
                c.replyTo().tell(count);
            } else {
                count++;
            }
            return Behaviors.same();
        }
    }

    // ------------------------------------------------------------------ restart

    @Test
    void restartHandlesEveryGoodMessageOnceAndDeadLettersEveryFailure() {
        int total = 100_000;
        int chunk = 1_000;
        ActorSystem system = kit.system("restart");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        AtomicIntegerArray attempts = new AtomicIntegerArray(total);
        AtomicIntegerArray handled = new AtomicIntegerArray(total);
        AtomicIntegerArray counterSeen = new AtomicIntegerArray(total);
        AtomicInteger starts = new AtomicInteger();
        ActorRef<Object> worker = system.spawn("worker", () -> new Actor<Object>() {
            private int sinceStart; // a fresh instance starts from 0

            @Override
            public void preStart(ActorContext<Object> ctx) {
                starts.incrementAndGet();
            }

            @Override
            public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
                if (msg instanceof Work w) {
                    attempts.incrementAndGet(w.id());
                    if (w.id() % 10 == 3) {
                        sinceStart += 1_000; // state the failure must throw away
                        throw new Boom(w.id());
                    }
                    counterSeen.set(w.id(), sinceStart++);
                    handled.incrementAndGet(w.id());
                } else if (msg instanceof Count c) {
                    c.replyTo().tell(sinceStart);
                }
                return Behaviors.same();
            }
        }, ActorOptions.defaults().supervision(SupervisorStrategy.restart()));

        for (int from = 0; from < total; from += chunk) {
            for (int id = from; id < from + chunk; id++) {
                assertEquals(SendResult.OK, worker.tell(new Work(id)));
            }
            // paced so that the collector's bounded buffer (1024) can never overflow
            letters.awaitCount(DeadLetter.Reason.FAILED, (from + chunk) / 10);
        }
        int last = get(worker.<Integer>ask(Count::new, WAIT));

        int failures = total / 10;
        assertEquals(6, last, "ids 99994..99999 since the last restart at 99993");
        assertEquals(1 + failures, starts.get(), "one preStart per restart, plus the first");
        int lastFailure = -1;
        for (int id = 0; id < total; id++) {
            assertEquals(1, attempts.get(id), "message " + id + " handled once");
            boolean failing = id % 10 == 3;
            assertEquals(failing ? 0 : 1, handled.get(id), "message " + id);
            if (failing) {
                lastFailure = id;
            } else {
                assertEquals(id - lastFailure - 1, counterSeen.get(id), "state after the restart before " + id);
            }
        }
        List<DeadLetter> failed = letters.matching(DeadLetterCollector.reason(DeadLetter.Reason.FAILED));
        assertEquals(failures, failed.size());
        for (int i = 0; i < failures; i++) {
            DeadLetter d = failed.get(i);
            int id = i * 10 + 3;
            assertSame(worker, d.recipient());
            assertEquals(new Work(id), d.message());
            assertInstanceOf(Boom.class, d.cause());
            assertEquals(id, ((Boom) d.cause()).id, "the exception of that message");
        }
        assertEquals(failures, letters.letters().size(), "no other dead letters");
        assertEquals(0, system.deadLetters().missedBySubscribers());
        ActorTestKit.waitUntil(() -> worker.stats().processed() == total - failures + 1, "processed counter");
        assertEquals(failures, worker.stats().deadLettered());
        assertFalse(worker.isTerminated());
    }

    @Test
    void restartLimitStopsTheActorAtTheFailureAfterTheLimitWithinTheWindow() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        ActorSystem system = kit.system(ActorSystem.builder("limit").clock(now::get));
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorOptions twoIn10s = ActorOptions.defaults()
                .supervision(SupervisorStrategy.restart().withRestartLimit(2, Duration.ofSeconds(10)));

        // without time passing: 2 restarts, the 3rd failure stops it
        AtomicInteger startsA = new AtomicInteger();
        ActorRef<Object> a = system.spawn("a", () -> new Counter(startsA, null), twoIn10s);
        a.tell(new Fail(1));
        assertEquals(0, get(a.<Integer>ask(Count::new, WAIT)));
        a.tell(new Fail(2));
        assertEquals(0, get(a.<Integer>ask(Count::new, WAIT)));
        assertEquals(3, startsA.get());
        a.tell(new Fail(3));
        awaitTerminated(a);
        assertEquals(3, startsA.get(), "no restart after the limit");

        // with the window passing between failures: the count starts again
        AtomicInteger startsB = new AtomicInteger();
        ActorRef<Object> b = system.spawn("b", () -> new Counter(startsB, null), twoIn10s);
        b.tell(new Fail(1));
        b.tell(new Fail(2));
        b.tell("x");
        assertEquals(1, get(b.<Integer>ask(Count::new, WAIT)));
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        b.tell(new Fail(3));
        b.tell(new Fail(4));
        assertEquals(0, get(b.<Integer>ask(Count::new, WAIT)), "2 restarts in the new window are allowed");
        assertEquals(5, startsB.get());
        b.tell(new Fail(5));
        awaitTerminated(b);
        assertEquals(5, startsB.get());

        CompletableFuture<Integer> late = b.ask(Count::new, WAIT);
        assertInstanceOf(ActorStoppedException.class, failure(late));
        List<DeadLetter> failed = letters.await(DeadLetterCollector.reason(DeadLetter.Reason.FAILED), 8);
        assertEquals(8, failed.size());
        assertEquals(5, ((Boom) failed.get(7).cause()).id, "the last failure is a dead letter too");
    }

    @Test
    void backoffDelaysTheRestartByAtLeastTheMinimumAndDoubles() {
        ActorSystem system = kit.system("backoff");
        long min = Duration.ofMillis(150).toNanos();
        AtomicInteger starts = new AtomicInteger();
        List<Long> startTimes = new ArrayList<>();
        ActorRef<Object> a = system.spawn("slow-restart", () -> new Counter(starts, startTimes),
                ActorOptions.defaults().supervision(SupervisorStrategy.restart()
                        .withBackoff(Duration.ofNanos(min), Duration.ofSeconds(5))));
        assertEquals(0, get(a.<Integer>ask(Count::new, WAIT)));

        long failed1 = System.nanoTime();
        a.tell(new Fail(1));
        assertEquals(0, get(a.<Integer>ask(Count::new, WAIT)));
        long answered1 = System.nanoTime();
        long failed2 = System.nanoTime();
        a.tell(new Fail(2));
        assertEquals(0, get(a.<Integer>ask(Count::new, WAIT)));
        long answered2 = System.nanoTime();

        assertEquals(3, starts.get());
        long restart1, restart2;
        synchronized (startTimes) {
            restart1 = startTimes.get(1);
            restart2 = startTimes.get(2);
        }
        // lower bounds only: the failure happened after failed1, the fresh instance started at restart1
        assertTrue(restart1 - failed1 >= min, "first restart after " + (restart1 - failed1) / 1e6 + " ms");
        assertTrue(answered1 - failed1 >= min, "the mailbox waited during the backoff");
        assertTrue(restart2 - failed2 >= 2 * min, "second restart (doubled) after " + (restart2 - failed2) / 1e6 + " ms");
        assertTrue(answered2 - failed2 >= 2 * min);
    }

    @Test
    void backoffDelaysDoubleUpToTheMaximum() {
        SupervisorStrategy s = SupervisorStrategy.restart().withBackoff(Duration.ofMillis(10), Duration.ofMillis(50));
        assertEquals(Duration.ofMillis(10).toNanos(), s.backoffNanos(1));
        assertEquals(Duration.ofMillis(20).toNanos(), s.backoffNanos(2));
        assertEquals(Duration.ofMillis(40).toNanos(), s.backoffNanos(3));
        assertEquals(Duration.ofMillis(50).toNanos(), s.backoffNanos(4));
        assertEquals(Duration.ofMillis(50).toNanos(), s.backoffNanos(100));
        assertEquals(0L, SupervisorStrategy.restart().backoffNanos(5));
    }

    @Test
    void strategiesRejectBadArgumentsAndBrokenDecidersMeanStop() {
        SupervisorStrategy r = SupervisorStrategy.restart();
        assertThrows(IllegalArgumentException.class, () -> r.withRestartLimit(-1, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> r.withRestartLimit(1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> r.withBackoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> r.withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(NullPointerException.class, () -> SupervisorStrategy.of(null));
        assertEquals(Directive.STOP, SupervisorStrategy.of(ex -> null).decide(new RuntimeException()));
        assertEquals(Directive.STOP, SupervisorStrategy.of(ex -> {
            throw new IllegalStateException("decider bug");
        }).decide(new RuntimeException()));
        assertEquals(Directive.RESUME, SupervisorStrategy.resume().decide(new Error()));
        assertTrue(r.allForOne().isAllForOne());
        assertFalse(r.allForOne().oneForOne().isAllForOne());
    }

    // ------------------------------------------------------------------ resume, stop

    @Test
    void resumeSkipsTheFailedMessageAndKeepsTheState() {
        ActorSystem system = kit.system("resume");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        AtomicInteger starts = new AtomicInteger();
        ActorRef<Object> a = system.spawn("resumer", () -> new Counter(starts, null),
                ActorOptions.defaults().supervision(SupervisorStrategy.resume()));
        a.tell("x");
        a.tell("x");
        a.tell(new Fail(7));
        a.tell("x");
        assertEquals(3, get(a.<Integer>ask(Count::new, WAIT)));
        assertEquals(1, starts.get(), "no restart");
        DeadLetter d = letters.await(DeadLetterCollector.of(a, DeadLetter.Reason.FAILED), 1).get(0);
        assertEquals(new Fail(7), d.message());
        assertEquals(7, ((Boom) d.cause()).id);
    }

    @Test
    void stopStopsTheActorAndSendsTheRestToDeadLetters() {
        ActorSystem system = kit.system("stop");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorTestKit.Gate gate = kit.gate();
        AtomicInteger postStops = new AtomicInteger();
        ActorRef<Object> a = system.spawn("stopper", () -> new Actor<Object>() {
            @Override
            public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
                if (msg instanceof Fail f) {
                    gate.pass();
                    throw new Boom(f.id());
                }
                return Behaviors.same();
            }

            @Override
            public void postStop(ActorContext<Object> ctx) {
                postStops.incrementAndGet();
            }
        }, kit.blockingOptions().supervision(SupervisorStrategy.stop()));
        a.tell(new Fail(1));
        gate.awaitArrival();
        a.tell("after-1");
        a.tell("after-2");
        gate.open();
        awaitTerminated(a);
        assertEquals(1, postStops.get());
        assertEquals(new Fail(1), letters.await(DeadLetterCollector.of(a, DeadLetter.Reason.FAILED), 1).get(0).message());
        List<DeadLetter> rest = letters.await(DeadLetterCollector.of(a, DeadLetter.Reason.STOPPED), 2);
        assertEquals(List.of("after-1", "after-2"), rest.stream().map(DeadLetter::message).toList());
        assertInstanceOf(Boom.class, rest.get(0).cause(), "the rest carries the cause of the stop");
    }

    @Test
    void aPreStartFailureIsSupervisedToo() {
        ActorSystem system = kit.system("prestart");
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger starts = new AtomicInteger();
        ActorRef<Object> restarted = system.spawn("restarted", () -> new Counter(starts, null) {
            @Override
            public void preStart(ActorContext<Object> ctx) {
                if (attempts.incrementAndGet() < 3) {
                    throw new Boom(0);
                }
                super.preStart(ctx);
            }
        });
        restarted.tell("x");
        assertEquals(1, get(restarted.<Integer>ask(Count::new, WAIT)), "the mailbox waits for a successful start");
        assertEquals(3, attempts.get());

        ActorRef<Object> resumed = system.spawn("resumed", () -> new Counter(starts, null) {
            @Override
            public void preStart(ActorContext<Object> ctx) {
                throw new Boom(0);
            }
        }, ActorOptions.defaults().supervision(SupervisorStrategy.resume()));
        awaitTerminated(resumed); // nothing to resume: it stops
    }

    // ------------------------------------------------------------------ escalate, all-for-one

    record GetChild(ActorRef<ActorRef<Object>> replyTo) {
    }

    @Test
    void escalateFailsTheParentWhoseOwnStrategyRestartsIt() {
        ActorSystem system = kit.system("escalate");
        AtomicInteger parentStarts = new AtomicInteger();
        CountDownLatch restarted = new CountDownLatch(2);
        AtomicReference<Throwable> parentCause = new AtomicReference<>();
        ActorOptions childOptions = ActorOptions.defaults().supervision(SupervisorStrategy.escalate());
        ActorRef<Object> parent = system.spawn("parent", () -> new Actor<Object>() {
            private ActorRef<Object> child;

            @Override
            public void preStart(ActorContext<Object> ctx) {
                parentStarts.incrementAndGet();
                child = ctx.spawn("child", () -> new Counter(new AtomicInteger(), null), childOptions);
                restarted.countDown();
            }

            @Override
            public void preRestart(ActorContext<Object> ctx, Throwable cause) {
                parentCause.set(cause);
            }

            @Override
            public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
                if (msg instanceof GetChild g) {
                    g.replyTo().tell(child);
                }
                return Behaviors.same();
            }
        }, ActorOptions.defaults().supervision(SupervisorStrategy.restart()));

        ActorRef<Object> child = get(parent.<ActorRef<Object>>ask(GetChild::new, WAIT));
        assertEquals("/parent/child", child.path());
        child.tell(new Fail(42));
        await(restarted, "the parent restarted");
        ActorRef<Object> newChild = get(parent.<ActorRef<Object>>ask(GetChild::new, WAIT));

        assertEquals(2, parentStarts.get(), "the parent restarted once");
        assertTrue(child.isTerminated(), "the escalating child stopped");
        assertNotSame(child, newChild);
        assertFalse(newChild.isTerminated());
        assertEquals(0, get(newChild.<Integer>ask(Count::new, WAIT)));
        Throwable cause = parentCause.get();
        assertInstanceOf(ActorFailedException.class, cause);
        assertEquals("/parent/child", ((ActorFailedException) cause).childPath());
        assertEquals(42, ((Boom) cause.getCause()).id);
    }

    @Test
    void escalateToAParentWithStopStrategyStopsBoth() {
        ActorSystem system = kit.system("escalate-stop");
        CompletableFuture<ActorRef<Object>> childRef = new CompletableFuture<>();
        ActorRef<Object> parent = system.spawn("parent", () -> new Actor<Object>() {
            @Override
            public void preStart(ActorContext<Object> ctx) {
                childRef.complete(ctx.spawn("child", () -> new Counter(new AtomicInteger(), null),
                        ActorOptions.defaults().supervision(SupervisorStrategy.escalate())));
            }

            @Override
            public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
                return Behaviors.same();
            }
        }, ActorOptions.defaults().supervision(SupervisorStrategy.stop()));
        get(childRef).tell(new Fail(1));
        awaitTerminated(parent);
        awaitTerminated(get(childRef));

        ActorRef<Object> orphan = system.spawn("top", () -> new Counter(new AtomicInteger(), null),
                ActorOptions.defaults().supervision(SupervisorStrategy.escalate()));
        orphan.tell(new Fail(2));
        awaitTerminated(orphan); // a top-level actor has nobody to escalate to: it stops
    }

    record Spawned(ActorRef<Object> a, ActorRef<Object> b) {
    }

    @Test
    void allForOneRestartsTheSiblingsToo() {
        ActorSystem system = kit.system("all-for-one");
        AtomicInteger startsA = new AtomicInteger();
        AtomicInteger startsB = new AtomicInteger();
        AtomicInteger parentStarts = new AtomicInteger();
        CountDownLatch bRestarted = new CountDownLatch(2);
        ActorOptions allForOne = ActorOptions.defaults().supervision(SupervisorStrategy.restart().allForOne());
        CompletableFuture<Spawned> children = new CompletableFuture<>();
        system.spawn("parent", () -> new Actor<Object>() {
            @Override
            public void preStart(ActorContext<Object> ctx) {
                parentStarts.incrementAndGet();
                ActorRef<Object> a = ctx.spawn("a", () -> new Counter(startsA, null), allForOne);
                ActorRef<Object> b = ctx.spawn("b", () -> new Counter(startsB, null) {
                    @Override
                    public void preStart(ActorContext<Object> c) {
                        super.preStart(c);
                        bRestarted.countDown();
                    }
                }, allForOne);
                children.complete(new Spawned(a, b));
            }

            @Override
            public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
                return Behaviors.same();
            }
        });
        Spawned s = get(children);
        for (int i = 0; i < 3; i++) {
            s.b().tell("x");
            s.a().tell("x");
        }
        assertEquals(3, get(s.b().<Integer>ask(Count::new, WAIT)));
        assertEquals(3, get(s.a().<Integer>ask(Count::new, WAIT)));

        s.a().tell(new Fail(1));
        await(bRestarted, "the sibling restarted");
        assertEquals(0, get(s.b().<Integer>ask(Count::new, WAIT)), "the sibling's state was reset");
        assertEquals(0, get(s.a().<Integer>ask(Count::new, WAIT)));
        assertEquals(2, startsA.get());
        assertEquals(2, startsB.get());
        assertEquals(1, parentStarts.get(), "the parent is not restarted");
    }

    @Test
    void oneForOneLeavesTheSiblingsAlone() {
        ActorSystem system = kit.system("one-for-one");
        AtomicInteger startsA = new AtomicInteger();
        AtomicInteger startsB = new AtomicInteger();
        CompletableFuture<Spawned> children = new CompletableFuture<>();
        system.spawn("parent", () -> new Actor<Object>() {
            @Override
            public void preStart(ActorContext<Object> ctx) {
                children.complete(new Spawned(ctx.spawn("a", () -> new Counter(startsA, null)),
                        ctx.spawn("b", () -> new Counter(startsB, null))));
            }

            @Override
            public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
                return Behaviors.same();
            }
        });
        Spawned s = get(children);
        s.b().tell("x");
        s.a().tell(new Fail(1));
        assertEquals(0, get(s.a().<Integer>ask(Count::new, WAIT)));
        assertEquals(1, get(s.b().<Integer>ask(Count::new, WAIT)));
        assertEquals(2, startsA.get());
        assertEquals(1, startsB.get());
    }

    record WatchBoth(ActorRef<?> a, ActorRef<?> b) {
    }

    record Seen(ActorRef<List<Object>> replyTo) {
    }

    @Test
    void watchSignalsThatArriveDuringARestartReachTheFreshInstance() {
        ActorTestKit.HeldTimer timer = kit.executor(new ActorTestKit.HeldTimer());
        ActorSystem system = kit.system(ActorSystem.builder("watch-restart").timer(timer));
        List<Object> seen = new ArrayList<>(); // survives the restart on purpose
        CountDownLatch failed = new CountDownLatch(1);
        AtomicInteger starts = new AtomicInteger();
        ActorRef<Object> watcher = system.spawn("watcher", () -> new Actor<Object>() {
            @Override
            public void preStart(ActorContext<Object> ctx) {
                starts.incrementAndGet();
            }

            @Override
            public void preRestart(ActorContext<Object> ctx, Throwable cause) {
                failed.countDown();
            }

            @Override
            public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
                if (msg instanceof WatchBoth w) {
                    ctx.watch(w.a());
                    ctx.watchWith(w.b(), "b is gone");
                } else if (msg instanceof Fail f) {
                    throw new Boom(f.id());
                } else if (msg instanceof Seen s) {
                    s.replyTo().tell(List.copyOf(seen));
                } else {
                    seen.add(msg);
                }
                return Behaviors.same();
            }

            @Override
            public Behavior<Object> onSignal(ActorContext<Object> ctx, Signal signal) {
                seen.add(signal);
                return Behaviors.same();
            }
        }, ActorOptions.defaults().supervision(SupervisorStrategy.restart()
                .withBackoff(Duration.ofMillis(10), Duration.ofMillis(10))));
        ActorRef<String> a = system.spawn("a", () -> (ctx, m) -> Behaviors.stopped());
        ActorRef<String> b = system.spawn("b", () -> (ctx, m) -> Behaviors.stopped());
        watcher.tell(new WatchBoth(a, b));
        watcher.tell(new Fail(1)); // restart with a backoff held by the timer
        await(failed, "the watcher failed");
        a.tell("stop");
        b.tell("stop");
        awaitTerminated(a);
        awaitTerminated(b);
        timer.fire.countDown(); // now the fresh instance starts

        List<Object> got = get(watcher.<List<Object>>ask(Seen::new, WAIT));
        assertEquals(2, starts.get());
        assertEquals(2, got.size(), "both stops reach the restarted watcher: " + got);
        assertTrue(got.contains(new Terminated(a, null)), got.toString());
        assertTrue(got.contains("b is gone"), got.toString());
    }
}
