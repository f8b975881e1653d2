package io.flowrelay.channel;

import io.flowrelay.internal.BufferedChannel;
import io.flowrelay.internal.Waiter;
import io.flowrelay.test.Await;
import io.flowrelay.test.Forked;
import io.flowrelay.test.Race;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Selects under concurrent producers, consumers, closers and interrupts: every item is received
 * exactly once (or is still in its channel), each producer's items in order, and a clause that
 * did not win leaves its channel alone.
 */
@Timeout(120) // a lost wake-up shows as a failure with the stuck thread's stack, not as a hung build
class SelectRaceTest {

    static final int PER_CHANNEL = 4;
    static final int PRODUCERS = 2 * PER_CHANNEL;

    static Channel<Integer> make(String kind) {
        switch (kind) {
            case "bounded":
                return Channels.bounded(64);
            case "unbounded":
                return Channels.unbounded();
            case "rendezvous":
                return Channels.rendezvous();
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    /** Items per producer: a rendezvous item costs a thread hand-off, so fewer of them. */
    static int perProducer(String... kinds) {
        return Arrays.asList(kinds).contains("rendezvous") ? 25_000 : 100_000;
    }

    /** Exactly-once and per-producer order, for items {@code producer * per + seq}. One {@link Order} per consumer. */
    static final class Tally {
        final int per;
        final AtomicIntegerArray seen;
        final List<String> problems = new CopyOnWriteArrayList<>();
        final AtomicInteger total = new AtomicInteger();

        Tally(int producers, int per) {
            this.per = per;
            this.seen = new AtomicIntegerArray(producers * per);
        }

        Order consumer() {
            return new Order(this);
        }

        void assertEveryItemOnce() {
            assertEquals(List.of(), problems);
            for (int i = 0; i < seen.length(); i++) {
                if (seen.get(i) != 1) {
                    fail("item " + i + " (producer " + i / per + ", seq " + i % per + ") was received " + seen.get(i) + " times");
                }
            }
            assertEquals(seen.length(), total.get());
        }
    }

    /** What one consumer saw: each producer's items must come in send order. */
    static final class Order {
        final Tally tally;
        final int[] last;

        Order(Tally tally) {
            this.tally = tally;
            this.last = new int[tally.seen.length() / tally.per];
            Arrays.fill(last, -1);
        }

        void accept(int v) {
            int p = v / tally.per;
            int seq = v % tally.per;
            if (seq <= last[p] && tally.problems.size() < 10) {
                tally.problems.add("producer " + p + ": " + seq + " after " + last[p]);
            }
            last[p] = seq;
            if (tally.seen.getAndIncrement(v) != 0 && tally.problems.size() < 10) {
                tally.problems.add("duplicate " + v);
            }
            tally.total.incrementAndGet();
        }
    }

    /** Producers 0..3 send to {@code a}, 4..7 to {@code b}; the last of each four closes its channel. */
    static Race.Task[] producers(Channel<Integer> a, Channel<Integer> b, int per) {
        Race.Task[] tasks = new Race.Task[PRODUCERS];
        AtomicInteger leftA = new AtomicInteger(PER_CHANNEL);
        AtomicInteger leftB = new AtomicInteger(PER_CHANNEL);
        for (int p = 0; p < PRODUCERS; p++) {
            int producer = p;
            Channel<Integer> ch = p < PER_CHANNEL ? a : b;
            AtomicInteger left = p < PER_CHANNEL ? leftA : leftB;
            tasks[p] = () -> {
                for (int seq = 0; seq < per; seq++) {
                    ch.send(producer * per + seq);
                }
                if (left.decrementAndGet() == 0) {
                    ch.close();
                }
            };
        }
        return tasks;
    }

    static final int ITEM = 0;
    static final int A_CLOSED = 1;
    static final int B_CLOSED = 2;

    /** Selects from {@code a} and {@code b} until both are closed and drained. */
    static void selectUntilBothClosed(Channel<Integer> a, Channel<Integer> b, Order order, boolean biased) throws InterruptedException {
        Select.Builder<Integer> both = Select.<Integer>builder()
                .onReceive(a, v -> { order.accept(v); return ITEM; }, () -> A_CLOSED)
                .onReceive(b, v -> { order.accept(v); return ITEM; }, () -> B_CLOSED);
        if (biased) {
            both.biased();
        }
        Select.Builder<Integer> onlyA = Select.<Integer>builder().onReceive(a, v -> { order.accept(v); return ITEM; }, () -> A_CLOSED);
        Select.Builder<Integer> onlyB = Select.<Integer>builder().onReceive(b, v -> { order.accept(v); return ITEM; }, () -> B_CLOSED);
        boolean openA = true;
        boolean openB = true;
        while (openA || openB) {
            int r = (openA && openB ? both : openA ? onlyA : onlyB).select();
            if (r == A_CLOSED) {
                openA = false;
            } else if (r == B_CLOSED) {
                openB = false;
            }
        }
    }

    // ------------------------------------------------------------------ receive clauses at volume

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bounded+bounded", "unbounded+unbounded", "rendezvous+rendezvous", "bounded+rendezvous"})
    void oneSelectingConsumerReceivesEveryItemOfTwoChannelsOnce(String kinds) {
        String[] k = kinds.split("\\+");
        int per = perProducer(k);
        Channel<Integer> a = make(k[0]);
        Channel<Integer> b = make(k[1]);
        Tally tally = new Tally(PRODUCERS, per);
        Race.Task[] tasks = Arrays.copyOf(producers(a, b, per), PRODUCERS + 1);
        tasks[PRODUCERS] = () -> selectUntilBothClosed(a, b, tally.consumer(), false);
        Race.race(tasks);
        tally.assertEveryItemOnce();
        assertTrue(a.isTerminated() && b.isTerminated());
    }

    /** Two fair selects, a biased one and a plain receive() compete: wake-ups a select does not use must reach the others. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bounded", "rendezvous"})
    void selectsCompeteWithEachOtherAndWithReceive(String kind) {
        int per = perProducer(kind) / 2;
        Channel<Integer> a = kind.equals("bounded") ? Channels.bounded(8) : make(kind);
        Channel<Integer> b = kind.equals("bounded") ? Channels.bounded(8) : make(kind);
        Tally tally = new Tally(PRODUCERS, per);
        Race.Task[] tasks = Arrays.copyOf(producers(a, b, per), PRODUCERS + 4);
        tasks[PRODUCERS] = () -> selectUntilBothClosed(a, b, tally.consumer(), false);
        tasks[PRODUCERS + 1] = () -> selectUntilBothClosed(a, b, tally.consumer(), false);
        tasks[PRODUCERS + 2] = () -> selectUntilBothClosed(a, b, tally.consumer(), true);
        tasks[PRODUCERS + 3] = () -> {
            Order order = tally.consumer();
            try {
                for (;;) {
                    order.accept(a.receive());
                }
            } catch (ChannelClosedException closed) {
                assertNull(closed.getCause());
            }
        };
        Race.race(tasks);
        tally.assertEveryItemOnce();
    }

    // ------------------------------------------------------------------ send clauses at volume

    /** Four selecting senders offer each item to whichever of two channels has room; two receivers take them. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bounded", "rendezvous"})
    void selectingSendersPutEveryItemIntoExactlyOneChannel(String kind) {
        int senders = 4;
        int per = perProducer(kind) / 4;
        Channel<Integer> a = kind.equals("bounded") ? Channels.bounded(4) : make(kind);
        Channel<Integer> b = kind.equals("bounded") ? Channels.bounded(4) : make(kind);
        Tally tally = new Tally(senders, per);
        AtomicInteger left = new AtomicInteger(senders);
        AtomicInteger toA = new AtomicInteger();
        Race.Task[] tasks = new Race.Task[senders + 2];
        for (int s = 0; s < senders; s++) {
            int sender = s;
            tasks[s] = () -> {
                for (int seq = 0; seq < per; seq++) {
                    int v = sender * per + seq;
                    boolean intoA = Select.<Boolean>builder().onSend(a, v, () -> true).onSend(b, v, () -> false).select();
                    if (intoA) {
                        toA.incrementAndGet();
                    }
                }
                if (left.decrementAndGet() == 0) {
                    a.close();
                    b.close();
                }
            };
        }
        for (Channel<Integer> ch : List.of(a, b)) {
            tasks[tasks.length - (ch == a ? 2 : 1)] = () -> {
                Order order = tally.consumer(); // one sender's items into one channel keep their order
                for (Integer v : ch) {
                    order.accept(v);
                }
            };
        }
        Race.race(tasks);
        tally.assertEveryItemOnce();
        assertTrue(toA.get() > 0 && toA.get() < senders * per, () -> "all items went one way: " + toA.get() + " into a");
    }

    /**
     * One round: {@code out} is full, {@code in} empty; a select offers {@code x} to {@code out} or
     * receives from {@code in} while one thread makes room in {@code out} and another sends to
     * {@code in}. Whichever clause wins, the other channel is as if the select had not been there.
     */
    @ParameterizedTest(name = "out is {0}")
    @ValueSource(strings = {"bounded", "rendezvous"})
    void sendOrReceiveLeavesTheLosingChannelUntouched(String kind) {
        int rounds = kind.equals("bounded") ? 1_500 : 1_000;
        int[] wins = new int[2];
        for (int round = 0; round < rounds; round++) {
            boolean rendezvous = kind.equals("rendezvous");
            Channel<Integer> out = rendezvous ? Channels.rendezvous() : SelectTest.full(1, 2);
            Channel<Integer> in = Channels.bounded(4);
            AtomicReference<String> outcome = new AtomicReference<>();
            AtomicBoolean selected = new AtomicBoolean();
            ConcurrentLinkedQueue<Integer> takenFromOut = new ConcurrentLinkedQueue<>();
            Race.race(
                    () -> {
                        outcome.set(Select.<String>builder()
                                .onSend(out, 3, () -> "sent")
                                .onReceive(in, v -> "received " + v)
                                .select());
                        selected.set(true);
                    },
                    () -> {
                        if (!rendezvous) {
                            takenFromOut.add(out.poll()); // room for one
                            return;
                        }
                        while (!selected.get()) { // a rendezvous send needs a taker while the select waits
                            Integer v = out.poll();
                            if (v != null) {
                                takenFromOut.add(v);
                            }
                            Thread.onSpinWait();
                        }
                    },
                    () -> in.send(9));
            String r = outcome.get();
            List<Integer> restOfOut = SelectTest.drain(out);
            List<Integer> restOfIn = SelectTest.drain(in);
            if (r.equals("sent")) {
                wins[0]++;
                assertEquals(List.of(9), restOfIn, "round " + round + ": the receive clause lost, yet took the item");
                List<Integer> all = new ArrayList<>(takenFromOut);
                all.addAll(restOfOut);
                assertEquals(rendezvous ? List.of(3) : List.of(1, 2, 3), all, "round " + round);
            } else {
                wins[1]++;
                assertEquals("received 9", r);
                assertEquals(List.of(), restOfIn);
                List<Integer> all = new ArrayList<>(takenFromOut);
                all.addAll(restOfOut);
                assertEquals(rendezvous ? List.of() : List.of(1, 2), all, "round " + round + ": the send clause lost, yet its item went in");
            }
        }
        System.out.printf("send-or-receive (%s): sent %d, received %d of %d rounds%n", kind, wins[0], wins[1], rounds);
    }

    // ------------------------------------------------------------------ wake-ups

    /**
     * A select waits to send to a full channel {@code c} and to receive from {@code a}. Another
     * thread keeps running {@code c}'s sender drain (through the kernel hook, which queues
     * nothing), and the drain claims the select's waiter (it is the head sender) and, finding no
     * room, hands it back: WAITING -> CLAIMED -> WAITING, again and again. An item sent to
     * {@code a} meanwhile must still wake the select: a channel that finds the waiter CLAIMED
     * waits for the claim to settle instead of dropping it. The select has no timeout: a lost
     * wake-up leaves it parked, and {@code join} fails.
     */
    @Test
    void aWakeUpDuringAnotherChannelsFailedClaimIsNotLost() {
        int rounds = 200;
        Waiter probe = Waiter.receiver(); // unregisterSender on a bounded channel only runs the drain
        for (int round = 0; round < rounds; round++) {
            Channel<Integer> c = SelectTest.full(1, 2);
            Channel<Integer> a = Channels.bounded(4);
            BufferedChannel<Integer> kernel = (BufferedChannel<Integer>) c;
            Forked<String> selector = Forked.start("selector", () -> Select.<String>builder()
                    .onSend(c, 3, () -> "sent")
                    .onReceive(a, v -> "a:" + v)
                    .select());
            Await.parkedInChannel(selector.thread());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger drains = new AtomicInteger();
            Forked<Void> drainer = Forked.start("drainer", () -> {
                while (!stop.get()) {
                    kernel.unregisterSender(probe); // the drain: claim the select, no room, unclaim
                    drains.incrementAndGet();
                }
                return null;
            });
            Await.until(() -> drains.get() > 100, "the drainer to run");
            try {
                a.send(round);
                assertEquals("a:" + round, selector.join(), "round " + round);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                stop.set(true);
                drainer.join();
            }
            assertEquals(List.of(1, 2), SelectTest.drain(c), "the select's item did not go in");
        }
    }

    /**
     * A select parked on {@code b} and {@code a} (biased towards {@code b}) and, behind it, a
     * plain receiver parked on {@code a}. {@code a} gets an item and wakes the select (the first
     * receiver in its queue); {@code b} gets one right after. The select takes {@code b}'s item,
     * so it must pass {@code a}'s wake-up on to the receiver, which would otherwise sleep next to
     * an item.
     */
    @Test
    void aWakeUpTheSelectDidNotUseIsPassedOn() throws Exception {
        int rounds = 30;
        int passedOn = 0;
        for (int round = 0; round < rounds; round++) {
            Channel<Integer> a = Channels.bounded(4);
            Channel<Integer> b = Channels.bounded(4);
            Forked<String> selector = Forked.start("selector", () -> Select.<String>builder()
                    .onReceive(b, v -> "b")
                    .onReceive(a, v -> "a")
                    .biased()
                    .select());
            Await.parkedInChannel(selector.thread());
            Forked<Integer> receiver = Forked.start("receiver", a::receive);
            Await.parkedInChannel(receiver.thread());
            a.send(1);
            b.send(2);
            String r = selector.join();
            if (r.equals("b")) {
                passedOn++;
                assertEquals(1, receiver.join(), "round " + round + ": the receiver was never told about a's item");
            } else {
                a.send(3); // the select woke before b's item came and took a's: the receiver gets the next one
                assertEquals(3, receiver.join());
            }
        }
        int p = passedOn;
        assertTrue(passedOn > 0, () -> "the select never preferred b's item: nothing was tested (" + p + ")");
    }

    // ------------------------------------------------------------------ interrupts

    /**
     * A consumer selects from a bounded and a rendezvous channel while another thread interrupts
     * it again and again; it stops halfway. Every item is either one the select returned or still
     * in its channel: none was taken by a select that then threw.
     */
    @Test
    void interruptedReceivingSelectsLoseNoItem() {
        int per = 10_000;
        Channel<Integer> a = Channels.bounded(16);
        Channel<Integer> b = Channels.rendezvous();
        Tally tally = new Tally(PRODUCERS, per);
        AtomicInteger interrupts = new AtomicInteger();
        AtomicBoolean consumerDone = new AtomicBoolean();
        AtomicReference<Thread> consumerThread = new AtomicReference<>();
        int half = PRODUCERS * per / 2;
        Race.Task[] tasks = Arrays.copyOf(producers(a, b, per), PRODUCERS + 3);
        Order selected = tally.consumer();
        tasks[PRODUCERS] = () -> {
            consumerThread.set(Thread.currentThread());
            Select.Builder<Integer> s = Select.<Integer>builder()
                    .onReceive(a, v -> v, () -> -1)
                    .onReceive(b, v -> v, () -> -1);
            int got = 0;
            try {
                while (got < half) {
                    try {
                        int v = s.select();
                        if (v >= 0) {
                            selected.accept(v);
                            got++;
                        }
                    } catch (InterruptedException e) {
                        interrupts.incrementAndGet();
                    }
                }
            } finally {
                consumerDone.set(true);
            }
        };
        tasks[PRODUCERS + 1] = () -> { // the interrupter
            Thread t;
            while ((t = consumerThread.get()) == null) {
                Thread.onSpinWait();
            }
            while (!consumerDone.get()) {
                t.interrupt();
                LockSupport.parkNanos(20_000L);
            }
        };
        tasks[PRODUCERS + 2] = () -> { // once the selecting consumer stopped: the rest, with plain receive()
            while (!consumerDone.get()) {
                LockSupport.parkNanos(100_000L);
            }
            Order rest = tally.consumer();
            Race.race(() -> a.forEach(rest::accept), () -> b.forEach(tally.consumer()::accept));
        };
        Race.race(tasks);
        tally.assertEveryItemOnce();
        assertTrue(interrupts.get() > 0, "the interrupter never hit a select");
        System.out.printf("interrupted receiving selects: %d InterruptedExceptions over %d selected items%n", interrupts.get(), half);
    }

    /**
     * Four selecting senders are interrupted again and again; a sender retries an item after an
     * InterruptedException. An item that a select sent must not be sent again (a duplicate), and
     * none may vanish.
     */
    @Test
    void interruptedSendingSelectsNeitherLoseNorDuplicate() {
        int senders = 4;
        int per = 10_000;
        Channel<Integer> a = Channels.bounded(4);
        Channel<Integer> b = Channels.rendezvous();
        Tally tally = new Tally(senders, per);
        AtomicInteger left = new AtomicInteger(senders);
        AtomicInteger interrupts = new AtomicInteger();
        List<Thread> senderThreads = new CopyOnWriteArrayList<>();
        Race.Task[] tasks = new Race.Task[senders + 3];
        for (int s = 0; s < senders; s++) {
            int sender = s;
            tasks[s] = () -> {
                senderThreads.add(Thread.currentThread());
                try {
                    for (int seq = 0; seq < per; seq++) {
                        int v = sender * per + seq;
                        Select.Builder<Boolean> sel = Select.<Boolean>builder().onSend(a, v, () -> true).onSend(b, v, () -> true);
                        for (;;) {
                            try {
                                sel.select();
                                break;
                            } catch (InterruptedException e) {
                                interrupts.incrementAndGet(); // not sent: send it again
                            }
                        }
                    }
                } finally {
                    senderThreads.remove(Thread.currentThread());
                    if (left.decrementAndGet() == 0) {
                        a.close();
                        b.close();
                    }
                }
            };
        }
        tasks[senders] = () -> {
            while (senderThreads.isEmpty() && left.get() > 0) {
                Thread.onSpinWait();
            }
            while (left.get() > 0) {
                for (Thread t : senderThreads) {
                    t.interrupt();
                }
                LockSupport.parkNanos(20_000L);
            }
        };
        tasks[senders + 1] = () -> a.forEach(tally.consumer()::accept);
        tasks[senders + 2] = () -> b.forEach(tally.consumer()::accept);
        Race.race(tasks);
        // per-producer order holds per channel only; the tally's order check is per consumer, so it holds here
        tally.assertEveryItemOnce();
        assertTrue(interrupts.get() > 0, "the interrupter never hit a select");
        System.out.printf("interrupted sending selects: %d InterruptedExceptions%n", interrupts.get());
    }

    // ------------------------------------------------------------------ virtual threads

    /**
     * JDK 21+: 32 virtual threads select from two channels fed by 8 virtual producers, on the
     * default scheduler (as many carriers as cores). A select that pinned its carrier, or lost a
     * wake-up, would hang this test.
     */
    @Test
    void selectsWorkOnVirtualThreads() throws Exception {
        Method factory;
        try {
            factory = java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
        } catch (NoSuchMethodException e) {
            factory = null;
        }
        assumeTrue(factory != null, "virtual threads need JDK 21+; this is " + Runtime.version());
        int per = 20_000;
        int consumers = 32;
        Channel<Integer> a = Channels.bounded(16);
        Channel<Integer> b = Channels.rendezvous();
        Tally tally = new Tally(PRODUCERS, per);
        ExecutorService vts = (ExecutorService) factory.invoke(null);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Race.Task t : producers(a, b, per)) {
                futures.add(vts.submit(() -> {
                    t.run();
                    return null;
                }));
            }
            for (int c = 0; c < consumers; c++) {
                boolean biased = c % 2 == 0;
                futures.add(vts.submit(() -> {
                    assertTrue(Thread.currentThread().toString().contains("Virtual"), Thread.currentThread()::toString);
                    selectUntilBothClosed(a, b, tally.consumer(), biased);
                    return null;
                }));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            for (Future<?> f : futures) {
                f.get(Math.max(1L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            vts.shutdownNow();
        }
        tally.assertEveryItemOnce();
    }
}
