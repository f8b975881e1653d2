package io.flowrelay.stress.mix;

import io.flowrelay.actor.ActorOptions;
import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Mailbox;
import io.flowrelay.actor.StageHandler;
import io.flowrelay.actor.SupervisorStrategy;
import io.flowrelay.channel.Channel;
import io.flowrelay.channel.ChannelClosedException;
import io.flowrelay.channel.Channels;
import io.flowrelay.channel.SendResult;
import io.flowrelay.internal.DefaultExecutor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A pipeline source channel → 1–3 actor stages (each with its own supervision and mailbox, some
 * slow; stages on one dispatcher run as a chain, ADR 0011) → competing subscribers, with poison
 * inputs that fail in a random stage, producers sending with every method, and one thread subscribing and cancelling
 * downstream subscribers. The round closes the source; a late subscriber takes what the stage's
 * output still holds. Every accepted input reaches exactly one subscriber, or dead letters, or
 * stays in the source (a stopped stage stops pulling); order per producer holds downstream.
 */
final class StageTarget implements StressTarget {

    private static final AtomicLong SYSTEMS = new AtomicLong();

    @Override
    public String name() {
        return "stage";
    }

    @Override
    public void round(SplittableRandom random, int threads, long nanos, Ledger ledger, Stats stats) {
        ActorSystem system = ActorSystem.create("mix-stage-" + SYSTEMS.incrementAndGet());
        DeadLetterTap tap = DeadLetterTap.on(system.deadLetters());
        Map<Long, Integer> poison = new ConcurrentHashMap<>(); // item -> the stage it fails in
        int stages = 1 + random.nextInt(3);
        StringBuilder described = new StringBuilder();
        Flow.Processor<Long, Long> first = null;
        Flow.Processor<Long, Long> stage = null;
        for (int k = 0; k < stages; k++) {
            int strategy = random.nextInt(3);
            SupervisorStrategy supervision = switch (strategy) {
                case 0 -> SupervisorStrategy.resume();
                case 1 -> SupervisorStrategy.stop();
                default -> SupervisorStrategy.restart();
            };
            int mailbox = 1 << random.nextInt(1, 6);
            boolean slow = random.nextInt(4) == 0; // slow enough to be taken off a chain of stages (ADR 0011)
            int index = k;
            Flow.Processor<Long, Long> next = system.stage("s" + k, () -> (StageHandler<Long, Long>) (in, out) -> {
                Integer at = poison.get(in);
                if (at != null && at == index) {
                    throw new IllegalStateException("poison " + Ledger.describe(in) + " in stage " + index);
                }
                if (slow) {
                    long until = System.nanoTime() + 3_000L;
                    while (System.nanoTime() - until < 0L) {
                        Thread.onSpinWait();
                    }
                }
                out.emit(in);
            }, ActorOptions.defaults().mailbox(Mailbox.bounded(mailbox)).supervision(supervision));
            if (stage == null) {
                first = next;
            } else {
                stage.subscribe(next);
            }
            stage = next;
            described.append(k == 0 ? "" : " -> ").append("stage mailbox ").append(mailbox).append(' ')
                    .append(strategy == 0 ? "resume" : strategy == 1 ? "stop" : "restart").append(slow ? " slow" : "");
        }
        Channel<Long> source = Channels.bounded(1 << random.nextInt(1, 6));
        source.subscribe(first);
        String where = described + " source " + source.capacity();
        Flow.Processor<Long, Long> last = stage;
        ConcurrentLinkedQueue<MixSubscriber> downstream = new ConcurrentLinkedQueue<>();
        int[] batches = {0, 1, 8, 64};
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
            MixSubscriber s = new MixSubscriber(where + " downstream " + i, ledger, batches[random.nextInt(4)], -1);
            downstream.add(s);
            last.subscribe(s);
        }
        int poisonRate = random.nextInt(3) == 0 ? 0 : 100 + random.nextInt(1000);
        long end = System.nanoTime() + nanos;
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            SplittableRandom rnd = random.split();
            boolean subscriberThread = t == threads - 1;
            workers[t] = new Thread(() -> {
                long ops = 0;
                int seq = 0;
                List<MixSubscriber> mine = new ArrayList<>(downstream);
                try {
                    while (System.nanoTime() - end < 0L) {
                        if (subscriberThread) {
                            LockSupport.parkNanos(20_000L); // a slow pace: subscribe and cancel now and then
                            int op = rnd.nextInt(100);
                            if (op == 0 && !mine.isEmpty()) {
                                mine.remove(rnd.nextInt(mine.size())).cancel();
                            } else if (op == 1) {
                                MixSubscriber s = new MixSubscriber(where + " downstream late " + id + "." + ops, ledger,
                                        batches[rnd.nextInt(4)], rnd.nextInt(4) == 0 ? rnd.nextInt(100) : -1);
                                downstream.add(s);
                                mine.add(s);
                                last.subscribe(s);
                            }
                            continue;
                        }
                        ops++;
                        long item = Ledger.item(id, seq++);
                        if (poisonRate != 0 && rnd.nextInt(poisonRate) == 0) {
                            poison.put(item, rnd.nextInt(stages));
                        }
                        int op = rnd.nextInt(3);
                        if (op == 0) {
                            SendResult r = source.trySend(item);
                            ledger.sent(item, r == SendResult.OK ? Ledger.Sent.ACCEPTED : Ledger.Sent.REFUSED);
                        } else if (op == 1) {
                            try {
                                source.send(item);
                                ledger.sent(item, Ledger.Sent.ACCEPTED);
                            } catch (ChannelClosedException e) {
                                ledger.sent(item, Ledger.Sent.REFUSED);
                            }
                        } else {
                            ledger.sent(item, Ledger.Sent.PENDING);
                            source.sendAsync(item).whenComplete((v, e) ->
                                    ledger.sent(item, e == null ? Ledger.Sent.ACCEPTED : Ledger.Sent.REFUSED));
                        }
                    }
                } catch (InterruptedException e) {
                    ledger.violation(where + ": producer " + id + " interrupted (it hung)");
                } catch (RuntimeException e) {
                    ledger.violation(where + ": worker " + id + " got " + e);
                } finally {
                    stats.operations.add(ops);
                }
            }, "mix-stage-" + t);
            workers[t].setDaemon(true);
        }
        for (Thread t : workers) {
            t.start();
        }
        Settle.sleepUntil(end);
        source.close();
        Settle.join(workers, ledger, where);
        MixSubscriber late = new MixSubscriber(where + " final subscriber", ledger, 0, -1);
        last.subscribe(late); // takes what the output holds; ends when the stage does
        downstream.add(late);
        if (Settle.until(() -> late.terminals() == 1, ledger, where + ": the stage to end after its source closed")) {
            Settle.until(() -> downstream.stream().allMatch(s -> s.terminals() == 1 || s.isCancelled()), ledger,
                    where + ": every downstream subscriber to end");
        }
        List<Long> rest = new ArrayList<>();
        for (Long v; (v = source.poll()) != null; ) {
            rest.add(v); // a stage that stopped or was cancelled no longer pulls
        }
        ledger.consumed(rest);
        stats.leftQueued.add(rest.size());
        try {
            system.shutdown(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            ledger.violation(where + ": shutdown did not report: " + e);
        }
        Settle.until(tap::isDone, ledger, where + ": dead letters to complete after shutdown");
        // A subscriber that cancelled may still be handed an item its output's loop had taken
        // before it saw the cancel (RS 2.8), and nothing waits for that loop: the stage ends
        // without it. Its items are read once the pool has nothing left to run (not awaitQuiescence,
        // which would run the pool's tasks on this thread).
        ForkJoinPool pool = (ForkJoinPool) DefaultExecutor.get();
        Settle.until(pool::isQuiescent, ledger, where + ": the shared pool to have nothing left to run after shutdown");
        for (MixSubscriber s : downstream) {
            stats.subscribers.increment();
            ledger.consumed(s.items());
            if (!s.isCancelled() && s.terminals() != 1) {
                ledger.violation(where + ": " + s + " got " + s.terminals() + " terminal signals");
            }
        }
        ledger.check(where, stats, tap.settle(system.deadLetters(), ledger, stats));
    }
}
