package io.flowrelay.actor;

import io.flowrelay.channel.Overflow;
import io.flowrelay.channel.SendResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static io.flowrelay.actor.ActorTestKit.WAIT;
import static io.flowrelay.actor.ActorTestKit.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bounded mailboxes and their overflow policies, and the counters of {@link ActorRef#stats()}. */
class MailboxTest {

    private final ActorTestKit kit = new ActorTestKit();

    @AfterEach
    void tearDown() throws Exception {
        kit.close();
    }

    record Handled(ActorRef<List<String>> replyTo) {
    }

    /** An actor that blocks on its first message ("block") at the gate and records the rest. */
    private ActorRef<Object> gated(ActorSystem system, ActorTestKit.Gate gate, Mailbox mailbox) {
        return system.spawn("gated", () -> new Behavior<Object>() {
            private final List<String> handled = new ArrayList<>();

            @Override
            public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
                if ("block".equals(msg)) {
                    gate.pass();
                } else if (msg instanceof Handled h) {
                    h.replyTo().tell(List.copyOf(handled));
                } else {
                    handled.add((String) msg);
                }
                return Behaviors.same();
            }
        }, kit.blockingOptions().mailbox(mailbox));
    }

    private static List<String> names(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "m" + i).toList();
    }

    @Test
    void dropNewestKeepsTheFirstAndDeadLettersTheRest() {
        ActorSystem system = kit.system("drop-newest");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorTestKit.Gate gate = kit.gate();
        ActorRef<Object> a = gated(system, gate, Mailbox.bounded(4, Overflow.DROP_NEWEST));
        a.tell("block");
        gate.awaitArrival();
        for (int i = 0; i < 10; i++) {
            assertEquals(SendResult.OK, a.tell("m" + i), "a dropping policy reports OK");
        }
        MailboxStats full = a.stats();
        assertEquals(4, full.depth());
        assertEquals(6, full.dropped());
        assertEquals(6, full.deadLettered());
        List<DeadLetter> dropped = letters.await(DeadLetterCollector.of(a, DeadLetter.Reason.DROPPED), 6);
        assertEquals(names(4, 10), dropped.stream().map(DeadLetter::message).toList());

        gate.open();
        ActorTestKit.waitUntil(() -> a.stats().depth() == 0, "the mailbox drained"); // or the ask is dropped too
        assertEquals(names(0, 4), get(a.<List<String>>ask(Handled::new, WAIT)));
        ActorTestKit.waitUntil(() -> a.stats().processed() == 6, "block, m0..m3 and the ask processed");
        assertEquals(6, a.stats().dropped());
    }

    @Test
    void dropOldestKeepsTheLastAndDeadLettersTheRest() {
        ActorSystem system = kit.system("drop-oldest");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorTestKit.Gate gate = kit.gate();
        ActorRef<Object> a = gated(system, gate, Mailbox.bounded(4, Overflow.DROP_OLDEST));
        a.tell("block");
        gate.awaitArrival();
        for (int i = 0; i < 10; i++) {
            assertEquals(SendResult.OK, a.tell("m" + i));
        }
        MailboxStats full = a.stats();
        assertEquals(4, full.depth());
        assertEquals(6, full.dropped());
        assertEquals(6, full.deadLettered());
        List<DeadLetter> dropped = letters.await(DeadLetterCollector.of(a, DeadLetter.Reason.DROPPED), 6);
        assertEquals(names(0, 6), dropped.stream().map(DeadLetter::message).toList());
        assertNull(dropped.get(0).cause());

        gate.open();
        // the ask itself would push out m6: wait until there is room
        ActorTestKit.waitUntil(() -> a.stats().depth() == 0, "the mailbox drained");
        assertEquals(names(6, 10), get(a.<List<String>>ask(Handled::new, WAIT)));
        assertEquals(6, a.stats().dropped());
    }

    @Test
    void failRefusesWithFullAndDeadLettersRejected() {
        ActorSystem system = kit.system("fail");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorTestKit.Gate gate = kit.gate();
        ActorRef<Object> a = gated(system, gate, Mailbox.bounded(4, Overflow.FAIL));
        a.tell("block");
        gate.awaitArrival();
        for (int i = 0; i < 10; i++) {
            assertEquals(i < 4 ? SendResult.OK : SendResult.FULL, a.tell("m" + i), "tell m" + i);
        }
        MailboxStats full = a.stats();
        assertEquals(4, full.depth());
        assertEquals(0, full.dropped(), "refused is not dropped");
        assertEquals(6, full.deadLettered());
        List<DeadLetter> rejected = letters.await(DeadLetterCollector.of(a, DeadLetter.Reason.REJECTED), 6);
        assertEquals(names(4, 10), rejected.stream().map(DeadLetter::message).toList());

        gate.open();
        ActorTestKit.waitUntil(() -> a.stats().depth() == 0, "the mailbox drained"); // or the ask is refused
        assertEquals(names(0, 4), get(a.<List<String>>ask(Handled::new, WAIT)));
    }

    @Test
    void blockMakesTellWaitUntilTheActorFreesRoom() {
        ActorSystem system = kit.system("block");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorTestKit.Gate gate = kit.gate();
        ActorRef<Object> a = gated(system, gate, Mailbox.bounded(2, Overflow.BLOCK));
        a.tell("block");
        gate.awaitArrival();
        assertEquals(SendResult.OK, a.tell("m0"));
        assertEquals(SendResult.OK, a.tell("m1"));
        assertEquals(2, a.stats().depth());

        CompletableFuture<SendResult> third = new CompletableFuture<>();
        Thread sender = new Thread(() -> third.complete(a.tell("m2")), "blocked-sender");
        sender.setDaemon(true);
        sender.start();
        // the sender parks in tell (or, if BLOCK were broken, returns and ends)
        ActorTestKit.waitUntil(() -> sender.getState() == Thread.State.WAITING || third.isDone()
                || sender.getState() == Thread.State.TERMINATED, "the sender parked or returned");
        assertFalse(third.isDone(), "tell returned while the mailbox was full: " + third.getNow(null));
        assertEquals(2, a.stats().depth());

        gate.open(); // the actor takes m0: room for m2
        assertEquals(SendResult.OK, get(third));
        assertEquals(names(0, 3), get(a.<List<String>>ask(Handled::new, WAIT)));
        assertEquals(0, a.stats().dropped());
        assertEquals(List.of(), letters.letters());
    }

    @Test
    void anInterruptedBlockedTellReportsFullAndDeadLettersRejected() {
        ActorSystem system = kit.system("block-interrupt");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorTestKit.Gate gate = kit.gate();
        ActorRef<Object> a = gated(system, gate, Mailbox.bounded(2, Overflow.BLOCK));
        a.tell("block");
        gate.awaitArrival();
        a.tell("m0");
        a.tell("m1");
        CompletableFuture<SendResult> result = new CompletableFuture<>();
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread sender = new Thread(() -> {
            result.complete(a.tell("m2"));
            stillInterrupted.complete(Thread.currentThread().isInterrupted());
        }, "interrupted-sender");
        sender.setDaemon(true);
        sender.start();
        ActorTestKit.waitUntil(() -> sender.getState() == Thread.State.WAITING || result.isDone(), "the sender parked");
        sender.interrupt();
        assertEquals(SendResult.FULL, get(result));
        assertTrue(get(stillInterrupted), "the interrupt status is kept");
        DeadLetter d = letters.await(DeadLetterCollector.of(a, DeadLetter.Reason.REJECTED), 1).get(0);
        assertEquals("m2", d.message());
        assertInstanceOf(InterruptedException.class, d.cause());

        gate.open();
        assertEquals(names(0, 2), get(a.<List<String>>ask(Handled::new, WAIT)), "m2 never got in");
    }

    @Test
    void boundedCapacityIsRoundedUpToAPowerOfTwo() {
        ActorSystem system = kit.system("round");
        ActorTestKit.Gate gate = kit.gate();
        ActorRef<Object> a = gated(system, gate, Mailbox.bounded(5, Overflow.FAIL));
        a.tell("block");
        gate.awaitArrival();
        int accepted = 0;
        while (a.tell("m" + accepted) == SendResult.OK) {
            accepted++;
            assertTrue(accepted <= 64, "a bounded mailbox must refuse at some point");
        }
        assertEquals(8, accepted);
        assertEquals(8, a.stats().depth());
    }

    @Test
    void statsCountProcessedAndDeadLetteredOfAnUnboundedMailbox() {
        ActorSystem system = kit.system("stats");
        ActorTestKit.Gate gate = kit.gate();
        ActorRef<Object> a = gated(system, gate, Mailbox.unbounded());
        assertEquals(new MailboxStats(0, 0, 0, 0), a.stats());
        a.tell("block");
        gate.awaitArrival();
        for (int i = 0; i < 1_000; i++) {
            a.tell("m" + i);
        }
        assertEquals(1_000, a.stats().depth());
        assertEquals(0, a.stats().processed());
        gate.open();
        assertEquals(1_000, get(a.<List<String>>ask(Handled::new, WAIT)).size());
        ActorTestKit.waitUntil(() -> a.stats().processed() == 1_002, "processed");
        assertEquals(new MailboxStats(0, 1_002, 0, 0), a.stats());
    }

    @Test
    void mailboxRejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Mailbox.bounded(0));
        assertThrows(IllegalArgumentException.class, () -> Mailbox.bounded(-3, Overflow.DROP_NEWEST));
        assertThrows(IllegalArgumentException.class, () -> Mailbox.bounded((1 << 30) + 1));
        assertThrows(NullPointerException.class, () -> Mailbox.bounded(4, null));
        assertFalse(Mailbox.unbounded().isBounded());
        assertTrue(Mailbox.bounded(4).isBounded());
        assertEquals(Overflow.BLOCK, Mailbox.bounded(4).overflow());
    }

    record Seq(int sender, int seq) {
    }

    record Totals(long handled, String violation, int maxDepth) {
    }

    record GetTotals(ActorRef<Totals> replyTo) {
    }

    /** Checks per-sender order (gaps allowed when {@code gaps}) and samples its own mailbox depth. */
    private ActorRef<Object> orderChecker(ActorSystem system, String name, Mailbox mailbox, int senders, boolean gaps) {
        return system.spawn(name, () -> new Behavior<Object>() {
            private final int[] next = new int[senders];
            private long handled;
            private String violation;
            private int maxDepth;

            @Override
            public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) {
                if (msg instanceof Seq s) {
                    boolean inOrder = gaps ? s.seq() >= next[s.sender()] : s.seq() == next[s.sender()];
                    if (!inOrder && violation == null) {
                        violation = "sender " + s.sender() + ": " + s.seq() + " after " + (next[s.sender()] - 1);
                    }
                    next[s.sender()] = s.seq() + 1;
                    handled++;
                    if ((handled & 63) == 0) {
                        maxDepth = Math.max(maxDepth, ctx.self().stats().depth());
                        Thread.yield(); // a slower consumer than the senders
                    }
                } else if (msg instanceof GetTotals g) {
                    g.replyTo().tell(new Totals(handled, violation, maxDepth));
                }
                return Behaviors.same();
            }
        }, ActorOptions.defaults().mailbox(mailbox));
    }

    @Test
    void concurrentSendersIntoABlockingMailboxLoseNothingAndKeepTheirOrder() {
        ActorSystem system = kit.system("block-race");
        int senders = 4;
        int each = 25_000;
        ActorRef<Object> a = orderChecker(system, "checker", Mailbox.bounded(16, Overflow.BLOCK), senders, false);
        java.util.concurrent.atomic.AtomicInteger maxSeen = new java.util.concurrent.atomic.AtomicInteger();
        ActorTestKit.race(senders, id -> {
            for (int i = 0; i < each; i++) {
                assertEquals(SendResult.OK, a.tell(new Seq(id, i)));
                if ((i & 255) == 0) {
                    maxSeen.accumulateAndGet(a.stats().depth(), Math::max);
                }
            }
        });
        Totals t = get(a.<Totals>ask(GetTotals::new, WAIT));
        assertNull(t.violation());
        assertEquals((long) senders * each, t.handled());
        assertTrue(Math.max(t.maxDepth(), maxSeen.get()) <= 16, "depth " + Math.max(t.maxDepth(), maxSeen.get()));
        assertEquals(0, a.stats().dropped());
        assertEquals(0, system.deadLetters().count());
    }

    @Test
    void concurrentSendersIntoADropOldestMailboxAccountForEveryMessage() {
        ActorSystem system = kit.system("drop-race");
        int senders = 4;
        int each = 25_000;
        ActorRef<Object> a = orderChecker(system, "checker", Mailbox.bounded(8, Overflow.DROP_OLDEST), senders, true);
        ActorTestKit.race(senders, id -> {
            for (int i = 0; i < each; i++) {
                assertEquals(SendResult.OK, a.tell(new Seq(id, i)));
            }
        });
        ActorTestKit.waitUntil(() -> a.stats().depth() == 0, "drained"); // the ask must not be dropped
        Totals t = get(a.<Totals>ask(GetTotals::new, WAIT));
        assertNull(t.violation(), "what is kept stays in order");
        long dropped = a.stats().dropped();
        assertEquals((long) senders * each, t.handled() + dropped, "handled + dropped = sent");
        assertEquals(dropped, system.deadLetters().count(), "every drop is a dead letter");
        assertEquals(dropped, a.stats().deadLettered());
    }

    @Test
    void processedCountsHandledMessagesOnlyAmongEverythingATurnDelivers() throws Exception {
        ActorSystem system = kit.system("processed");
        ActorRef<String> other = system.spawn("other", () -> (ctx, m) -> Behaviors.stopped());
        CompletableFuture<Void> down = new CompletableFuture<>();
        ActorRef<String> a = system.spawn("a", () -> (ctx, m) -> {
            switch (m) {
                case "watch" -> ctx.watchWith(other, "down");
                case "boom" -> throw new IllegalStateException("boom");
                case "down" -> down.complete(null);
                default -> { }
            }
            return Behaviors.same();
        }, ActorOptions.defaults().supervision(SupervisorStrategy.resume()));
        a.tell("watch");
        a.tell("x");
        a.tell("boom"); // fails: resumed, dead-lettered, not processed
        a.tell("y");
        other.tell("stop"); // a gets the termination as a system message, then handles "down"
        down.get(10, java.util.concurrent.TimeUnit.SECONDS);
        // watch, x, y and the watchWith message; not the failure, not the system message
        ActorTestKit.waitUntil(() -> a.stats().processed() == 4, "processed");
        ActorTestKit.waitUntil(() -> a.stats().deadLettered() == 1, "the failed message dead-lettered");
        assertEquals(4, a.stats().processed());
        system.shutdown(WAIT).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(4, a.stats().processed(), "still exact after the end");
    }
}
