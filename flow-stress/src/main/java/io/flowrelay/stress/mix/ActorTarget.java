package io.flowrelay.stress.mix;

import io.flowrelay.actor.ActorOptions;
import io.flowrelay.actor.ActorRef;
import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Behavior;
import io.flowrelay.actor.Behaviors;
import io.flowrelay.actor.Dispatcher;
import io.flowrelay.actor.Mailbox;
import io.flowrelay.actor.PinnedDispatcher;
import io.flowrelay.actor.ShutdownReport;
import io.flowrelay.actor.SupervisorStrategy;
import io.flowrelay.channel.Overflow;
import io.flowrelay.channel.SendResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Actors with random mailboxes (unbounded, bounded BLOCK/DROP_NEWEST/DROP_OLDEST/FAIL),
 * dispatchers (shared, pinned, a caller's executor) and supervision (resume, restart, restart
 * with a limit, stop), told by all threads; some messages are poison (the behavior throws).
 * A round ends with a graceful shutdown (a thread may start it early). Every tell is handled
 * exactly once or dead-lettered exactly once; an actor never runs two turns at once; each actor
 * handles each sender's messages in order; the shutdown report completes and agrees.
 */
final class ActorTarget implements StressTarget {

    private static final AtomicLong SYSTEMS = new AtomicLong();

    @Override
    public String name() {
        return "actor";
    }

    /** The state of one actor that survives its restarts: what it handled, in order, and overlap. */
    static final class Probe {
        final AtomicInteger active = new AtomicInteger();
        final List<Long> handled = new ArrayList<>(); // appended on the actor's turns only
        final Set<Long> poison;
        final Ledger ledger;
        final String name;

        Probe(String name, Set<Long> poison, Ledger ledger) {
            this.name = name;
            this.poison = poison;
            this.ledger = ledger;
        }

        Behavior<Long> behavior() {
            return (ctx, msg) -> {
                if (active.getAndIncrement() != 0) {
                    ledger.violation(name + ": two turns at once");
                }
                try {
                    if (poison.contains(msg)) {
                        throw new IllegalStateException("poison " + Ledger.describe(msg));
                    }
                    synchronized (handled) {
                        handled.add(msg);
                    }
                    return Behaviors.same();
                } finally {
                    active.decrementAndGet();
                }
            };
        }

        List<Long> handled() {
            synchronized (handled) {
                return new ArrayList<>(handled);
            }
        }
    }

    @Override
    public void round(SplittableRandom random, int threads, long nanos, Ledger ledger, Stats stats) {
        PinnedDispatcher pinned = null;
        Dispatcher dispatcher;
        String dname;
        switch (random.nextInt(3)) {
            case 0 -> {
                pinned = Dispatcher.pinned("mix" + SYSTEMS.incrementAndGet(), 2, 1 + random.nextInt(64));
                dispatcher = pinned;
                dname = "pinned";
            }
            case 1 -> {
                dispatcher = Dispatcher.fromExecutor(ForkJoinPool.commonPool(), 1 + random.nextInt(64));
                dname = "executor";
            }
            default -> {
                dispatcher = Dispatcher.shared();
                dname = "shared";
            }
        }
        ActorSystem system = ActorSystem.builder("mix-" + SYSTEMS.incrementAndGet()).dispatcher(dispatcher).build();
        DeadLetterTap tap = DeadLetterTap.on(system.deadLetters());
        Set<Long> poison = ConcurrentHashMap.newKeySet();
        int actors = 1 + random.nextInt(3);
        List<ActorRef<Long>> refs = new ArrayList<>();
        List<Probe> probes = new ArrayList<>();
        StringBuilder where = new StringBuilder("actors on " + dname + ":");
        for (int a = 0; a < actors; a++) {
            Mailbox mailbox = switch (random.nextInt(6)) {
                case 0 -> Mailbox.bounded(1 << random.nextInt(1, 6));
                case 1 -> Mailbox.bounded(1 << random.nextInt(1, 6), Overflow.DROP_NEWEST);
                case 2 -> Mailbox.bounded(1 << random.nextInt(1, 6), Overflow.DROP_OLDEST);
                case 3 -> Mailbox.bounded(1 << random.nextInt(1, 6), Overflow.FAIL);
                default -> Mailbox.unbounded();
            };
            SupervisorStrategy supervision = switch (random.nextInt(4)) {
                case 0 -> SupervisorStrategy.resume();
                case 1 -> SupervisorStrategy.stop();
                case 2 -> SupervisorStrategy.restart().withRestartLimit(3, Duration.ofMinutes(1));
                default -> SupervisorStrategy.restart();
            };
            Probe p = new Probe("actor " + a, poison, ledger);
            probes.add(p);
            refs.add(system.spawn("a" + a, p::behavior, ActorOptions.defaults().mailbox(mailbox).supervision(supervision)));
            where.append(' ').append(mailbox).append('/').append(supervision);
        }
        String w = where.toString();
        int poisonRate = random.nextInt(3) == 0 ? 0 : 50 + random.nextInt(500);
        long end = System.nanoTime() + nanos;
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            SplittableRandom rnd = random.split();
            workers[t] = new Thread(() -> {
                long ops = 0;
                int seq = 0;
                try {
                    while (System.nanoTime() - end < 0L) {
                        ops++;
                        long msg = Ledger.item(id, seq++);
                        if (poisonRate != 0 && rnd.nextInt(poisonRate) == 0) {
                            poison.add(msg);
                        }
                        ledger.sent(msg, Ledger.Sent.ACCEPTED); // handled or dead-lettered, whatever tell says
                        SendResult r = refs.get(rnd.nextInt(refs.size())).tell(msg);
                        if (r == SendResult.CLOSED && system.isShuttingDown()) {
                            break; // told while shutting down: dead-lettered; this worker is done
                        }
                        if (rnd.nextInt(2_000_000) == 0) {
                            system.shutdown(Duration.ofSeconds(20)); // early: tells racing it go to dead letters
                        }
                    }
                } catch (RuntimeException e) {
                    ledger.violation(w + ": worker " + id + " got " + e);
                } finally {
                    stats.operations.add(ops);
                }
            }, "mix-actor-" + t);
            workers[t].setDaemon(true);
        }
        for (Thread t : workers) {
            t.start();
        }
        Settle.sleepUntil(end);
        ShutdownReport report = null;
        try {
            report = system.shutdown(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            ledger.violation(w + ": shutdown did not report: " + e);
        }
        Settle.join(workers, ledger, w);
        if (pinned != null) {
            pinned.close();
        }
        Settle.until(tap::isDone, ledger, w + ": dead letters to complete after shutdown");
        long handled = 0;
        for (int a = 0; a < probes.size(); a++) {
            List<Long> h = probes.get(a).handled();
            handled += h.size();
            ledger.consumed(h);
            if (!refs.get(a).isTerminated()) {
                ledger.violation(w + ": actor " + a + " not terminated after shutdown");
            }
        }
        if (report != null) {
            if (!report.completed()) {
                ledger.violation(w + ": shutdown incomplete: " + report);
            }
            if (report.processed() != handled) {
                ledger.violation(w + ": report says " + report.processed() + " processed, the actors handled " + handled);
            }
        }
        ledger.check(w, stats, tap.settle(system.deadLetters(), ledger, stats));
    }
}
