package io.flowrelay.actor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

import static io.flowrelay.actor.ActorTestKit.WAIT;
import static io.flowrelay.actor.ActorTestKit.await;
import static io.flowrelay.actor.ActorTestKit.awaitTerminated;
import static io.flowrelay.actor.ActorTestKit.failure;
import static io.flowrelay.actor.ActorTestKit.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Request-reply with {@link ActorRef#ask} and scatter-gather with {@link Asks}. */
class AsksTest {

    private final ActorTestKit kit = new ActorTestKit();

    @AfterEach
    void tearDown() throws Exception {
        kit.close();
    }

    record Upper(String text, ActorRef<String> replyTo) {
    }

    @Test
    void askRoundTripsFromConcurrentCallersEachGetTheirOwnReply() {
        ActorSystem system = kit.system("ask");
        ActorRef<Upper> upper = system.spawn("upper", () -> (ctx, m) -> {
            m.replyTo().tell(m.text().toUpperCase());
            return Behaviors.same();
        });
        ActorTestKit.race(4, id -> {
            List<CompletableFuture<String>> pending = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                String text = "caller" + id + "-" + i;
                pending.add(upper.ask(r -> new Upper(text, r), WAIT));
            }
            for (int i = 0; i < pending.size(); i++) {
                assertEquals(("caller" + id + "-" + i).toUpperCase(), get(pending.get(i)));
            }
        });
    }

    record Hold(String tag, ActorRef<String> replyTo) {
    }

    @Test
    void askTimesOutAndTheLateReplyGoesToDeadLettersNotToAnotherAsker() {
        ActorSystem system = kit.system("late");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        // keeps the first reply handle; on the second request answers the first one late, then the second
        ActorRef<Hold> holder = system.spawn("holder", () -> new Behavior<Hold>() {
            private ActorRef<String> first;

            @Override
            public Behavior<Hold> receive(ActorContext<Hold> ctx, Hold m) {
                if (first == null) {
                    first = m.replyTo();
                } else {
                    first.tell("late answer to " + "first");
                    first.tell("second answer to first");
                    m.replyTo().tell("answer to " + m.tag());
                }
                return Behaviors.same();
            }
        });

        CompletableFuture<String> first = holder.ask(r -> new Hold("first", r), Duration.ofMillis(100));
        Throwable t = failure(first);
        assertInstanceOf(TimeoutException.class, t);
        assertTrue(t.getMessage().contains("/holder"), "says who timed out: " + t.getMessage());

        String second = get(holder.<String>ask(r -> new Hold("second", r), WAIT));
        assertEquals("answer to second", second, "the late reply must not reach another asker");
        List<DeadLetter> late = letters.await(DeadLetterCollector.reason(DeadLetter.Reason.LATE_REPLY), 2);
        assertEquals(List.of("late answer to first", "second answer to first"),
                late.stream().map(DeadLetter::message).toList());
        assertTrue(late.get(0).recipient().path().startsWith("/holder"), late.get(0).recipient().path());
        assertTrue(first.isCompletedExceptionally());
    }

    @Test
    void askToAStoppedActorFailsAtOnce() {
        ActorSystem system = kit.system("ask-stopped");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorRef<Object> gone = system.spawn("gone", () -> (ctx, m) -> Behaviors.stopped());
        gone.tell("bye");
        awaitTerminated(gone);

        CompletableFuture<String> f = gone.ask(r -> new Upper("hello", r), WAIT);
        assertTrue(f.isCompletedExceptionally(), "failed at once, not after the timeout");
        assertInstanceOf(ActorStoppedException.class, failure(f));
        DeadLetter d = letters.await(DeadLetterCollector.of(gone, DeadLetter.Reason.STOPPED), 1).get(0);
        assertEquals("hello", ((Upper) d.message()).text());
    }

    record Quote(int supplier, ActorRef<Integer> replyTo) {
    }

    record Release(CountDownLatch replied) {
    }

    /** Suppliers that keep the requests until released, so that the test decides the arrival order. */
    private static List<ActorRef<Object>> holdingSuppliers(ActorSystem system, int n) {
        List<ActorRef<Object>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            out.add(system.spawn("supplier-" + i, () -> new Behavior<Object>() {
                private final List<ActorRef<Integer>> waiting = new ArrayList<>();

                @Override
                public Behavior<Object> receive(ActorContext<Object> ctx, Object m) {
                    if (m instanceof Quote q) {
                        waiting.add(q.replyTo());
                    } else if (m instanceof Release r) {
                        for (ActorRef<Integer> w : waiting) {
                            w.tell(id);
                        }
                        waiting.clear();
                        r.replied().countDown();
                    }
                    return Behaviors.same();
                }
            }));
        }
        return out;
    }

    @Test
    void allKeepsTheOrderOfTheTargetsAndFirstTheOrderOfArrival() {
        ActorSystem system = kit.system("scatter");
        int n = 5;
        List<ActorRef<Object>> suppliers = holdingSuppliers(system, n);
        CompletableFuture<List<Integer>> all = Asks.<Object, Integer>all(suppliers, r -> new Quote(0, r), WAIT);
        CompletableFuture<List<Integer>> firstThree = Asks.<Object, Integer>first(3, suppliers, r -> new Quote(0, r), WAIT);
        CompletableFuture<List<Integer>> none = Asks.<Object, Integer>first(0, suppliers, r -> new Quote(0, r), WAIT);
        assertEquals(List.of(), get(none));
        for (int i = n - 1; i >= 0; i--) { // replies arrive in reverse order, one supplier at a time
            CountDownLatch replied = new CountDownLatch(1);
            suppliers.get(i).tell(new Release(replied));
            await(replied, "supplier " + i + " replied");
        }
        assertEquals(List.of(0, 1, 2, 3, 4), get(all));
        assertEquals(List.of(4, 3, 2), get(firstThree));
    }

    @Test
    void scatterGatherTimeoutSaysHowManyRepliesCame() {
        ActorTestKit.HeldTimer timer = kit.executor(new ActorTestKit.HeldTimer());
        ActorSystem system = kit.system(ActorSystem.builder("partial").timer(timer));
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        int n = 5;
        CountDownLatch released = new CountDownLatch(3);
        List<ActorRef<Object>> suppliers = holdingSuppliers(system, n);

        CompletableFuture<List<Integer>> all = Asks.<Object, Integer>all(suppliers, r -> new Quote(0, r), Duration.ofMillis(20));
        CompletableFuture<List<Integer>> first4 = Asks.<Object, Integer>first(4, suppliers, r -> new Quote(0, r), Duration.ofMillis(20));
        CompletableFuture<List<Integer>> first2 = Asks.<Object, Integer>first(2, suppliers, r -> new Quote(0, r), Duration.ofMillis(20));
        for (int i = 0; i < 3; i++) {
            suppliers.get(i).tell(new Release(released)); // 0, 1 and 2 answer; 3 and 4 stay silent
        }
        await(released, "three suppliers replied");
        assertEquals(2, get(first2).size(), "two of three replies suffice");
        timer.fire.countDown();

        Throwable a = failure(all);
        assertInstanceOf(TimeoutException.class, a);
        assertTrue(a.getMessage().startsWith("3 of 5 needed replies"), a.getMessage());
        Throwable f = failure(first4);
        assertInstanceOf(TimeoutException.class, f);
        assertTrue(f.getMessage().startsWith("3 of 4 needed replies"), f.getMessage());
        assertTrue(f.getMessage().contains("5 asked"), f.getMessage());

        // the silent ones answer now: too late for each of their 3 asks, so dead letters
        ActorTestKit.waitUntil(() -> timer.ran.get() >= 6, "the six asks to silent suppliers timed out");
        assertEquals(6, timer.ran.get(), "asks that were answered cancelled their timeouts");
        suppliers.get(3).tell(new Release(new CountDownLatch(1)));
        suppliers.get(4).tell(new Release(new CountDownLatch(1)));
        List<DeadLetter> late = letters.await(DeadLetterCollector.reason(DeadLetter.Reason.LATE_REPLY), 6);
        assertEquals(6, late.size());
        for (DeadLetter d : late) {
            assertTrue(d.message().equals(3) || d.message().equals(4), "late reply " + d);
        }
    }

    @Test
    void asksRejectBadArguments() {
        ActorSystem system = kit.system("ask-args");
        ActorRef<Upper> upper = system.spawn("upper", () -> (ctx, m) -> Behaviors.same());
        List<ActorRef<Upper>> targets = List.of(upper);
        assertThrows(IllegalArgumentException.class, () -> upper.<String>ask(r -> new Upper("x", r), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> upper.<String>ask(r -> new Upper("x", r), Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> Asks.<Upper, String>all(targets, r -> new Upper("x", r), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Asks.<Upper, String>first(1, targets, r -> new Upper("x", r), Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> Asks.<Upper, String>first(2, targets, r -> new Upper("x", r), WAIT));
        assertThrows(IllegalArgumentException.class, () -> Asks.<Upper, String>first(-1, targets, r -> new Upper("x", r), WAIT));
        assertThrows(NullPointerException.class, () -> upper.<String>ask(r -> null, WAIT));
        assertEquals(0, upper.stats().depth(), "nothing was told by a refused ask");
    }

    @Test
    void aFullFailMailboxFailsTheAskAtOnce() {
        ActorSystem system = kit.system("ask-full");
        ActorTestKit.Gate gate = kit.gate();
        ActorRef<Object> busy = system.spawn("busy", () -> (ctx, m) -> {
            if ("block".equals(m)) {
                gate.pass();
            }
            return Behaviors.same();
        }, kit.blockingOptions().mailbox(Mailbox.bounded(2, io.flowrelay.channel.Overflow.FAIL)));
        busy.tell("block");
        gate.awaitArrival();
        busy.tell("a");
        busy.tell("b");
        CompletableFuture<String> f = busy.ask(r -> "c", WAIT);
        assertTrue(f.isCompletedExceptionally());
        assertInstanceOf(RejectedExecutionException.class, failure(f));
    }

    @Test
    void aReplyRacingTheTimeoutEitherCompletesTheAskOrIsALateReplyNeverBoth() {
        ActorSystem system = kit.system("ask-race");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorRef<Upper> upper = system.spawn("upper", () -> (ctx, m) -> {
            m.replyTo().tell(m.text().toUpperCase());
            return Behaviors.same();
        });
        int asks = 1_000; // below the collector's buffer of 1024
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < asks; i++) {
            String text = "q" + i;
            futures.add(upper.ask(r -> new Upper(text, r), Duration.ofNanos(200_000 + (i % 7) * 100_000)));
        }
        get(upper.<String>ask(r -> new Upper("last", r), WAIT)); // every earlier reply has been told
        int ok = 0;
        java.util.Set<Object> timedOut = new java.util.HashSet<>();
        for (int i = 0; i < asks; i++) {
            CompletableFuture<String> f = futures.get(i);
            assertTrue(f.isDone(), "ask " + i + " is complete one way or the other");
            if (f.isCompletedExceptionally()) {
                assertInstanceOf(TimeoutException.class, failure(f));
                timedOut.add(("q" + i).toUpperCase());
            } else {
                assertEquals(("q" + i).toUpperCase(), f.join());
                ok++;
            }
        }
        List<DeadLetter> late = letters.await(DeadLetterCollector.reason(DeadLetter.Reason.LATE_REPLY), timedOut.size());
        assertEquals(timedOut, new java.util.HashSet<>(late.stream().map(DeadLetter::message).toList()),
                "exactly the replies of the timed-out asks are late");
        assertEquals(asks, ok + late.size());
        assertEquals(timedOut.size(), letters.letters().size(), "no other dead letters");
    }

    @Test
    void scatterGatherFailsWithTheFailureOfATargetOnceTooFewCanAnswer() {
        ActorSystem system = kit.system("scatter-fail");
        List<ActorRef<Object>> targets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int id = i;
            targets.add(system.spawn("t-" + i, () -> (ctx, m) -> {
                if (m instanceof Quote q) {
                    q.replyTo().tell(id);
                }
                return Behaviors.same();
            }));
        }
        ActorRef<Object> gone = system.spawn("gone", () -> (ctx, m) -> Behaviors.stopped());
        gone.tell("stop");
        awaitTerminated(gone);
        List<ActorRef<Object>> withGone = List.of(targets.get(0), gone, targets.get(1), targets.get(2));

        assertInstanceOf(ActorStoppedException.class,
                failure(Asks.<Object, Integer>all(withGone, r -> new Quote(0, r), WAIT)));
        List<Integer> three = get(Asks.<Object, Integer>first(3, withGone, r -> new Quote(0, r), WAIT));
        assertEquals(java.util.Set.of(0, 1, 2), new java.util.HashSet<>(three), "the stopped one is not needed");
        assertInstanceOf(ActorStoppedException.class,
                failure(Asks.<Object, Integer>first(4, withGone, r -> new Quote(0, r), WAIT)));
    }
}
