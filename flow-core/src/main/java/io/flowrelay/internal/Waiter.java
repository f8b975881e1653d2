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

    private final Thread thread;
    private final CompletableFuture<Void> future;
    private Object item;
    private volatile int state;

    private Waiter(Thread thread, CompletableFuture<Void> future, Object item) {
        this.thread = thread;
        this.future = future;
        this.item = item;
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
