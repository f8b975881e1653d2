package io.flowrelay.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A party waiting on a channel: a parked thread, or a pending asynchronous send. Waiters sit in
 * FIFO queues of their channel; whoever takes one out decides its fate with one CAS on
 * {@code state}, so a waiter is resumed exactly once and an item is never both taken and refused.
 *
 * <p>States: {@link #WAITING} → {@link #SIGNALLED} (a receiver is woken, maybe handed an item) or
 * {@link #CLAIMED} (a sender's item is being moved into a buffer; back to {@code WAITING} if that
 * failed) → {@link #DONE} (a sender's item was taken) or {@link #FAILED} (the channel closed);
 * the owner alone moves {@code WAITING} → {@link #CANCELLED} (interrupt, timeout) or
 * {@link #LEFT} (it found an item by itself and no longer waits).
 *
 * <p>A <em>select waiter</em> ({@link #selector}) is one waiter queued in several channels at
 * once: as a receiver in some, as a sender (with a per-channel item) in others. The first channel
 * that moves it out of {@code WAITING} decides the select; every other copy is then stale and is
 * skipped by the same CAS. Channels change a waiter only through {@link #signal}, {@link #handOff},
 * {@link #take}, {@link #claim} and {@link #fail}, which for a select waiter also record which
 * channel decided ({@link #source()}).
 */
public final class Waiter {

    /*
     * Implementation notes
     *
     * thread/future — final; exactly one of them is non-null for a sender, thread for a receiver.
     * item          — a sender's item is written before the waiter is queued (publication by the
     *                 queue's offer); a receiver's hand-off item is written by the signaller before
     *                 its CAS WAITING -> SIGNALLED, and read by the owner after it sees SIGNALLED.
     * state         — CAS by the party that took the waiter out of its queue, or by the owner.
     *
     * Select waiters (offers != null):
     * offers        — final; {channel, item, channel, item ...} for the channels the select sends to,
     *                 published to those channels by the queue's offer, like a sender's item.
     * source, item  — written only by the channel that holds CLAIMED: a channel first takes the
     *                 waiter WAITING -> CLAIMED (one CAS: from now on nobody else can decide), then
     *                 writes source (and item, for a hand-off), then stores the outcome (SIGNALLED,
     *                 DONE, FAILED) or WAITING again (a bounded buffer had no room after all). The
     *                 volatile store publishes source/item to the owner, which reads them only after
     *                 it saw the outcome. Writing before the CAS, as a plain hand-off does, would let
     *                 a losing channel overwrite the winner's item.
     * A channel whose CAS fails on a select waiter gives up only when it reads a final state
     * (SIGNALLED, DONE, FAILED, CANCELLED, LEFT). If it reads CLAIMED (another channel's claim,
     * lasting one buffer offer) or WAITING (that claim already went back), it tries again:
     * dropping the waiter then would lose this channel's wake-up, as the waiter left this
     * channel's queue when it was polled. A plain waiter is only ever CLAIMED by
     * its own channel's sender drain, which no other party of that channel contends with, so for
     * plain waiters these methods are the single CAS they always were.
     */

    public static final int WAITING = 0;
    public static final int SIGNALLED = 1;
    public static final int CLAIMED = 2;
    public static final int DONE = 3;
    public static final int FAILED = 4;
    public static final int CANCELLED = 5;
    public static final int LEFT = 6;

    /** Spins before a blocking wait parks: short, so that virtual-thread carriers are not held. */
    public static final int SPINS = 64;

    /** Rounds of {@link Thread#onSpinWait()} of a blocking send that holds one of the {@link SpinSlots#SENDERS}: about 25 µs here. */
    public static final int SEND_SPINS = 1024;

    /** Rounds of {@link Thread#yield()} after the spins, before a blocking send parks. */
    public static final int SEND_YIELDS = 64;

    /**
     * While spinning, a wait yields its CPU every this many rounds (a power of two): the scheduler
     * sometimes puts the producer and the consumer on one CPU, where a spin would only delay the
     * thread it waits for. With the CPU to itself a yield costs a system call and returns.
     */
    public static final int YIELD_EVERY = 64;

    /** A blocking send that sees the consumer take nothing over this many looks stops spinning and parks. */
    public static final int SEND_STILL_LOOKS = 4;

    /** While spinning, a blocking send looks at the buffer every this many rounds (a power of two). */
    public static final int SEND_LOOK_EVERY = 16;

    /**
     * One round of a blocking send's wait for room before it parks: {@link #SEND_SPINS} rounds of
     * {@link Thread#onSpinWait()} if the send holds one of the {@link SpinSlots#SENDERS} ({@link #SPINS}
     * if not), then {@link #SEND_YIELDS} of {@link Thread#yield()}. Parking and being unparked
     * cost both sides a system call and, on these machines, tens of microseconds of wake-up
     * latency, while a consumer that drains a full channel frees room within microseconds.
     * Yielding keeps the waiter off the CPU when other threads want it (more threads than cores;
     * a virtual thread yields its carrier). A spinning sender looks at the buffer only every
     * {@link #SEND_LOOK_EVERY} rounds ({@link #sendShouldLook}): each look reads the line the
     * consumer writes for every item.
     *
     * <pre>{@code
     * boolean slot = SpinSlots.SENDERS.tryAcquire();
     * for (int i = 0; r == FULL && Waiter.backOff(i, slot); i++) if (Waiter.sendShouldLook(i, slot)) r = offer(item);
     * if (slot) SpinSlots.SENDERS.release();
     * }</pre>
     *
     * @return {@code false} once the caller should park instead
     */
    public static boolean backOff(int round, boolean longSpin) {
        int spins = longSpin ? SEND_SPINS : SPINS;
        if (round < spins) {
            if ((round & (YIELD_EVERY - 1)) == YIELD_EVERY - 1) {
                Thread.yield(); // the thread we wait for may share our CPU
            } else {
                Thread.onSpinWait();
            }
            return true;
        }
        if (round < spins + SEND_YIELDS) {
            Thread.yield();
            return true;
        }
        return false;
    }

    /** {@code true} in the rounds of {@link #backOff} after which a waiting send looks for room again. */
    public static boolean sendShouldLook(int round, boolean longSpin) {
        return round >= (longSpin ? SEND_SPINS : SPINS) || (round & (SEND_LOOK_EVERY - 1)) == SEND_LOOK_EVERY - 1;
    }

    /** Spins of a channel that waits for another channel's claim on a select waiter, before it yields. */
    private static final int CLAIM_SPINS = 256;

    private final Thread thread;
    private final CompletableFuture<Void> future;
    private final Object[] offers;
    private Object item;
    private Object source;
    private volatile int state;

    private Waiter(Thread thread, CompletableFuture<Void> future, Object item, Object[] offers) {
        this.thread = thread;
        this.future = future;
        this.item = item;
        this.offers = offers;
    }

    private Waiter(Thread thread, CompletableFuture<Void> future, Object item) {
        this(thread, future, item, null);
    }

    /** A receiver: the current thread, waiting for an item. */
    public static Waiter receiver() {
        return new Waiter(Thread.currentThread(), null, null);
    }

    /** A blocking sender: the current thread, waiting to hand over {@code item}. */
    public static Waiter sender(Object item) {
        return new Waiter(Thread.currentThread(), null, item);
    }

    /** An asynchronous sender: {@code future} completes when {@code item} is taken (may be null). */
    public static Waiter asyncSender(Object item, CompletableFuture<Void> future) {
        return new Waiter(null, future, item);
    }

    /**
     * A select waiter for the current thread.
     *
     * @param offers {@code {channel, item, channel, item ...}}: what the select sends to which
     *               channel; empty if it only receives. Not copied: do not change it afterwards.
     */
    public static Waiter selector(Object[] offers) {
        return new Waiter(Thread.currentThread(), null, null, offers);
    }

    /** {@code true} for a select waiter. */
    public boolean isSelector() {
        return offers != null;
    }

    /** Select waiter: the channel that decided its state; read only after seeing that state. */
    public Object source() {
        return source;
    }

    public int state() {
        return state;
    }

    public boolean casState(int expect, int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    /** Plain volatile store; only for the party holding a {@code CLAIMED} waiter. */
    public void setState(int s) {
        state = s;
    }

    public Object item() {
        return item;
    }

    /** Sets the item; only by the party about to CAS the state, or by the owner. */
    public void item(Object v) {
        item = v;
    }

    public boolean isAsync() {
        return thread == null;
    }

    // ---------------------------------------------------------------- the channel side

    /** Wakes a receiver (no item): {@code WAITING -> SIGNALLED}. */
    public boolean signal(Object channel) {
        if (offers == null) {
            return casState(WAITING, SIGNALLED);
        }
        if (!claimFor(channel)) {
            return false;
        }
        state = SIGNALLED;
        return true;
    }

    /** Rendezvous: gives {@code v} to a receiver, {@code WAITING -> SIGNALLED}; {@code false} if it no longer waits. */
    public boolean handOff(Object v, Object channel) {
        if (offers == null) {
            item = v;
            if (casState(WAITING, SIGNALLED)) {
                return true;
            }
            item = null;
            return false;
        }
        if (!claimFor(channel)) {
            return false;
        }
        item = v;
        state = SIGNALLED;
        return true;
    }

    /** Rendezvous: takes a waiting sender's item for {@code channel}, {@code WAITING -> DONE}; {@code null} if it no longer waits. */
    public Object take(Object channel) {
        if (offers == null) {
            Object v = item;
            if (casState(WAITING, DONE)) {
                item = null;
                return v;
            }
            return null;
        }
        if (!claimFor(channel)) {
            return null;
        }
        Object v = offerFor(channel);
        state = DONE;
        return v;
    }

    /**
     * Sender drain: {@code WAITING -> CLAIMED}, returning the item to move into {@code channel}'s
     * buffer, or {@code null} if the waiter no longer waits. The caller then stores {@code DONE}
     * (item moved) or {@code WAITING} (no room) with {@link #setState}.
     */
    public Object claim(Object channel) {
        if (offers == null) {
            return casState(WAITING, CLAIMED) ? item : null;
        }
        return claimFor(channel) ? offerFor(channel) : null;
    }

    /** The channel closed on a waiting sender: {@code WAITING -> FAILED}. */
    public boolean fail(Object channel) {
        if (offers == null) {
            return casState(WAITING, FAILED);
        }
        if (!claimFor(channel)) {
            return false;
        }
        state = FAILED;
        return true;
    }

    /** Select waiter: {@code WAITING -> CLAIMED} for {@code channel}, waiting out another channel's claim. */
    private boolean claimFor(Object channel) {
        for (int spins = 0; ; spins++) {
            if (STATE.compareAndSet(this, WAITING, CLAIMED)) {
                source = channel;
                return true;
            }
            int s = state;
            if (s == WAITING) {
                continue; // the other claim went back to WAITING (no room) between our CAS and this read
            }
            if (s != CLAIMED) {
                return false; // decided for good by someone else
            }
            if (spins < CLAIM_SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the claim holder lost its CPU in the middle of one offer
            }
        }
    }

    private Object offerFor(Object channel) {
        Object[] o = offers;
        for (int i = 0; i < o.length; i += 2) {
            if (o[i] == channel) {
                return o[i + 1];
            }
        }
        throw new IllegalStateException("select waiter has no item for " + channel);
    }

    // ---------------------------------------------------------------- the owner side

    /** Wakes the owner after a state change: unparks the thread or completes the future. */
    public void resume(Throwable failure) {
        if (thread != null) {
            LockSupport.unpark(thread);
        } else if (future != null) {
            if (failure == null) {
                future.complete(null);
            } else {
                future.completeExceptionally(failure);
            }
        }
    }

    /**
     * Parks the owner while the state is {@code WAITING} or {@code CLAIMED}, until {@code deadline}
     * ({@link System#nanoTime()} based; 0 for none) or an interrupt.
     *
     * @return the state seen last
     */
    public int await(long deadline) {
        for (;;) {
            int s = state;
            if (s != WAITING && s != CLAIMED) {
                return s;
            }
            if (Thread.currentThread().isInterrupted()) {
                return s;
            }
            if (deadline == 0L) {
                LockSupport.park(this);
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0L) {
                    return state;
                }
                LockSupport.parkNanos(this, left);
            }
        }
    }

    /** Converts a timeout to a deadline for {@link #await(long)}; never 0. */
    public static long deadline(long timeout, TimeUnit unit) {
        long d = System.nanoTime() + unit.toNanos(Math.max(0L, timeout));
        return d == 0L ? 1L : d;
    }

    /**
     * A blocking sender's wait, after it queued this waiter: parks until its item was taken
     * ({@code true}) or the channel failed it on close ({@code false}). An interrupt before the
     * item was taken cancels the waiter and throws; one that comes after it was taken stays set.
     * A claim that found no room goes back to {@code WAITING}, and the wait goes on.
     */
    public boolean awaitTaken() throws InterruptedException {
        for (;;) {
            int s = await(0L);
            if (s == WAITING && casState(WAITING, CANCELLED)) {
                Thread.interrupted();
                throw new InterruptedException();
            }
            s = awaitSettled();
            if (s == DONE) {
                return true;
            }
            if (s == FAILED) {
                return false;
            }
        }
    }

    /** Waits without parking for a transient {@code CLAIMED} to settle. */
    public int awaitSettled() {
        int s;
        while ((s = state) == CLAIMED) {
            Thread.onSpinWait();
        }
        return s;
    }

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
