package io.flowrelay.actor;

import io.flowrelay.internal.StateWord;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The timeouts of one actor system's asks and pool requests, registered without touching the
 * timer: a registration pushes an {@link Entry} onto a lock-free stack, and a sweep on the timer
 * every {@link #SWEEP_NANOS} takes the whole stack, drops the entries whose future is already
 * done (the common case: the reply came within microseconds) and hands the others to the timer
 * with what is left of their timeout. So an answered ask costs one CAS instead of a timer
 * insertion (which, with one ask at a time, always became the timer's head and woke its thread)
 * plus a cancellation under the timer's lock.
 *
 * <p>A timeout fires no earlier than asked and at most about one sweep later. Timeouts of at most
 * {@link #DIRECT_MAX_NANOS} go to the timer at once, as every timeout did before, so short
 * timeouts stay precise.
 */
final class DeferredTimeouts implements Runnable {

    /*
     * Implementation notes
     *
     * Which thread writes what:
     *   head  — the stack of waiting entries (a Treiber stack, newest first). Pushed by any thread
     *           registering a timeout (CAS); emptied whole by getAndSet(null) by the sweep (timer
     *           thread), by close(), and by a registration that finds CLOSED after its push. Every
     *           taker owns the batch it took, so takers need no mutual exclusion, and an entry is
     *           pushed once, so the push CAS has no ABA. The entry's fields (deadline, next) are
     *           written before the push CAS and read after the taker's getAndSet.
     *   state — bits ARMED (a sweep is scheduled) and CLOSED (set once by close(), or when the
     *           timer refuses the sweep). ARMED is set by the registration that wins the
     *           CAS 0 -> ARMED, which then schedules the sweep; it is cleared only by the sweep
     *           after IDLE_SWEEPS empty sweeps in a row. So at most one sweep is scheduled at a time.
     *   idleSweeps — only the sweep (one at a time: see ARMED), published to the next by the timer.
     *
     * Dekker pairs (all accesses volatile, so one of the two sides sees the other):
     *   registration: push (CAS head), then read state  |  sweep disarming: clear ARMED, then read head
     *     -> the registration re-arms, or the sweep sees the entry and re-arms (one CAS wins).
     *   registration: push (CAS head), then read state  |  close(): set CLOSED, then take head
     *     -> the registration takes and hands over its own entry, or close() takes it.
     *
     * Handing over: an entry still pending is scheduled on the timer with the time left on the
     * system clock (the injected one in tests), and its future cancels that task when it completes,
     * as every timeout did before; if the timer refuses, the future fails with
     * ActorStoppedException (the timer has shut down). An entry already past its deadline fails
     * with TimeoutException at once on the sweeping timer thread; close() hands even those to the
     * timer (delay 0) so that the callbacks of the failed future run on the timer thread, not on
     * the thread that happens to finish the shutdown.
     *
     * At shutdown the system calls close() before it shuts its timer down; the timer still runs
     * delayed tasks after shutdown(), so every pending ask times out at its deadline, as before.
     *
     * Not padded (STYLE 9): head is written by every asker, but under several askers its line
     * bounces anyway and state is read right after the CAS; nothing else on it is hot.
     */

    /** How often the sweep runs while timeouts are being registered. */
    static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Timeouts up to this long skip the stack and go to the timer at once. */
    static final long DIRECT_MAX_NANOS = 2 * SWEEP_NANOS;
    /** Empty sweeps in a row after which the sweep stops until the next registration (1 s). */
    static final int IDLE_SWEEPS = 100;

    private static final int ARMED = 1;
    private static final int CLOSED = 2;

    private final ScheduledExecutorService timer;
    private final LongSupplier clock;
    private final String systemName;

    private volatile Entry<?> head;
    private volatile int state;
    private int idleSweeps;

    DeferredTimeouts(ScheduledExecutorService timer, LongSupplier clock, String systemName) {
        this.timer = timer;
        this.clock = clock;
        this.systemName = systemName;
    }

    /** Fails the entry's future with a {@link TimeoutException} if it is not complete within its timeout. */
    void register(Entry<?> e) {
        if (e.future.isDone()) {
            return;
        }
        long nanos = e.timeout.toNanos();
        if (nanos <= DIRECT_MAX_NANOS || (state & CLOSED) != 0) {
            handOver(e, nanos);
            return;
        }
        e.deadline = clock.getAsLong() + nanos; // compared by subtraction: overflow-safe
        Entry<?> h;
        do {
            h = head;
            e.next = h;
        } while (!HEAD.compareAndSet(this, h, e));
        for (;;) {
            int s = state;
            if ((s & CLOSED) != 0) {
                handOverAll(true); // close() may have missed our entry
                return;
            }
            if ((s & ARMED) != 0) {
                return; // the common case: a sweep is coming
            }
            if (STATE.compareAndSet(this, s, s | ARMED)) {
                scheduleSweep();
                return;
            }
        }
    }

    /** Hands every waiting entry to the timer and makes later registrations go there directly. */
    void close() {
        StateWord.set(STATE, this, CLOSED);
        handOverAll(true);
    }

    /** {@code true} if no entry waits for a sweep; for tests. */
    boolean isEmpty() {
        return head == null;
    }

    /** {@code true} while a sweep is scheduled; for tests. */
    boolean isArmed() {
        return (state & ARMED) != 0;
    }

    /** The sweep, on the timer thread. */
    @Override
    public void run() {
        boolean found;
        try {
            found = handOverAll(false);
        } catch (Throwable ex) {
            found = true; // a broken clock or description: the sweeps must go on, or nothing would time out
        }
        if (found) {
            idleSweeps = 0;
        } else {
            idleSweeps++;
        }
        for (;;) {
            int s = state;
            if ((s & CLOSED) != 0) {
                handOverAll(true);
                return;
            }
            if (idleSweeps < IDLE_SWEEPS) {
                scheduleSweep();
                return;
            }
            if (STATE.compareAndSet(this, s, s & ~ARMED)) {
                idleSweeps = 0;
                if (head != null && STATE.compareAndSet(this, 0, ARMED)) {
                    scheduleSweep(); // a registration raced with the disarm and lost the CAS to us
                }
                return;
            }
        }
    }

    private void scheduleSweep() {
        try {
            timer.schedule(this, SWEEP_NANOS, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException ex) {
            close(); // the timer is gone: every pending entry fails with ActorStoppedException
        }
    }

    /**
     * Takes the whole stack and hands each pending entry to the timer; {@code closing}: also those
     * past their deadline (else they fail here).
     *
     * @return {@code true} if the stack was not empty
     */
    private boolean handOverAll(boolean closing) {
        if (head == null) {
            return false;
        }
        long now = clock.getAsLong(); // before the take: a clock that throws leaves the stack as it was
        Entry<?> e = (Entry<?>) HEAD.getAndSet(this, null);
        if (e == null) {
            return false;
        }
        while (e != null) {
            Entry<?> next = e.next;
            e.next = null; // an entry handed to the timer must not keep the rest of the batch alive
            if (!e.future.isDone()) {
                long left = e.deadline - now;
                if (left > 0L) {
                    handOver(e, left);
                } else if (closing) {
                    handOver(e, 0L);
                } else {
                    e.expire();
                }
            }
            e = next;
        }
        return true;
    }

    /** The timer path: a timer task that fails the future, cancelled when the future completes first. */
    private void handOver(Entry<?> e, long delayNanos) {
        try {
            ScheduledFuture<?> t = timer.schedule(e::expire, delayNanos, TimeUnit.NANOSECONDS);
            e.future.whenComplete((v, x) -> t.cancel(false));
        } catch (RejectedExecutionException ex) {
            e.future.completeExceptionally(new ActorStoppedException(e.what() + ": actor system " + systemName
                    + " has shut down"));
        }
    }

    /**
     * A registered timeout: the future it fails, the timeout, and who is waiting (an ask's target,
     * or a description supplier), described only when the timeout fires or is refused.
     *
     * @param <T> the future's value type
     */
    static final class Entry<T> {
        final CompletableFuture<T> future;
        final Duration timeout;
        private final ActorRef<?> askTarget; // an ask: "ask to <path>", without a lambda per ask
        private final Supplier<String> what; // anything else
        long deadline; // system clock; written before the push
        Entry<?> next; // written before the push; cleared by the taker

        private Entry(CompletableFuture<T> future, Duration timeout, ActorRef<?> askTarget, Supplier<String> what) {
            this.future = future;
            this.timeout = timeout;
            this.askTarget = askTarget;
            this.what = what;
        }

        /** The timeout of an ask to {@code target}. */
        static <T> Entry<T> ask(CompletableFuture<T> future, ActorRef<?> target, Duration timeout) {
            return new Entry<>(future, timeout, target, null);
        }

        /** A timeout described by {@code what} (pool requests and batches). */
        static <T> Entry<T> described(CompletableFuture<T> future, Duration timeout, Supplier<String> what) {
            return new Entry<>(future, timeout, null, what);
        }

        /** Who timed out, e.g. {@code ask to /a}. */
        String what() {
            return askTarget != null ? "ask to " + askTarget.path() : what.get();
        }

        void expire() {
            if (!future.isDone()) {
                future.completeExceptionally(new TimeoutException(what() + " timed out after " + timeout));
            }
        }
    }

    private static final VarHandle HEAD;
    private static final VarHandle STATE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(DeferredTimeouts.class, "head", Entry.class);
            STATE = l.findVarHandle(DeferredTimeouts.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
