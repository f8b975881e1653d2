package io.flowrelay.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RejectedExecutionException;

/**
 * The one drain loop: a {@link Flow.Subscription} that delivers items from a source to one
 * subscriber on an {@link Executor}, up to the subscriber's demand, serially, and exactly one
 * terminal signal. Every publisher in FlowRelay hands its subscribers one of these; a source only
 * says where items come from ({@link #pollNext()}), whether more may come ({@link #isExhausted()})
 * and how it ended ({@link #terminalError()}).
 *
 * <p>What it guarantees:
 * <ul>
 *   <li>{@code onSubscribe} is the first signal, delivered from the loop like every other one, so
 *       that no two signals ever overlap (RS 1.3, 1.9);</li>
 *   <li>at most {@code requested} {@code onNext} calls (RS 1.1), a terminal signal exactly once
 *       and nothing after it (RS 1.7), also without demand (RS 1.4, 1.5);</li>
 *   <li>{@code request} and {@code cancel} never run the loop on the caller's stack, so there is
 *       no recursion between {@code request} and {@code onNext} (RS 3.3);</li>
 *   <li>{@code request(n <= 0)} cancels and signals {@code IllegalArgumentException} (RS 3.9);
 *       demand adds up to {@link Long#MAX_VALUE} (RS 3.17);</li>
 *   <li>after a terminal signal or cancellation, the subscriber reference is dropped (RS 3.13);</li>
 *   <li>a turn delivers at most {@code batch} items, then yields the executor thread.</li>
 * </ul>
 *
 * <p>A producer that has made an item available calls {@link #wakeIfIdle()}; the loop is only
 * submitted to the executor when {@code wip} moves from 0 to 1, never once per item.
 *
 * @param <T> the item type
 */
@SuppressWarnings("serial")
public abstract class DeliveryLoop<T> extends ForkJoinTask<Void> implements Flow.Subscription, Runnable {

    /*
     * Implementation notes
     *
     * wip        — any thread increments it (request, cancel, wakeIfIdle, start); the thread that
     *              moves it 0 -> 1 submits run() to the executor (startVia: hands that submission
     *              to a StartQueue, which makes it from a thread of the pool, or, once the pool
     *              refused the queue's task, by whoever holds the loop); only run() decrements it. While
     *              wip != 0 exactly one run() is scheduled or running: it alone touches downstream.
     * requested  — request() adds (CAS, capped), run() subtracts what it delivered (CAS, floored),
     *              cancel() CASes in Demand.CANCELLED, a request(n <= 0) a mark of n (RS 3.9):
     *              negative is ended, and never changes again. The first of the two decides
     *              whether the end is silent or an error; a request(n <= 0) after a cancel is a
     *              no-op (RS 3.6). run() makes the error from the mark (Demand.endError): one
     *              field, no second one for why the subscription ended.
     * phase      — only run() reads and writes it (and rejected(), which owns wip when it runs).
     * (ForkJoinTask) — the loop is its own task on a ForkJoinPool (a pool wraps a plain Runnable
     *              in a new task per submit; a separate reusable task cost 24 bytes per loop, per
     *              idle actor): exec() runs a turn and never reports completion, so the task can
     *              be submitted again; only the thread that owns wip submits it, so it is never
     *              queued twice. Its status stays "not done": exec() lets nothing escape (a throw
     *              would complete the task and no pool would run it again), cancel(boolean) is
     *              the subscription's cancel(), complete/completeExceptionally refuse; a pool's
     *              shutdownNow() still drops a queued turn (the loop then never runs again, as
     *              with any task it drops). On JDK 21+ a submission from outside the pool also
     *              sets a bit in the task's status word: one atomic write per wake-up.
     * downstream — set in the constructor, nulled by run() when it finishes (RS 3.13), after the
     *              terminal signal and onFinished(): up to then a hook may read it
     *              (heldSubscriber()), as ActorLoop reads its cell there instead of a field of its own.
     * inline     — acquireInline() takes wip 0 -> 1 like a producer that would submit the loop,
     *              but runs no turn: its caller delivers on its own thread, then releaseInline()
     *              gives wip back like a leaving run (the same missed count and re-check), and
     *              submits a run only for what needs one: a cancel, the end, or items with demand
     *              (new demand alone does not; the next item wakes the loop). While it holds wip, no
     *              run is scheduled or running, so onNext calls stay serial (RS 1.3), and phase,
     *              downstream and the demand are the holder's to read and write.
     *
     * No lost wake-up: a producer publishes an item, issues a full fence, then reads wip
     * (wakeIfIdle); run(), when it leaves, takes wip to 0 with a full-fence getAndAdd and then
     * re-reads the source (hasMoreBeforeLeaving). One of the two sees the other. (A source may
     * instead have the leaving loop leave a wake-up request in the source, read by the producer's
     * own full-fence publication: MpscRing's IDLE bit.)
     */

    private static final int NEW = 0;
    private static final int SUBSCRIBED = 1;
    private static final int FINISHED = 2;

    /** How long an idle loop on a ForkJoinPool spins for a next item before it leaves its thread (see idleSpin). */
    private static final long IDLE_SPIN_NANOS = 50_000L;

    /** Spin rounds of an idle loop on any other executor. */
    private static final int IDLE_SPINS = 128;

    /** An idle loop looks at its source in each of its first spin rounds (a reply comes fast)... */
    private static final int IDLE_LOOK_ALWAYS = 64;

    /** ... then every this many rounds (a power of two). */
    private static final int IDLE_LOOK_EVERY = 32;

    /**
     * An idle loop whose source many loops read at once ({@link #readByMany()}) looks, and reads
     * the pool's queues and its spin slot, only every this many rounds.
     */
    private static final int SHARED_LOOK_EVERY = 128;

    private final Executor executor;
    private final int batch;
    private Flow.Subscriber<? super T> downstream;
    private int phase;

    private volatile long requested;
    private volatile int wip;

    /**
     * @param downstream the subscriber to deliver to
     * @param executor   where the loop runs
     * @param batch      items a turn may deliver before it yields the thread (at least 1)
     */
    protected DeliveryLoop(Flow.Subscriber<? super T> downstream, Executor executor, int batch) {
        this.downstream = Objects.requireNonNull(downstream, "subscriber"); // RS 1.9
        this.executor = Objects.requireNonNull(executor, "executor");
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        this.batch = batch;
    }

    // ---------------------------------------------------------------- hooks for the source

    /** The next item for this subscriber, or {@code null} if none is available now. */
    protected abstract T pollNext();

    /** {@code true} if an item may be available; a cheap, non-consuming check. */
    protected abstract boolean hasMore();

    /**
     * The loop is about to sleep with demand left (wip is 0, after a full fence): {@code true} if
     * an item may be available after all (the loop then tries to go on), {@code false} once the
     * source will wake it ({@link #wakeIfIdle()}) for its next item. By default {@link #hasMore()}:
     * the source looks at its loops after every item. A source that wakes only loops that asked
     * (a ring's IDLE bit) records the request here.
     */
    protected boolean hasMoreBeforeLeaving() {
        return hasMore();
    }

    /**
     * {@code true} once the source has ended and nothing is left for this subscriber: the loop
     * then delivers the terminal signal. Read the end flag before checking emptiness.
     */
    protected abstract boolean isExhausted();

    /** The error to end with, or {@code null} to complete normally; read after {@link #isExhausted()}. */
    protected abstract Throwable terminalError();

    /**
     * {@code true} if many loops read this source at once, so that an idle spin should look at
     * it only every {@value #SHARED_LOOK_EVERY} rounds (see idleSpin). Read when a spin starts.
     * By default {@code false}.
     */
    protected boolean readByMany() {
        return false;
    }

    /**
     * {@code true} if an idle spin on a ForkJoinPool ends as soon as a task waits while every
     * worker is busy, to give that task its thread (see idleSpin). {@code false} for a loop whose
     * waiting tasks are mostly its own submissions, which another worker may take
     * ({@link StartQueue}): it spins its full time for its next item, and its producer, which
     * would have to wake it from outside the pool, does not. Read when a spin starts. By default
     * {@code true}.
     */
    protected boolean givesWayToWaitingWork() {
        return true;
    }

    /**
     * {@code false} if the items of this loop usually come another way while it is idle (a
     * producer that delivers inline to an idle loop, {@link #acquireInline}): the loop then
     * leaves as soon as it finds nothing, without the idle spin (see idleSpin), and a request
     * to an idle loop with nothing to deliver runs nothing. Such a request adds the demand
     * (a full fence), sees {@code wip} at 0, then asks the source as a leaving run does
     * ({@link #hasMoreBeforeLeaving}, which may ask to be woken by the next item): an item
     * published before that look makes the request run the loop; one published after it finds
     * the demand, or the wake-up request, and wakes the loop. A run that was pending for
     * nothing cost the producer its next inline delivery: while it waits in the pool, the loop
     * cannot be taken. By default {@code true}.
     */
    protected boolean spinsWhenIdle() {
        return true;
    }

    /** Called by the loop after each batch of {@code n > 0} delivered items (replenish, wake senders). */
    protected void onDelivered(long n) {
    }

    /** Called once, from the loop, after the terminal signal or the cancellation took effect. */
    protected void onFinished() {
    }

    /**
     * Called by the loop with the number of {@code onNext} calls it completed since the last call:
     * when a turn leaves, before a terminal signal, and every {@code batch} items of a long turn.
     * Not per item or per batch: a count kept here is written where no other core reads it for
     * every item (an actor's processed count).
     */
    protected void onTurnDelivered(long n) {
    }

    private void reportTurn(long n) {
        if (n != 0L) {
            onTurnDelivered(n);
        }
    }

    // ---------------------------------------------------------------- Flow.Subscription

    /** Starts delivery: the loop's first act is {@code onSubscribe}. Call once. */
    public final void start() {
        schedule();
    }

    /**
     * {@link #start()} for a loop on the pool that {@code queue} serves: takes wip as start() does,
     * and leaves the submission of the first turn to the queue, which makes it from a thread of
     * the pool (see {@link StartQueue}). Call once, instead of start().
     */
    public final void startVia(StartQueue queue) {
        if ((int) WIP.getAndAdd(this, 1) == 0) {
            queue.enqueue(this);
        }
    }

    /** For {@link StartQueue}: submits the first turn that {@link #startVia} left to it (this loop's wip is taken). */
    final void submitFirstTurn() {
        submit();
    }

    /** For {@link StartQueue}: the first turn could not be submitted at all; fails the subscriber as a refusal does. */
    final void refuseFirstTurn(RejectedExecutionException ex) {
        rejected(ex);
    }

    @Override
    public final void request(long n) {
        if (n <= 0L) {
            // RS 3.9, but only before a cancel: after it, request is a no-op (RS 3.6)
            if (Demand.endWithBadRequest(REQUESTED, this, n)) {
                schedule();
            }
            return;
        }
        if (Demand.add(REQUESTED, this, n) >= 0L) {
            if (wip == 0 && !spinsWhenIdle() && !isExhausted() && !hasMoreBeforeLeaving()) {
                return; // an idle loop with nothing to deliver: see spinsWhenIdle
            }
            schedule();
        }
    }

    @Override
    public final void cancel() {
        if (Demand.cancel(REQUESTED, this)) { // RS 3.5, 3.7: idempotent; a later request(n <= 0) stays a no-op
            schedule();
        }
    }

    /** {@code true} once cancelled, by the subscriber or by a failure in delivery. */
    public final boolean cancelled() {
        return requested < 0L; // ended: a cancel or a bad request (Demand)
    }

    /** Where the loop runs. */
    public final Executor executor() {
        return executor;
    }

    /** Outstanding demand (for diagnostics and routing decisions). */
    public final long requested() {
        return requested;
    }

    /**
     * Called by a producer after it made an item available (and issued a full fence): starts
     * the loop if it is idle and this subscriber has demand.
     *
     * @return {@code true} if this call started the loop
     */
    public final boolean wakeIfIdle() {
        if (wip == 0 && requested > 0L && (int) WIP.getAndAdd(this, 1) == 0) {
            submit();
            return true;
        }
        return false;
    }

    /** Makes the loop run again (a terminal signal, new items, new demand). */
    public final void schedule() {
        if ((int) WIP.getAndAdd(this, 1) == 0) {
            submit();
        }
    }

    private void submit() {
        try {
            execute();
        } catch (RejectedExecutionException ex) {
            rejected(ex);
        }
    }

    /**
     * Hands the loop to the executor. A ForkJoinPool wraps every plain Runnable in a new task; we
     * give it this loop as the task instead (see exec()), so that a turn costs no allocation.
     */
    private void execute() {
        if (executor instanceof ForkJoinPool pool) {
            pool.execute((ForkJoinTask<?>) this);
        } else {
            executor.execute(this);
        }
    }

    /** The executor refused the loop: this thread owns wip, so it may signal the subscriber. */
    private void rejected(RejectedExecutionException ex) {
        Demand.cancel(REQUESTED, this);
        Flow.Subscriber<? super T> a = downstream;
        if (phase == FINISHED || a == null) {
            return;
        }
        subscribeOnce(a); // RS 1.9; if it throws (RS 2.13), the error below still tells it why
        finish(a, ex);
    }

    // ---------------------------------------------------------------- inline delivery (a fused hop)

    /**
     * For a producer that runs on this loop's executor and is, for now, its source's only
     * producer (an actor stage's turn emitting into its output): takes the loop as a run of it
     * would, so that the producer may call the subscriber itself ({@link #deliverInline}) instead
     * of queueing items for the loop to poll: a hop with no queue. It takes only an idle loop that
     * has delivered {@code onSubscribe}; it first delivers, on the caller's thread, what is
     * queued in the source, up to the demand (as a run would: {@link #onDelivered} follows), and
     * keeps the loop only if that emptied the source with demand left, since an item delivered
     * inline must not overtake a queued one. Signals the loop owes meanwhile (requests, a
     * cancel, the end) wait for {@link #releaseInline}, as they would for a run. Whether the
     * source is empty is asked of {@link #hasMore()}, which may miss an item another producer is
     * still writing: a caller that is not the only producer must look again itself (and hand
     * the loop back if something is queued) before it delivers.
     *
     * @return the demand the producer may use (at least 1), or 0 if the loop was not kept
     */
    public final long acquireInline() {
        if (wip != 0 || !WIP.compareAndSet(this, 0, 1)) {
            return 0L;
        }
        if (phase != SUBSCRIBED) {
            // not started (a subscriber attached, its start() still to come): whatever came
            // meanwhile, that start() included, left the run to us
            if ((int) WIP.getAndAdd(this, -1) != 1) {
                submit();
            }
            return 0L;
        }
        Flow.Subscriber<? super T> a = downstream;
        long r = requested;
        long e = deliverSome(a, Math.max(0L, Math.min(r, batch)), 0L);
        if (e < 0L) {
            return 0L; // the subscriber threw: the subscription is over and wip stays taken
        }
        if (e != 0L) {
            Demand.produced(REQUESTED, this, e);
            onDelivered(e);
            reportTurn(e);
            r = requested;
        }
        if (r > 0L && !hasMore()) {
            return r;
        }
        releaseInline(0L);
        return 0L;
    }

    /**
     * The subscriber, for the holder of the loop ({@link #acquireInline}) and for the loop's own
     * hooks (a run holds the loop): while it is held, the subscriber cannot change or go. The one
     * hook a run calls after it let go of the loop, the last re-check of
     * {@link #hasMoreBeforeLeaving()}, may find {@code null}: another run ended the loop meanwhile.
     */
    public final Flow.Subscriber<? super T> heldSubscriber() {
        return downstream;
    }

    /**
     * Calls the subscriber's {@code onNext} on the caller's thread, which holds the loop
     * ({@link #acquireInline}) and counts the demand it took. An {@code onNext} that throws ends
     * the subscription as in a run (RS 2.13: cancelled, {@code onError}); the item was taken.
     * Inline items never were the source's: they are not reported to {@link #onDelivered} or
     * {@link #onTurnDelivered}.
     *
     * @return {@code false} if the item was not taken (the subscription was cancelled or has
     *         ended): the producer then releases the loop and queues it
     */
    public final boolean deliverInline(T item) {
        Flow.Subscriber<? super T> a = downstream;
        if (a == null || requested < 0L) {
            return false;
        }
        try {
            a.onNext(item);
        } catch (Throwable ex) {
            Demand.cancel(REQUESTED, this); // RS 2.13
            finish(a, ex); // wip stays taken: releaseInline sees FINISHED
        }
        return true;
    }

    /**
     * Gives back a loop taken by {@link #acquireInline} after {@code n} inline deliveries, and
     * leaves it the way a run leaves: a cancel or the end that came meanwhile, or items queued in
     * the source with demand for them, make it run; new demand alone does not (a run would find
     * nothing to deliver, and the next item wakes the loop as usual).
     */
    public final void releaseInline(long n) {
        if (phase == FINISHED) {
            return; // an inline onNext threw: the subscription is over and wip stays taken
        }
        if (n != 0L) {
            Demand.produced(REQUESTED, this, n);
        }
        int missed = 1;
        for (;;) {
            // What came while we held the loop (a request, a cancel, a wake-up, the end) left the
            // run to us: a run is needed only for a cancel or the end, or items and demand for them.
            // New demand alone is not (an output's consumer asking for more while its producer
            // delivers inline): the run it would cost finds nothing, and while it is queued or
            // spinning the producer cannot take the loop again.
            long r = requested;
            if (r < 0L || isExhausted() || (r > 0L && hasMore())) {
                submit();
                return;
            }
            missed = (int) WIP.getAndAdd(this, -missed) - missed;
            if (missed == 0) {
                if (requested > 0L && hasMoreBeforeLeaving() && WIP.compareAndSet(this, 0, 1)) {
                    submit();
                }
                return;
            }
        }
    }

    // ---------------------------------------------------------------- the loop

    @Override
    public final void run() {
        Flow.Subscriber<? super T> a = downstream;
        if (phase == FINISHED || a == null) {
            return;
        }
        Throwable broken = subscribeOnce(a);
        if (broken != null) {
            Demand.cancel(REQUESTED, this); // RS 2.13: a throwing subscriber is treated as cancelled
            finish(a, broken);
            return;
        }
        int missed = 1;
        int budget = batch;
        long turn = 0L; // onNext calls completed and not yet reported (onTurnDelivered)
        boolean maySpin = false; // after a delivery only (a turn that found nothing expects nothing), once per empty stretch
        for (;;) {
            long r = requested;
            if (r < 0L) { // ended: a cancel, or a bad request (its error)
                reportTurn(turn);
                finish(a, Demand.endError(r));
                return;
            }
            long e = deliverSome(a, Math.min(r, budget), turn);
            if (e < 0L) {
                return;
            }
            budget -= (int) e;
            if (e != 0L) {
                maySpin = true;
                turn += e;
                Demand.produced(REQUESTED, this, e);
                onDelivered(e);
                continue; // re-read demand and cancellation before deciding anything
            }
            if (isExhausted()) {
                Demand.cancel(REQUESTED, this);
                reportTurn(turn);
                finish(a, terminalError(), true);
                return;
            }
            if (budget == 0) {
                budget = batch;
                reportTurn(turn);
                turn = 0L;
                if (!othersWaiting()) {
                    continue;
                }
                if (yieldTurn()) {
                    return;
                }
                continue;
            }
            if (maySpin && spinsWhenIdle() && idleSpin()) {
                maySpin = false; // an item came while we spun: cheaper than leaving and being woken again
                continue;
            }
            reportTurn(turn); // before wip leaves: once it is 0, another thread may run this loop
            turn = 0L;
            missed = (int) WIP.getAndAdd(this, -missed) - missed;
            if (missed == 0) {
                // re-check after leaving: a producer that saw wip != 0 relies on us (see notes)
                if (requested > 0L && hasMoreBeforeLeaving() && WIP.compareAndSet(this, 0, 1)) {
                    missed = 1;
                    continue;
                }
                return;
            }
        }
    }

    /**
     * Delivers up to {@code max} (at least 0) items from the source, stopping early when it has
     * none or the subscription was cancelled inside {@code onNext}: the inner loop of a turn and
     * of {@link #acquireInline}. An {@code onNext} that throws ends the subscription (RS 2.13:
     * cancelled, {@code onDelivered} and the turn reported with the item it threw on, then
     * {@code onError}); the result is then -1. Otherwise it is the number of {@code onNext} calls.
     */
    private long deliverSome(Flow.Subscriber<? super T> a, long max, long turn) {
        long e = 0L;
        while (e != max) {
            T v = pollNext();
            if (v == null) {
                break;
            }
            try {
                a.onNext(v);
            } catch (Throwable ex) {
                Demand.cancel(REQUESTED, this); // RS 2.13
                onDelivered(e + 1);
                reportTurn(turn + e);
                finish(a, ex);
                return -1L;
            }
            e++;
            if (requested < 0L) {
                break; // cancelled inside onNext (or a bad request): the caller runs the end
            }
        }
        return e;
    }

    /**
     * Before leaving with demand left, spins for the next item: waking an idle loop costs the
     * producer an executor hand-off and a thread unpark, and the items that come meanwhile wait
     * for the woken thread (tens of microseconds on these machines). On a ForkJoinPool the loop
     * spins up to {@value #IDLE_SPIN_NANOS} ns if it gets one of the {@link SpinSlots#LOOPS}, until a
     * task waits in the pool while every worker is busy; without a slot, or on other executors (whose queues we
     * cannot see), only {@value #IDLE_SPINS} rounds (a loop that does not give way,
     * {@link #givesWayToWaitingWork()}, spins on while tasks wait). It looks at
     * the source in each of the first {@value #IDLE_LOOK_ALWAYS} rounds (a reply to what the loop
     * just delivered comes within a microsecond), then only every {@value #IDLE_LOOK_EVERY} rounds:
     * each look reads what producers write, and a consumer that reads it all the time slows the
     * producer it waits for. A loop of a source that many loops read at once ({@link #readByMany()}:
     * a broadcast's subscribers, each of whose looks reads the line that the publisher writes next,
     * so that every write waits for that line to come back from them) looks only every
     * {@value #SHARED_LOOK_EVERY} rounds, and reads the pool's queues (which ten loops taking
     * turns on two threads keep writing) as rarely: with ten subscribers the two together raised
     * a broadcast's throughput by about half, and either alone by about a tenth
     * (docs/benchmarks.md, T6).
     */
    private boolean idleSpin() {
        if (requested <= 0L) {
            return false;
        }
        boolean onPool = executor instanceof ForkJoinPool;
        boolean givesWay = onPool && givesWayToWaitingWork();
        boolean shared = readByMany();
        int always = shared ? 0 : IDLE_LOOK_ALWAYS;
        int everyMask = (shared ? SHARED_LOOK_EVERY : IDLE_LOOK_EVERY) - 1;
        boolean longSpin = false;
        try {
            long deadline = 0L;
            for (int i = 1; ; i++) {
                if (i > always && (i & (Waiter.YIELD_EVERY - 1)) == 0) {
                    Thread.yield(); // the producer we wait for may share our CPU (see Waiter.YIELD_EVERY)
                } else {
                    Thread.onSpinWait();
                }
                boolean every = (i & everyMask) == 0;
                if ((every || i <= always) && hasMore()) {
                    return true;
                }
                if (!every) {
                    continue;
                }
                if (givesWay && workWaiting() && !poolHasRoom()) {
                    return false; // a task waits and every worker is busy: give it our thread
                }
                if (!onPool || (!longSpin && !(longSpin = SpinSlots.LOOPS.tryAcquire()))) {
                    if (i >= IDLE_SPINS) {
                        return false;
                    }
                } else {
                    long now = System.nanoTime();
                    if (deadline == 0L) {
                        deadline = now + IDLE_SPIN_NANOS;
                    } else if (now - deadline >= 0L) {
                        return false;
                    }
                }
            }
        } finally {
            if (longSpin) {
                SpinSlots.LOOPS.release();
            }
        }
    }

    /** Delivers {@code onSubscribe} the first time only; returns what it threw, or {@code null}. */
    private Throwable subscribeOnce(Flow.Subscriber<? super T> a) {
        if (phase != NEW) {
            return null;
        }
        phase = SUBSCRIBED;
        try {
            a.onSubscribe(this);
            return null;
        } catch (Throwable ex) {
            return ex;
        }
    }

    /**
     * After a full batch: should the loop give its thread back? On a ForkJoinPool only if other
     * work waits for this thread (tasks in its own queue, or submissions from outside), since a
     * yield moves the loop through the pool's queues and, often, to another thread; on any other
     * executor, always.
     */
    private boolean othersWaiting() {
        if (!(executor instanceof ForkJoinPool pool)) {
            return true;
        }
        return Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == pool
                ? ForkJoinTask.getQueuedTaskCount() > 0 || pool.hasQueuedSubmissions()
                : true;
    }

    /**
     * For an idle spin on a ForkJoinPool: is a worker of the pool idle? If every worker is busy
     * (other loops run on them), a long spin would hold a core they and the producers need.
     */
    private boolean poolHasRoom() {
        ForkJoinPool pool = (ForkJoinPool) executor;
        return pool.getActiveThreadCount() < pool.getParallelism();
    }

    /**
     * For an idle spin on a ForkJoinPool: is there a task anywhere in the pool (any worker's queue,
     * or a submission) that a thread could run instead? A loop woken by a loop on another worker
     * waits in that worker's queue, and that worker may be busy.
     */
    private boolean workWaiting() {
        ForkJoinPool pool = (ForkJoinPool) executor;
        return pool.hasQueuedSubmissions() || pool.getQueuedTaskCount() > 0L;
    }

    /** Gives the thread back to the executor; {@code false} if it refused, then we go on here. */
    private boolean yieldTurn() {
        try {
            execute();
            return true;
        } catch (RejectedExecutionException ex) {
            return false;
        }
    }

    private void finish(Flow.Subscriber<? super T> a, Throwable error) {
        finish(a, error, error != null);
    }

    /** Delivers the terminal signal (if {@code signal}) once and drops the subscriber. wip stays non-zero forever. */
    private void finish(Flow.Subscriber<? super T> a, Throwable error, boolean signal) {
        phase = FINISHED;
        try {
            if (signal) {
                if (error != null) {
                    a.onError(error);
                } else {
                    a.onComplete();
                }
            }
        } catch (Throwable ignored) {
            // RS 2.13: a terminal signal that throws has nowhere left to go
        } finally {
            try {
                onFinished();
            } finally {
                downstream = null; // RS 3.13; after the hooks, which may reach their state through it (ActorLoop)
            }
        }
    }

    // ---------------------------------------------------------------- ForkJoinTask: a turn on a pool

    /**
     * One turn on a ForkJoinPool; never reports completion, so the pool runs the loop each time it
     * is submitted. What escapes a turn (a source hook that calls user code, an Error) goes to the
     * thread's uncaught-exception handler, as a plain Runnable's would: a throw out of exec() would
     * complete the task, and the pool would never run this loop again.
     */
    @Override
    protected final boolean exec() {
        try {
            run();
        } catch (Throwable ex) {
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, ex);
        }
        return false;
    }

    /** Cancels the subscription (as {@link #cancel()}); the task itself stays runnable, to deliver the end. */
    @Override
    public final boolean cancel(boolean mayInterruptIfRunning) {
        cancel();
        return false;
    }

    /** Refused: a delivery loop is not a result-bearing task. */
    @Override
    public final void complete(Void value) {
        throw new UnsupportedOperationException("a subscription is not completed as a task");
    }

    /** Refused: a delivery loop is not a result-bearing task. */
    @Override
    public final void completeExceptionally(Throwable ex) {
        throw new UnsupportedOperationException("a subscription is not completed as a task");
    }

    /** Not a result-bearing task: always {@code null}. */
    @Override
    public final Void getRawResult() {
        return null;
    }

    @Override
    protected final void setRawResult(Void value) {
    }

    private static final VarHandle REQUESTED;
    private static final VarHandle WIP;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            REQUESTED = l.findVarHandle(DeliveryLoop.class, "requested", long.class);
            WIP = l.findVarHandle(DeliveryLoop.class, "wip", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
