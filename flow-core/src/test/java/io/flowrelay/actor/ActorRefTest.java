package io.flowrelay.actor;

import io.flowrelay.channel.SendResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.flowrelay.actor.ActorTestKit.WAIT;
import static io.flowrelay.actor.ActorTestKit.awaitTerminated;
import static io.flowrelay.actor.ActorTestKit.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Telling, ordering, become, stopping and watching. */
class ActorRefTest {

    private final ActorTestKit kit = new ActorTestKit();

    @AfterEach
    void tearDown() throws Exception {
        kit.close();
    }

    // ------------------------------------------------------------------ ordering

    record Seq(int sender, int seq) {
    }

    record Tally(int[] next, long total, String firstViolation) {
    }

    record GetTally(ActorRef<Tally> replyTo) {
    }

    @Test
    void messagesOfEachSenderArriveInOrderUnderFourConcurrentSenders() {
        int senders = 4;
        int perSender = 250_000;
        ActorSystem system = kit.system("fifo");
        ActorRef<Object> counter = system.spawn("counter", () -> new Behavior<Object>() {
            private final int[] next = new int[senders];
            private long total;
            private String violation;

            @Override
            public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
                if (msg instanceof Seq s) {
                    if (s.seq() != next[s.sender()] && violation == null) {
                        violation = "sender " + s.sender() + " expected " + next[s.sender()] + " got " + s.seq();
                    }
                    next[s.sender()] = Math.max(next[s.sender()], s.seq() + 1);
                    total++;
                } else if (msg instanceof GetTally g) {
                    g.replyTo().tell(new Tally(next.clone(), total, violation));
                }
                return Behaviors.same();
            }
        });

        ActorTestKit.race(senders, id -> {
            for (int i = 0; i < perSender; i++) {
                SendResult r = counter.tell(new Seq(id, i));
                if (r != SendResult.OK) {
                    throw new AssertionError("tell " + id + "/" + i + " returned " + r);
                }
            }
        });

        Tally t = get(counter.<Tally>ask(GetTally::new, WAIT));
        assertNull(t.firstViolation(), "per-sender FIFO broken");
        assertEquals((long) senders * perSender, t.total());
        for (int s = 0; s < senders; s++) {
            assertEquals(perSender, t.next()[s], "messages of sender " + s);
        }
        ActorTestKit.waitUntil(() -> counter.stats().processed() == (long) senders * perSender + 1,
                "processed counts every handled message");
        assertEquals(0, counter.stats().depth());
        assertEquals(0, counter.stats().deadLettered());
    }

    // ------------------------------------------------------------------ become

    record Lock(String code) {
    }

    record State(ActorRef<String> replyTo) {
    }

    private static Behavior<Object> locked(List<String> log) {
        return (ctx, msg) -> {
            if (msg instanceof State s) {
                s.replyTo().tell("locked");
            } else if (msg instanceof Lock l && l.code().equals("open sesame")) {
                log.add("unlocked");
                return unlocked(log);
            }
            return Behaviors.same();
        };
    }

    private static Behavior<Object> unlocked(List<String> log) {
        return (ctx, msg) -> {
            if (msg instanceof State s) {
                s.replyTo().tell("unlocked");
            } else if (msg instanceof Lock) {
                log.add("locked");
                return locked(log);
            }
            return Behaviors.same();
        };
    }

    @Test
    void returningAnotherBehaviorBecomesIt() {
        ActorSystem system = kit.system("become");
        List<String> log = new ArrayList<>();
        ActorRef<Object> door = system.spawn("door", () -> locked(log));

        assertEquals("locked", get(door.<String>ask(State::new, WAIT)));
        door.tell(new Lock("wrong"));
        assertEquals("locked", get(door.<String>ask(State::new, WAIT)));
        door.tell(new Lock("open sesame"));
        assertEquals("unlocked", get(door.<String>ask(State::new, WAIT)));
        assertEquals("unlocked", get(door.<String>ask(State::new, WAIT)), "the new behavior stays (same())");
        door.tell(new Lock("anything"));
        assertEquals("locked", get(door.<String>ask(State::new, WAIT)));
        assertEquals(List.of("unlocked", "locked"), log);
    }

    // ------------------------------------------------------------------ stopping

    @Test
    void stoppedBehaviorSendsTheRestOfTheMailboxToDeadLetters() {
        ActorSystem system = kit.system("stopped");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorTestKit.Gate gate = kit.gate();
        List<Object> handled = new ArrayList<>();
        ActorRef<String> actor = system.spawn("quitter", () -> (ctx, msg) -> {
            handled.add(msg);
            if (msg.equals("stop")) {
                gate.pass();
                return Behaviors.stopped();
            }
            return Behaviors.same();
        }, kit.blockingOptions());

        assertEquals(SendResult.OK, actor.tell("stop"));
        gate.awaitArrival();
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add("m" + i);
            assertEquals(SendResult.OK, actor.tell("m" + i));
        }
        gate.open();
        awaitTerminated(actor);

        List<DeadLetter> stopped = letters.await(DeadLetterCollector.of(actor, DeadLetter.Reason.STOPPED), 10);
        assertEquals(queued, stopped.stream().map(DeadLetter::message).toList(), "rest of the mailbox, in order");
        assertEquals(List.of("stop"), handled, "nothing handled after stopped()");

        assertEquals(SendResult.CLOSED, actor.tell("late"), "tell after stop");
        DeadLetter late = letters.await(DeadLetterCollector.of(actor, DeadLetter.Reason.STOPPED), 11).get(10);
        assertEquals("late", late.message());
        assertNull(late.cause());
        MailboxStats stats = actor.stats();
        assertEquals(1, stats.processed());
        assertEquals(11, stats.deadLettered());
        assertEquals(0, stats.depth());
    }

    record SpawnChild(ActorRef<ActorRef<String>> replyTo) {
    }

    record StopChild(ActorRef<String> child, ActorRef<Boolean> replyTo) {
    }

    record Children(ActorRef<List<String>> replyTo) {
    }

    @Test
    void contextStopsAChildWhoseRestGoesToDeadLetters() {
        ActorSystem system = kit.system("ctx-stop");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorTestKit.Gate gate = kit.gate();
        List<String> childHandled = new ArrayList<>();
        CompletableFuture<Terminated> terminated = new CompletableFuture<>();
        ActorOptions childOptions = kit.blockingOptions();
        ActorRef<Object> parent = system.spawn("parent", () -> new Actor<Object>() {
            @Override
            public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
                if (msg instanceof SpawnChild s) {
                    ActorRef<String> child = ctx.spawn("child", () -> (c, m) -> {
                        childHandled.add(m);
                        if (m.equals("block")) {
                            gate.pass();
                        }
                        return Behaviors.same();
                    }, childOptions);
                    ctx.watch(child);
                    s.replyTo().tell(child);
                } else if (msg instanceof StopChild s) {
                    ctx.stop(s.child());
                    s.replyTo().tell(true);
                } else if (msg instanceof Children c) {
                    c.replyTo().tell(ctx.children().stream().map(ActorRef::path).toList());
                }
                return Behaviors.same();
            }

            @Override
            public Behavior<Object> onSignal(ActorContext<Object> ctx, Signal signal) {
                terminated.complete((Terminated) signal);
                return Behaviors.same();
            }
        });

        ActorRef<String> child = get(parent.<ActorRef<String>>ask(SpawnChild::new, WAIT));
        assertEquals("/parent/child", child.path());
        assertEquals(List.of("/parent/child"), get(parent.<List<String>>ask(Children::new, WAIT)));
        child.tell("block");
        gate.awaitArrival();
        for (int i = 0; i < 5; i++) {
            assertEquals(SendResult.OK, child.tell("q" + i));
        }
        assertTrue(get(parent.<Boolean>ask(r -> new StopChild(child, r), WAIT)));
        gate.open(); // the Stop is ahead of q0..q4: system messages come first

        Terminated t = get(terminated);
        assertSame(child, t.ref());
        assertNull(t.cause(), "a normal stop has no cause");
        assertTrue(child.isTerminated());
        assertEquals(List.of("block"), childHandled);
        List<DeadLetter> rest = letters.await(DeadLetterCollector.of(child, DeadLetter.Reason.STOPPED), 5);
        assertEquals(List.of("q0", "q1", "q2", "q3", "q4"), rest.stream().map(DeadLetter::message).toList());
        assertEquals(List.of(), get(parent.<List<String>>ask(Children::new, WAIT)), "a stopped child leaves children()");
    }

    @Test
    void contextRefusesToStopAnActorThatIsNotItsChild() {
        ActorSystem system = kit.system("ctx-stop-other");
        ActorRef<String> stranger = system.spawn("stranger", () -> (ctx, m) -> Behaviors.same());
        ActorRef<ActorRef<Throwable>> parent = system.spawn("parent", () -> (ctx, replyTo) -> {
            try {
                ctx.stop(stranger);
                replyTo.tell(new AssertionError("no exception"));
            } catch (Throwable ex) {
                replyTo.tell(ex);
            }
            return Behaviors.same();
        });
        Throwable ex = get(parent.<Throwable>ask(r -> r, WAIT));
        assertTrue(ex instanceof IllegalArgumentException, "got " + ex);
        assertFalse(stranger.isTerminated());
    }

    // ------------------------------------------------------------------ watching

    record Watch(ActorRef<?> target, Object message) {
    }

    record Unwatch(ActorRef<?> target, ActorRef<Boolean> replyTo) {
    }

    /** Records what it learns about watched actors, in order. */
    static final class Watcher extends Actor<Object> {
        final List<Object> seen;
        final CompletableFuture<Void> expected;
        final int expectedCount;

        Watcher(List<Object> seen, int expectedCount, CompletableFuture<Void> expected) {
            this.seen = seen;
            this.expectedCount = expectedCount;
            this.expected = expected;
        }

        @Override
        public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
            if (msg instanceof Watch w) {
                if (w.message() == null) {
                    ctx.watch(w.target());
                } else {
                    ctx.watchWith(w.target(), w.message());
                }
            } else if (msg instanceof Unwatch u) {
                ctx.unwatch(u.target());
                u.replyTo().tell(true);
            } else {
                record(msg);
            }
            return Behaviors.same();
        }

        @Override
        public Behavior<Object> onSignal(ActorContext<Object> ctx, Signal signal) {
            record(signal);
            return Behaviors.same();
        }

        private void record(Object o) {
            synchronized (seen) {
                seen.add(o);
                if (seen.size() == expectedCount) {
                    expected.complete(null);
                }
            }
        }
    }

    @Test
    void watchAndWatchWithReportTheStopOfTheWatchedActor() {
        ActorSystem system = kit.system("watch");
        List<Object> seen = new ArrayList<>();
        CompletableFuture<Void> all = new CompletableFuture<>();
        ActorRef<Object> watcher = system.spawn("watcher", () -> new Watcher(seen, 4, all));
        ActorRef<String> quiet = system.spawn("quiet", () -> (ctx, m) -> Behaviors.stopped());
        ActorRef<String> failing = system.spawn("failing", () -> (ctx, m) -> {
            throw new IllegalStateException("boom " + m);
        }, ActorOptions.defaults().supervision(SupervisorStrategy.stop()));
        ActorRef<String> named = system.spawn("named", () -> (ctx, m) -> Behaviors.stopped());
        ActorRef<String> early = system.spawn("early", () -> (ctx, m) -> Behaviors.stopped());
        ActorRef<String> forgotten = system.spawn("forgotten", () -> (ctx, m) -> Behaviors.stopped());

        early.tell("stop");
        awaitTerminated(early);

        watcher.tell(new Watch(forgotten, null));
        assertTrue(get(watcher.<Boolean>ask(r -> new Unwatch(forgotten, r), WAIT)));
        forgotten.tell("stop");
        awaitTerminated(forgotten); // its signal, had it been sent, is now queued ahead of the others

        watcher.tell(new Watch(quiet, null));
        watcher.tell(new Watch(failing, null));
        watcher.tell(new Watch(named, "named is gone"));
        watcher.tell(new Watch(early, null)); // already stopped: the signal comes at once
        // the watches are registered once this round trip is back
        get(watcher.<Boolean>ask(r -> new Unwatch(system.spawn("unrelated", () -> (c, m) -> Behaviors.same()), r), WAIT));

        quiet.tell("stop");
        awaitTerminated(quiet);
        failing.tell("x");
        awaitTerminated(failing);
        named.tell("stop");
        awaitTerminated(named);

        get(all);
        List<Object> got;
        synchronized (seen) {
            got = new ArrayList<>(seen);
        }
        assertEquals(4, got.size(), "exactly the four watched stops: " + got);
        assertEquals(new Terminated(early, null), got.get(0));
        assertEquals(new Terminated(quiet, null), got.get(1));
        Terminated failed = (Terminated) got.get(2);
        assertSame(failing, failed.ref());
        assertTrue(failed.cause() instanceof IllegalStateException && failed.cause().getMessage().equals("boom x"),
                "the cause of a failure stop: " + failed.cause());
        assertEquals("named is gone", got.get(3));
    }

    @Test
    void aWatchThatRacesWithTheStopGetsExactlyOneSignal() {
        ActorSystem system = kit.system("watch-race");
        int rounds = 300;
        List<Object> seen = new ArrayList<>();
        CompletableFuture<Void> all = new CompletableFuture<>();
        ActorRef<Object> watcher = system.spawn("watcher", () -> new Watcher(seen, rounds, all));
        List<ActorRef<String>> targets = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            ActorRef<String> t = system.spawn("t-" + i, () -> (ctx, m) -> Behaviors.stopped());
            targets.add(t);
            // the target stops on its thread while the watcher registers on its own
            t.tell("stop");
            watcher.tell(new Watch(t, i % 2 == 0 ? null : "gone " + i));
        }
        get(all);
        for (ActorRef<String> t : targets) {
            awaitTerminated(t);
        }
        // anything still on its way is queued ahead of this round trip
        get(watcher.<Boolean>ask(r -> new Unwatch(targets.get(0), r), WAIT));
        List<Object> got;
        synchronized (seen) {
            got = new ArrayList<>(seen);
        }
        assertEquals(rounds, got.size(), "one signal per watched stop");
        java.util.Set<Object> distinct = new java.util.HashSet<>();
        for (Object o : got) {
            distinct.add(o instanceof Terminated t ? t.ref() : o);
        }
        assertEquals(rounds, distinct.size(), "no duplicates");
    }

    @Test
    void tellsRacingASelfStopAreHandledOrDeadLetteredNeverStranded() {
        ActorSystem system = kit.system("stop-race");
        for (int round = 0; round < 150; round++) {
            java.util.concurrent.atomic.AtomicLong handled = new java.util.concurrent.atomic.AtomicLong();
            ActorRef<String> a = system.spawn("quitter-" + round, () -> (ctx, m) ->
                    handled.incrementAndGet() == 500 ? Behaviors.stopped() : Behaviors.same());
            long before = system.deadLetters().count();
            CompletableFuture<Long> sent = new CompletableFuture<>();
            Thread sender = new Thread(() -> {
                long ok = 0;
                while (a.tell("m") == SendResult.OK) {
                    ok++;
                }
                sent.complete(ok);
            }, "stop-race-sender");
            sender.setDaemon(true);
            sender.start();
            long ok = get(sent);
            awaitTerminated(a);
            long dead = system.deadLetters().count() - before; // the rest after the stop, the CLOSED tell, any slipped in
            assertEquals(500, handled.get(), "round " + round);
            assertEquals(ok + 1, handled.get() + dead, "round " + round + ": every tell accounted once");
            assertEquals(0, a.stats().depth(), "round " + round + ": a message was stranded");
        }
    }

    /** Keeps a child alive: on its Terminated, spawns a new one by the same name (a supervisor pattern). */
    static final class Respawner extends Actor<Object> {
        private final int rounds;
        private final CompletableFuture<String> done;
        private int respawned;

        Respawner(int rounds, CompletableFuture<String> done) {
            this.rounds = rounds;
            this.done = done;
        }

        private void spawnChild(ActorContext<Object> ctx) {
            ActorRef<String> child = ctx.spawn("worker", () -> (c, m) -> Behaviors.stopped());
            ctx.watch(child);
            child.tell("stop");
        }

        @Override
        public void preStart(ActorContext<Object> ctx) {
            spawnChild(ctx);
        }

        @Override
        public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
            return Behaviors.same();
        }

        @Override
        public Behavior<Object> onSignal(ActorContext<Object> ctx, Signal signal) {
            Terminated t = (Terminated) signal;
            if (ctx.children().contains(t.ref())) {
                done.complete("round " + respawned + ": a terminated child is still in children()");
                return Behaviors.stopped();
            }
            if (++respawned == rounds) {
                done.complete("ok");
                return Behaviors.same();
            }
            try {
                spawnChild(ctx);
            } catch (RuntimeException ex) {
                done.complete("round " + respawned + ": " + ex);
                return Behaviors.stopped();
            }
            return Behaviors.same();
        }
    }

    @Test
    void onTerminatedTheChildIsGoneAndItsNameIsFree() {
        ActorSystem system = kit.system("respawn");
        CompletableFuture<String> done = new CompletableFuture<>();
        system.spawn("supervisor", () -> new Respawner(300, done),
                ActorOptions.defaults().supervision(SupervisorStrategy.stop()));
        assertEquals("ok", get(done));
    }

    @Test
    void onTerminatedATopLevelNameIsFree() {
        ActorSystem system = kit.system("respawn-top");
        int rounds = 300;
        CompletableFuture<String> done = new CompletableFuture<>();
        system.spawn("watcher", () -> new Actor<Object>() {
            private int round;

            private void spawnTop(ActorContext<Object> ctx) {
                ActorRef<String> top = ctx.system().spawn("top", () -> (c, m) -> Behaviors.stopped());
                ctx.watch(top);
                top.tell("stop");
            }

            @Override
            public void preStart(ActorContext<Object> ctx) {
                spawnTop(ctx);
            }

            @Override
            public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
                return Behaviors.same();
            }

            @Override
            public Behavior<Object> onSignal(ActorContext<Object> ctx, Signal signal) {
                if (++round == rounds) {
                    done.complete("ok");
                    return Behaviors.same();
                }
                try {
                    spawnTop(ctx);
                } catch (RuntimeException ex) {
                    done.complete("round " + round + ": " + ex);
                }
                return Behaviors.same();
            }
        });
        assertEquals("ok", get(done));
    }

    @Test
    void scheduleOnceTellsTheMessageAfterTheDelay() {
        ActorTestKit.HeldTimer timer = kit.executor(new ActorTestKit.HeldTimer());
        ActorSystem system = kit.system(ActorSystem.builder("schedule").timer(timer));
        CompletableFuture<String> ticked = new CompletableFuture<>();
        ActorRef<String> a = system.spawn("ticker", () -> new Actor<String>() {
            @Override
            public void preStart(ActorContext<String> ctx) {
                ctx.scheduleOnce(java.time.Duration.ofMillis(5), "tick");
            }

            @Override
            public Behavior<String> receive(ActorContext<String> ctx, String m) {
                ticked.complete(m);
                return Behaviors.same();
            }
        });
        a.tell("first"); // comes before the tick, which the timer holds
        assertEquals("first", get(ticked));
        CompletableFuture<String> second = new CompletableFuture<>();
        ActorRef<String> b = system.spawn("ticker-2", () -> new Actor<String>() {
            @Override
            public void preStart(ActorContext<String> ctx) {
                ctx.scheduleOnce(java.time.Duration.ofMillis(5), "tick");
            }

            @Override
            public Behavior<String> receive(ActorContext<String> ctx, String m) {
                second.complete(m);
                return Behaviors.same();
            }
        });
        timer.fire.countDown();
        assertEquals("tick", get(second));
        assertEquals(0, b.stats().deadLettered());
    }
}
