package io.flowrelay.stress.mix;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.ChannelClosedException;
import io.flowrelay.channel.ChannelFullException;
import io.flowrelay.channel.Channels;
import io.flowrelay.channel.Overflow;
import io.flowrelay.channel.SendResult;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Channels of every kind and overflow policy under a random mix of send, trySend, sendAsync,
 * receive, receive(timeout), poll, subscribe (batched demand, some cancel themselves), cancel,
 * close and fail from all threads. The round ends with close or fail; then what is left is
 * polled, every subscriber must finish (a terminal signal exactly once, unless it cancelled) and
 * the ledger must balance.
 */
final class ChannelTarget implements StressTarget {

    enum Kind { BOUNDED, DROP_NEWEST, DROP_OLDEST, FAIL, UNBOUNDED, RENDEZVOUS }

    /** The failure a round may end with. */
    static final class StressFailure extends RuntimeException {
        StressFailure() {
            super("stress mix fail()", null, false, false);
        }
    }

    @Override
    public String name() {
        return "channel";
    }

    @Override
    public void round(SplittableRandom random, int threads, long nanos, Ledger ledger, Stats stats) {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        int capacity = 1 << random.nextInt(1, 7);
        Channels.Builder<Long> b = Channels.<Long>builder().batch(1 + random.nextInt(64));
        switch (kind) {
            case BOUNDED -> b.capacity(capacity);
            case DROP_NEWEST, DROP_OLDEST -> b.capacity(capacity).overflow(Overflow.valueOf(kind.name())).onDrop(ledger::dropped);
            case FAIL -> b.capacity(capacity).overflow(Overflow.FAIL);
            case UNBOUNDED -> b.unbounded();
            case RENDEZVOUS -> b.capacity(0);
        }
        Channel<Long> ch = b.build();
        String where = "channel " + kind + (kind == Kind.UNBOUNDED || kind == Kind.RENDEZVOUS ? "" : "(" + ch.capacity() + ")");
        ConcurrentLinkedQueue<MixSubscriber> subscribers = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + nanos;

        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            SplittableRandom rnd = random.split();
            workers[t] = new Thread(() -> work(id, rnd, ch, end, ledger, stats, subscribers, where), "mix-channel-" + t);
            workers[t].setDaemon(true);
        }
        for (Thread w : workers) {
            w.start();
        }
        Settle.sleepUntil(end);
        if (random.nextInt(5) == 0) {
            ch.fail(new StressFailure());
        } else {
            ch.close();
        }
        Settle.join(workers, ledger, where);

        List<Long> rest = new ArrayList<>();
        for (Long v; (v = ch.poll()) != null; ) {
            rest.add(v);
        }
        ledger.consumed(rest);
        stats.leftQueued.add(rest.size());
        Settle.until(() -> ch.subscriberCount() == 0, ledger, where + ": every subscription to finish after close and drain");
        if (!ch.isTerminated()) {
            ledger.violation(where + ": closed and drained, but not terminated");
        }
        for (MixSubscriber s : subscribers) {
            ledger.consumed(s.items());
            stats.subscribers.increment();
            if (!s.isCancelled() && s.terminals() != 1) {
                ledger.violation(where + ": " + s + " got " + s.terminals() + " terminal signals");
            }
            if (s.terminals() == 1 && s.error() != ch.error()) {
                ledger.violation(where + ": " + s + " ended with " + s.error() + " but the channel with " + ch.error());
            }
        }
        ledger.check(where, stats, 0L);
    }

    private static void work(int id, SplittableRandom rnd, Channel<Long> ch, long end, Ledger ledger, Stats stats,
                             ConcurrentLinkedQueue<MixSubscriber> all, String where) {
        List<Long> took = new ArrayList<>();
        List<MixSubscriber> mine = new ArrayList<>();
        int seq = 0;
        long ops = 0;
        boolean closed = false;
        try {
            while (!closed && System.nanoTime() - end < 0L) {
                ops++;
                int op = rnd.nextInt(1000);
                if (op < 250) {
                    long item = Ledger.item(id, seq++);
                    SendResult r = ch.trySend(item);
                    ledger.sent(item, r == SendResult.OK ? Ledger.Sent.ACCEPTED : Ledger.Sent.REFUSED);
                    closed = r == SendResult.CLOSED;
                } else if (op < 350) {
                    long item = Ledger.item(id, seq++);
                    try {
                        ch.send(item);
                        ledger.sent(item, Ledger.Sent.ACCEPTED);
                    } catch (ChannelClosedException e) {
                        ledger.sent(item, Ledger.Sent.REFUSED);
                        closed = true;
                    } catch (ChannelFullException e) {
                        ledger.sent(item, Ledger.Sent.REFUSED);
                    }
                } else if (op < 450) {
                    long item = Ledger.item(id, seq++);
                    ledger.sent(item, Ledger.Sent.PENDING);
                    CompletionStage<Void> f = ch.sendAsync(item);
                    f.whenComplete((v, e) -> ledger.sent(item, e == null ? Ledger.Sent.ACCEPTED : Ledger.Sent.REFUSED));
                } else if (op < 650) {
                    Long v = ch.poll();
                    if (v != null) {
                        took.add(v);
                    }
                } else if (op < 800) {
                    try {
                        Long v = ch.receive(1 + rnd.nextInt(500), TimeUnit.MICROSECONDS);
                        if (v != null) {
                            took.add(v);
                        }
                    } catch (ChannelClosedException e) {
                        closed = true;
                    }
                } else if (op < 850) {
                    try {
                        took.add(ch.receive()); // blocks until an item comes or the round's close
                    } catch (ChannelClosedException e) {
                        closed = true;
                    }
                } else if (op < 870) {
                    int[] batches = {0, 1, 4, 32};
                    int cancelAfter = rnd.nextInt(4) == 0 ? rnd.nextInt(64) : -1;
                    MixSubscriber s = new MixSubscriber(where + " subscriber " + id + "." + mine.size(), ledger,
                            batches[rnd.nextInt(batches.length)], cancelAfter);
                    mine.add(s);
                    all.add(s);
                    ch.subscribe(s);
                } else if (op < 885) {
                    if (!mine.isEmpty()) {
                        mine.get(rnd.nextInt(mine.size())).cancel();
                    }
                } else if (op < 886) {
                    if (rnd.nextInt(20) == 0) {
                        if (rnd.nextBoolean()) {
                            ch.close();
                        } else {
                            ch.fail(new StressFailure());
                        }
                    }
                } else {
                    Long v = ch.poll();
                    if (v != null) {
                        took.add(v);
                    }
                }
            }
        } catch (InterruptedException e) {
            ledger.violation(where + ": worker " + id + " interrupted (it hung)");
        } catch (RuntimeException e) {
            ledger.violation(where + ": worker " + id + " got " + e);
        } finally {
            ledger.consumed(took);
            stats.operations.add(ops);
        }
    }
}
