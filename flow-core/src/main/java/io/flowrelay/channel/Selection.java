package io.flowrelay.channel;

import io.flowrelay.internal.BufferedChannel;
import io.flowrelay.internal.Waiter;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One run of a {@link Select}: look at the clauses, else wait on all of them with one waiter,
 * then run the one that won.
 */
final class Selection {

    /*
     * Implementation notes
     *
     * All fields are used by the selecting thread only; what other threads see is the Waiter.
     *
     * The run:
     *   1. scan: try the clauses one by one, in a fresh random order (biased: declaration order):
     *      receive = channel.poll(), else "closed" if the channel is closed and drained; send =
     *      channel.trySend(item) (OK, or CLOSED). The first clause that succeeds or finds its channel
     *      closed wins and the scan stops. orElse / a passed deadline end the run here. The scan is
     *      repeated Waiter.SPINS times with onSpinWait before the select parks.
     *   2. register: one Waiter.selector(offers) in every channel of the clauses (deduplicated):
     *      as a receiver in receive channels, as a sender in send channels (offers holds the item
     *      for each). registerSender runs the channel's sender machinery at once, so the waiter
     *      may be decided during registration; the select then stops registering.
     *   3. re-check every receive channel (hasItem() or closed); park only if none is ready and
     *      the waiter is still WAITING (Waiter.await: park while WAITING or CLAIMED).
     *   4. leave: CAS WAITING -> LEFT (after waiting out a transient CLAIMED). If that fails, a
     *      channel decided first: SIGNALLED with an item = rendezvous hand-off (that receive clause
     *      won, the item is ours), DONE = a channel took our item (that send clause won), FAILED =
     *      a send channel closed (that clause won, closed). SIGNALLED without item is a wake-up only.
     *   5. unregister from every channel, then: a win runs; an interrupt throws; else scan again
     *      (a wake-up, a ready re-check, a timeout's last look) and, if nothing, register again.
     *
     * Why a clause that does not win consumes nothing:
     *   - Items move in two ways only. (a) The selecting thread moves one in a scan; it tries one
     *     clause at a time and stops at the first success, and it scans only while it has no
     *     waiter or after its waiter left WAITING for good (step 4). (b) A channel moves one through
     *     the waiter: a rendezvous hand-off (Waiter.handOff), a rendezvous consumer taking our item
     *     (Waiter.take), the bounded sender drain moving our item into its buffer (Waiter.claim ->
     *     DONE). Each first takes the waiter WAITING -> CLAIMED with one CAS on one word, and the
     *     owner's WAITING -> LEFT competes for the same word, so at most one channel ever moves an
     *     item through a given waiter, and never after the owner left. A claim that goes back to
     *     WAITING (the drain found no room) moved nothing.
     *   - So (a) and (b) never both happen in one run, and each happens at most once: the outcome
     *     of (b) is taken as the win without scanning.
     *   - A channel that loses the CAS has written nothing into the waiter (a select waiter gets
     *     source and item only under CLAIMED) and goes on as if the waiter had been cancelled: a
     *     hand-off tries the next receiver or keeps the item with its sender, a consumer polls the
     *     next sender, the drain drops the stale waiter. A send clause's item lives only in the
     *     waiter's offers, read by a channel only after its successful claim; after the run, stale
     *     registrations are removed (or dropped by the drain), and their claims fail anyway.
     *
     * Why there is no lost wake-up (the select parks only after step 3 found nothing):
     *   - receive clause vs producer: producer publishes, full fence, reads the receivers (and
     *     signals one WAITING receiver); select queues its waiter (a CAS, a full fence), then reads
     *     hasItem(). One of the two sees the other. If the producer signals another receiver, that
     *     one takes the item. A select woken by channel A (SIGNALLED, no item) that does not take
     *     A's item passes the wake-up on (passWakeUp), as receive() does.
     *   - receive clause vs close: closer sets CLOSED, then wakes every queued receiver; select
     *     queues, then reads CLOSED.
     *   - send clause, bounded: consumer takes, fence, reads the senders and runs the sender
     *     drain; select queues its waiter and runs the drain. The drain's wip counter makes one of
     *     the drains see the waiter with the room. close(): CLOSED, then the drain fails the queued
     *     senders; a waiter queued later runs the drain, which reads CLOSED.
     *   - send clause, rendezvous: select queues, fence, wakes a receiver or subscriber
     *     (published()); a receiver queues itself, then re-reads hasItem() (senders non-empty).
     *   - CLAIMED is transient and visible to other channels only on a select waiter (a plain one
     *     is claimed only by its own channel's drain). A channel that finds the waiter CLAIMED by
     *     another one waits for the claim to settle and retries instead of dropping the waiter:
     *     otherwise a claim that went back to WAITING (no room after all) would have swallowed
     *     this channel's signal.
     *   - Every decision is followed by an unpark, and LockSupport's permit makes an unpark that
     *     comes before the park count.
     *
     * Interrupts and timeouts: the select leaves with WAITING -> LEFT; from then on no channel can
     * hand it anything. If that CAS fails, a channel decided first: a win runs even though the
     * thread was interrupted (the status stays set), so an item is never dropped. A timeout makes
     * one last scan before running its handler.
     *
     * Cost: nothing when no select waits; a channel a select waits on pays, for the select's
     * waiter only, a CLAIMED step (CAS + volatile store instead of one CAS). Unregistering walks the
     * channel's waiter queue (ConcurrentLinkedQueue.remove), which holds only live waiters.
     */

    static final int RECEIVE = 0;
    static final int SEND = 1;

    /** A receive or send clause, as the builder collected it. */
    static final class Clause {
        final int kind;
        final BufferedChannel<Object> channel;
        final Object item;
        final Function<Object, ?> onItem;
        final Supplier<?> onSent;
        final Supplier<?> onClosed;

        Clause(int kind, BufferedChannel<Object> channel, Object item, Function<Object, ?> onItem, Supplier<?> onSent, Supplier<?> onClosed) {
            this.kind = kind;
            this.channel = channel;
            this.item = item;
            this.onItem = onItem;
            this.onSent = onSent;
            this.onClosed = onClosed;
        }
    }

    private final Clause[] clauses;
    private final boolean biased;
    private final long timeoutNanos;
    private final Supplier<?> onTimeout;
    private final Supplier<?> orElse;
    private final int[] order;
    private final int[] regs;
    private int regCount;

    private int won = -1;
    private boolean closed;
    private Object received;

    Selection(Clause[] clauses, boolean biased, long timeoutNanos, Supplier<?> onTimeout, Supplier<?> orElse) {
        this.clauses = clauses;
        this.biased = biased;
        this.timeoutNanos = timeoutNanos;
        this.onTimeout = onTimeout;
        this.orElse = orElse;
        this.order = new int[clauses.length];
        this.regs = new int[clauses.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
    }

    Object run() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long deadline = onTimeout == null ? 0L : Waiter.deadline(timeoutNanos, TimeUnit.NANOSECONDS);
        for (int i = 0; ; i++) {
            if (scan()) {
                return finish();
            }
            if (orElse != null) {
                return orElse.get();
            }
            if (deadline != 0L && deadline - System.nanoTime() <= 0L) {
                return onTimeout.get();
            }
            if (i == Waiter.SPINS) {
                break;
            }
            Thread.onSpinWait();
        }
        for (;;) {
            Waiter w = register();
            if (!settledBy(w.state()) && !anyReceiveReady()) {
                w.await(deadline);
            }
            int s = leave(w);
            unregister(w);
            BufferedChannel<Object> woke = null;
            if (s == Waiter.SIGNALLED) {
                @SuppressWarnings("unchecked")
                BufferedChannel<Object> source = (BufferedChannel<Object>) w.source();
                Object v = w.item();
                if (v != null) {
                    received = v; // rendezvous hand-off: the sender counts it as taken
                    return win(clauseOf(RECEIVE, source), false);
                }
                woke = source;
            } else if (s == Waiter.DONE || s == Waiter.FAILED) {
                return win(clauseOf(SEND, w.source()), s == Waiter.FAILED);
            }
            if (Thread.interrupted()) {
                if (woke != null) {
                    woke.passWakeUp();
                }
                throw new InterruptedException();
            }
            boolean ready = scan();
            if (woke != null) {
                woke.passWakeUp(); // we used its wake-up; if it has more, someone else may take it
            }
            if (ready) {
                return finish();
            }
            if (deadline != 0L && deadline - System.nanoTime() <= 0L) {
                return onTimeout.get();
            }
        }
    }

    /** Tries each clause once without waiting; {@code true} if one won (then {@code won} is set). */
    private boolean scan() {
        shuffle();
        for (int k = 0; k < order.length; k++) {
            int i = order[k];
            Clause c = clauses[i];
            if (c.kind == RECEIVE) {
                Object v = c.channel.poll();
                if (v != null) {
                    received = v;
                    won = i;
                    return true;
                }
                if (c.channel.isTerminated()) {
                    won = i;
                    closed = true;
                    return true;
                }
            } else {
                SendResult r = c.channel.trySend(c.item);
                if (r != SendResult.FULL) {
                    won = i;
                    closed = r == SendResult.CLOSED;
                    return true;
                }
            }
        }
        return false;
    }

    /** Fair: a fresh random order (Fisher-Yates), so every ready clause is equally likely to come first. */
    private void shuffle() {
        if (biased || order.length < 2) {
            return;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = order.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Queues one waiter in every channel (once per channel and direction); stops early if one decides it. */
    private Waiter register() {
        shuffle();
        regCount = 0;
        int sends = 0;
        for (int k = 0; k < order.length; k++) {
            int i = order[k];
            Clause c = clauses[i];
            boolean dup = false;
            for (int r = 0; r < regCount && !dup; r++) {
                Clause d = clauses[regs[r]];
                dup = d.channel == c.channel && d.kind == c.kind;
            }
            if (!dup) {
                regs[regCount++] = i;
                if (c.kind == SEND) {
                    sends++;
                }
            }
        }
        Object[] offers = new Object[2 * sends];
        for (int r = 0, o = 0; r < regCount; r++) {
            Clause c = clauses[regs[r]];
            if (c.kind == SEND) {
                offers[o++] = c.channel;
                offers[o++] = c.item; // the first send clause to a channel, in this round's order
            }
        }
        Waiter w = Waiter.selector(offers);
        int registered = 0;
        while (registered < regCount) {
            Clause c = clauses[regs[registered++]];
            if (c.kind == RECEIVE) {
                c.channel.registerReceiver(w);
            } else {
                c.channel.registerSender(w);
            }
            if (settledBy(w.state())) {
                break; // decided (a send went through at once, or its channel is closed): register no more
            }
        }
        regCount = registered;
        return w;
    }

    /** {@code true} once a channel decided the waiter for good (not WAITING, not a transient CLAIMED). */
    private static boolean settledBy(int state) {
        return state != Waiter.WAITING && state != Waiter.CLAIMED;
    }

    /** The receive side of the Dekker pairs: after queueing, look again. */
    private boolean anyReceiveReady() {
        for (int r = 0; r < regCount; r++) {
            Clause c = clauses[regs[r]];
            if (c.kind == RECEIVE && (c.channel.hasItem() || c.channel.isClosed())) {
                return true;
            }
        }
        return false;
    }

    /** Ends the wait: LEFT if no channel decided first, else the channel's decision. */
    private static int leave(Waiter w) {
        for (;;) {
            if (w.casState(Waiter.WAITING, Waiter.LEFT)) {
                return Waiter.LEFT;
            }
            int s = w.awaitSettled();
            if (s != Waiter.WAITING) {
                return s;
            }
        }
    }

    private void unregister(Waiter w) {
        for (int r = 0; r < regCount; r++) {
            Clause c = clauses[regs[r]];
            if (c.kind == RECEIVE) {
                c.channel.unregisterReceiver(w);
            } else {
                c.channel.unregisterSender(w);
            }
        }
    }

    /** The registered clause of {@code kind} on {@code channel}: the one whose registration the channel decided. */
    private int clauseOf(int kind, Object channel) {
        for (int r = 0; r < regCount; r++) {
            Clause c = clauses[regs[r]];
            if (c.kind == kind && c.channel == channel) {
                return regs[r];
            }
        }
        throw new IllegalStateException("select waiter decided by a channel it did not wait on: " + channel);
    }

    private Object win(int clause, boolean isClosed) {
        won = clause;
        closed = isClosed;
        return finish();
    }

    private Object finish() {
        Clause c = clauses[won];
        if (closed) {
            if (c.onClosed != null) {
                return c.onClosed.get();
            }
            throw c.channel.closedException();
        }
        return c.kind == RECEIVE ? c.onItem.apply(received) : c.onSent.get();
    }
}
