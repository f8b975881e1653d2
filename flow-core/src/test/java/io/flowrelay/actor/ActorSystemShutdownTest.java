package io.flowrelay.actor;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import io.flowrelay.channel.SendResult;
import io.flowrelay.test.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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

/** Graceful shutdown: intake stops, mailboxes drain, stages complete, and a report says what happened. */
class ActorSystemShutdownTest {

    private final ActorTestKit kit = new ActorTestKit();

    @AfterEach
    void tearDown() throws Exception {
        kit.close();
    }

    /** Blocks on "block" at the gate, counts every other message. */
    private ActorRef<String> gatedCounter(ActorSystem system, String name, ActorTestKit.Gate gate, AtomicInteger handled) {
        return system.spawn(name, () -> (ctx, msg) -> {
            if (msg.equals("block")) {
                gate.pass();
            } else {
                handled.incrementAndGet();
            }
            return Behaviors.same();
        }, kit.blockingOptions());
    }

    @Test
    void shutdownDrainsEveryQueuedMessageAndRefusesNewWork() {
        ActorSystem system = kit.system("drain");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorTestKit.Gate gate = kit.gate();
        AtomicInteger handled = new AtomicInteger();
        ActorRef<String> busy = gatedCounter(system, "busy", gate, handled);
        busy.tell("block");
        gate.awaitArrival();
        for (int i = 0; i < 10_000; i++) {
            assertEquals(SendResult.OK, busy.tell("m" + i));
        }
        assertEquals(10_000, busy.stats().depth());

        CompletionStage<ShutdownReport> stage = system.shutdown(WAIT);
        assertTrue(system.isShuttingDown());
        assertSame(stage, system.shutdown(Duration.ofSeconds(1)), "a second call returns the same stage");

        assertEquals(SendResult.CLOSED, busy.tell("too late"));
        DeadLetter late = letters.await(d -> d.message().equals("too late"), 1).get(0);
        assertTrue(late.reason() == DeadLetter.Reason.SHUTDOWN || late.reason() == DeadLetter.Reason.STOPPED, late.toString());
        assertSame(busy, late.recipient());
        assertThrows(IllegalStateException.class, () -> system.spawn("new", () -> (ctx, m) -> Behaviors.same()));
        assertThrows(IllegalStateException.class, () -> system.stage("new", () -> (i, out) -> out.emit(i)));
        assertInstanceOf(ActorStoppedException.class, failure(busy.<String>ask(r -> "question", WAIT)));
        assertFalse(stage.toCompletableFuture().isDone(), "the stuck actor still has work");

        gate.open();
        ShutdownReport report = get(stage.toCompletableFuture());
        assertTrue(report.completed(), report.toString());
        assertEquals(10_000, handled.get(), "every queued message was handled");
        assertEquals(10_001, report.processed(), "block + 10 000");
        assertEquals(0, report.remaining());
        assertEquals(List.of(), report.unfinished());
        assertEquals(0, report.dropped());
        assertEquals(2, report.deadLettered(), "the late tell and the refused ask");
        assertFalse(report.took().isNegative());
        assertTrue(busy.isTerminated());
        get(letters.done); // dead letters complete with the system
        assertEquals(SendResult.CLOSED, busy.tell("after the end"));
    }

    @Test
    void aStuckActorMakesTheReportIncompleteAfterTheTimeout() {
        ActorTestKit.HeldTimer timer = kit.executor(new ActorTestKit.HeldTimer());
        ActorSystem system = kit.system(ActorSystem.builder("stuck").timer(timer));
        ActorTestKit.Gate gate = kit.gate();
        AtomicInteger handled = new AtomicInteger();
        ActorRef<String> stuck = gatedCounter(system, "stuck", gate, handled);
        AtomicInteger other = new AtomicInteger();
        ActorRef<String> fine = system.spawn("fine", () -> (ctx, m) -> {
            other.incrementAndGet();
            return Behaviors.same();
        });
        stuck.tell("block");
        gate.awaitArrival();
        for (int i = 0; i < 5; i++) {
            stuck.tell("m" + i);
            fine.tell("m" + i);
        }

        CompletableFuture<ShutdownReport> pending = system.shutdown(Duration.ofMillis(50)).toCompletableFuture();
        awaitTerminated(fine); // the other actor drains and ends before the timeout is let fire
        assertEquals(5, other.get(), "the other actor finished");
        assertFalse(pending.isDone(), "the stuck actor holds the report back");
        timer.fire.countDown();
        ShutdownReport report = get(pending);
        assertFalse(report.completed());
        assertEquals(List.of("/stuck (mailbox 5)"), report.unfinished());
        assertEquals(5, report.remaining());
        assertEquals(5, report.processed(), "the other actor's messages");

        gate.open(); // released after the report: it still drains and ends
        awaitTerminated(stuck);
        assertEquals(5, handled.get());
    }

    @Test
    void aStuckChildOfAParentThatEndedDuringShutdownIsStillInTheReport() {
        ActorTestKit.HeldTimer timer = kit.executor(new ActorTestKit.HeldTimer());
        ActorSystem system = kit.system(ActorSystem.builder("orphan").timer(timer));
        ActorTestKit.Gate gate = kit.gate();
        AtomicInteger handled = new AtomicInteger();
        AtomicReference<ActorRef<String>> child = new AtomicReference<>();
        ActorRef<String> parent = system.spawn("parent", () -> new Actor<String>() {
            @Override
            public void preStart(ActorContext<String> ctx) {
                child.set(ctx.spawn("child", () -> (c, msg) -> {
                    if (msg.equals("block")) {
                        gate.pass();
                    } else {
                        handled.incrementAndGet();
                    }
                    return Behaviors.same();
                }, kit.blockingOptions()));
            }

            @Override
            public Behavior<String> receive(ActorContext<String> ctx, String message) {
                return Behaviors.same();
            }
        });
        Await.until(() -> child.get() != null, "the child to be spawned");
        child.get().tell("block");
        gate.awaitArrival();
        child.get().tell("m1");
        child.get().tell("m2");

        CompletableFuture<ShutdownReport> pending = system.shutdown(Duration.ofMillis(50)).toCompletableFuture();
        awaitTerminated(parent); // the parent drains and ends; during shutdown it leaves its child to the shutdown
        assertFalse(pending.isDone(), "the stuck child holds the report back");
        timer.fire.countDown();
        ShutdownReport report = get(pending);
        assertFalse(report.completed());
        assertEquals(List.of("/parent/child (mailbox 2)"), report.unfinished(), "the child of an ended parent is still reported");
        assertEquals(2, report.remaining());

        gate.open();
        awaitTerminated(child.get());
        assertEquals(2, handled.get());
    }

    @Test
    void shutdownStopsChildrenKeyedPoolsAndStagesWhoseSubscribersComplete() throws InterruptedException {
        PinnedDispatcher threads = kit.pinned("shutdown-pool", 2);
        ActorSystem system = kit.system("everything");
        ConcurrentHashMap<String, Boolean> closed = new ConcurrentHashMap<>();
        KeyedPool<String, Integer, Integer> pool = system.keyedPool("pool", threads, (String id) -> new PoolItem<Integer, Integer>() {
            private int sum;

            @Override
            public Integer handle(Integer request) {
                return sum += request;
            }

            @Override
            public void close() {
                closed.put(id, true);
            }
        });
        pool.create("a");
        pool.create("b");
        assertEquals(3, get(pool.ask("a", 3, WAIT)));

        CompletableFuture<ActorRef<String>> child = new CompletableFuture<>();
        AtomicInteger postStops = new AtomicInteger();
        system.spawn("parent", () -> new Actor<String>() {
            @Override
            public void preStart(ActorContext<String> ctx) {
                child.complete(ctx.spawn("child", () -> new Actor<String>() {
                    @Override
                    public Behavior<String> receive(ActorContext<String> c, String m) {
                        return Behaviors.same();
                    }

                    @Override
                    public void postStop(ActorContext<String> c) {
                        postStops.incrementAndGet();
                    }
                }));
            }

            @Override
            public Behavior<String> receive(ActorContext<String> ctx, String m) {
                return Behaviors.same();
            }

            @Override
            public void postStop(ActorContext<String> ctx) {
                postStops.incrementAndGet();
            }
        });
        get(child);

        // a stage whose upstream never completes: shutdown cancels it and completes downstream
        Channel<Integer> source = Channels.unbounded();
        Flow.Processor<Integer, Integer> stage = system.stage("double", () -> (i, out) -> out.emit(2 * i));
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        stage.subscribe(sink);
        source.subscribe(stage);
        for (int i = 1; i <= 3; i++) {
            source.send(i);
        }
        ActorTestKit.waitUntil(() -> sink.size() == 3, "three items through the stage");

        ShutdownReport report = get(system.shutdown(WAIT).toCompletableFuture());
        assertTrue(report.completed(), report.toString());
        get(sink.done);
        assertEquals(List.of(2, 4, 6), sink.items());
        ActorTestKit.waitUntil(() -> source.subscriberCount() == 0, "the stage cancelled its upstream");
        assertEquals(2, postStops.get(), "parent and child stopped");
        assertEquals(2, closed.size(), "the pool items were closed");
        assertTrue(report.processed() >= 4, "the pool request and the three stage inputs: " + report);
    }

    @Test
    void shutdownRejectsANegativeTimeout() {
        ActorSystem system = kit.system("negative");
        assertThrows(IllegalArgumentException.class, () -> system.shutdown(Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> system.shutdown(null));
        assertFalse(system.isShuttingDown());
    }

    @Test
    void aZeroTimeoutWithNothingLeftReportsCompleted() {
        // the timeout's report races with the one of the last termination: both must tell the truth
        for (int i = 0; i < 200; i++) {
            ActorSystem system = kit.system("empty-" + i);
            if (i % 2 == 0) {
                ActorRef<String> a = system.spawn("a", () -> (ctx, m) -> Behaviors.stopped());
                a.tell("stop");
                awaitTerminated(a);
            }
            ShutdownReport r = get(system.shutdown(Duration.ZERO).toCompletableFuture());
            assertTrue(r.completed(), "round " + i + ", nothing was left: " + r);
            assertEquals(List.of(), r.unfinished());
        }
    }

    @Test
    void tellsAndSpawnsRacingShutdownAreEitherHandledOrRefusedNeverLost() {
        for (int round = 0; round < 20; round++) {
            ActorSystem system = kit.system("race-" + round);
            java.util.concurrent.atomic.AtomicLong handled = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong ok = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong closed = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong spawned = new java.util.concurrent.atomic.AtomicLong();
            java.util.List<ActorRef<String>> spawnedRefs = new java.util.concurrent.CopyOnWriteArrayList<>();
            ActorRef<String> counter = system.spawn("counter", () -> (ctx, m) -> {
                handled.incrementAndGet();
                return Behaviors.same();
            });
            java.util.concurrent.atomic.AtomicReference<CompletionStage<ShutdownReport>> stage =
                    new java.util.concurrent.atomic.AtomicReference<>();
            ActorTestKit.race(4, id -> {
                if (id < 2) {
                    for (int i = 0; i < 5_000; i++) {
                        if (counter.tell("m") == SendResult.OK) {
                            ok.incrementAndGet();
                        } else {
                            closed.incrementAndGet();
                        }
                    }
                } else if (id == 2) {
                    for (int i = 0; ; i++) {
                        try {
                            ActorRef<String> a = system.spawn("s-" + i, () -> (ctx, m) -> {
                                handled.incrementAndGet();
                                return Behaviors.same();
                            });
                            spawned.incrementAndGet();
                            spawnedRefs.add(a);
                            if (a.tell("hello") == SendResult.OK) {
                                ok.incrementAndGet();
                            } else {
                                closed.incrementAndGet();
                            }
                        } catch (IllegalStateException ex) {
                            return; // shutting down
                        }
                    }
                } else {
                    ActorTestKit.waitUntil(() -> ok.get() >= 1_000, "some work before the shutdown");
                    stage.set(system.shutdown(WAIT));
                }
            });
            ShutdownReport report = get(stage.get().toCompletableFuture());
            for (ActorRef<String> a : spawnedRefs) {
                awaitTerminated(a); // an actor spawned while the shutdown began is closed too
            }
            awaitTerminated(counter);
            // a refused tell is a dead letter; an accepted one is handled, or a dead letter if it
            // slipped in after the actor's last look at its closing mailbox; never both, never neither
            long dead = system.deadLetters().count();
            assertEquals(ok.get() + closed.get(), handled.get() + dead, "round " + round + ": every tell accounted once");
            assertTrue(dead >= closed.get() && handled.get() <= ok.get(), "round " + round);
            assertEquals(0, counter.stats().depth(), "round " + round + ": nothing stranded in the mailbox");
            assertTrue(report.processed() <= handled.get(), report.toString());
        }
    }

    @Test
    void aTellThatSlipsInAsTheLoopEndsIsNeverStrandedInTheMailbox() {
        // one sender against the closing mailbox, many cheap rounds: the window is a few instructions
        for (int round = 0; round < 150; round++) {
            ActorSystem system = kit.system("slip-" + round);
            java.util.concurrent.atomic.AtomicLong handled = new java.util.concurrent.atomic.AtomicLong();
            ActorRef<String> counter = system.spawn("counter", () -> (ctx, m) -> {
                handled.incrementAndGet();
                return Behaviors.same();
            });
            CompletableFuture<long[]> sent = new CompletableFuture<>();
            Thread sender = new Thread(() -> {
                long ok = 0;
                while (counter.tell("m") == SendResult.OK) {
                    ok++;
                }
                sent.complete(new long[] {ok});
            }, "slip-sender");
            sender.setDaemon(true);
            sender.start();
            ActorTestKit.waitUntil(() -> handled.get() >= 100, "some messages handled");
            get(system.shutdown(WAIT).toCompletableFuture());
            long ok = get(sent)[0];
            awaitTerminated(counter);
            long dead = system.deadLetters().count(); // the CLOSED tell, plus any that slipped in
            assertEquals(0, counter.stats().depth(), "round " + round + ": a message was stranded");
            assertEquals(ok + 1, handled.get() + dead, "round " + round + ": every tell accounted once");
        }
    }
}
