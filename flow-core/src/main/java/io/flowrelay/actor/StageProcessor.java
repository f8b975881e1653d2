package io.flowrelay.actor;

import io.flowrelay.channel.Overflow;
import io.flowrelay.channel.SendResult;
import io.flowrelay.internal.BufferedChannel;
import io.flowrelay.internal.DeliveryLoop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An actor stage: input channel (the mailbox, and the subscriber to upstream) → one handler turn
 * loop → output channel (the publisher to downstream). All three are the kernel's pieces.
 *
 * @param <I> input type
 * @param <O> output type
 */
final class StageProcessor<I, O> implements Flow.Processor<I, O> {

    /*
     * Implementation notes
     *
     * input   — bounded, single consumer: requests from upstream only its free room (the channel's
     *           own replenishing), so a stage whose loop is paused stops pulling.
     * loop    — the kernel's delivery loop with unbounded demand; it takes an input only while no
     *           output is pending, i.e. while the output channel had room for everything emitted.
     * pending — outputs waiting for room in `output` (sendAsync): incremented on the loop thread,
     *           decremented by the completing thread; the one that reaches 0 re-schedules the loop.
     * handler, flushed, stopped, stopError, budget — loop thread only (paused: volatile,
     *           also cleared by the timer after a backoff). The processed count is the loop's
     *           (CountingLoop: published per turn, not per item, since a write per item lands
     *           on a line that upstream's onNext reads: `input`'s or the loop's wip).
     * downstreams — subscribers of `output` that have not left: +1 by subscribe(), -1 once per
     *           subscriber when it cancels or gets its terminal signal (Downstream.leave).
     * cancelled — set once by the cancel that takes `downstreams` to 0: the stage has no consumer
     *           left, so it closes its input (cancels upstream, RS 3.14 / the processor rules of the
     *           TCK) and the loop ends: queued inputs go to dead letters, downstream completes,
     *           and outputs still queued go to dead letters too (dropOutputs: by end(), or by the
     *           cancel if the loop had ended before it; a Dekker pair on cancelled / done).
     *           Before, in a chain of stages whose last subscriber cancelled, the outputs queued
     *           in the upstream stages stayed in buffers nobody would read (the stress mix's
     *           stage target with 2–3 stages found it). An output that reaches the buffer outside
     *           our turn (an emit from another thread; a pending emit moved in when room came)
     *           may land after that drain, since the channel accepts a send that races its close:
     *           such an emit looks afterwards (outputAfterTheTurn: a third side of the Dekker
     *           pair; jcstress ActorStress.EmitOutsideTheTurnVsCancel found it).
     * fused   — (holder only, with fusedRoom and fusedCount) the output's sole subscription,
     *           taken for the rest of a batch (DeliveryLoop.acquireInline): while the output holds
     *           nothing and its subscriber has demand, emit() calls the subscriber itself, on the
     *           stage's thread (the output's loop runs on the same executor), instead of queueing
     *           the item for the output's loop: a stage-to-stage hop is then one queue (the next
     *           stage's mailbox), not two. Taking it first sends what the output holds, up to
     *           the demand, on this thread too. Tried once per batch, only while nothing is pending;
     *           released when the batch ends (endBatch, before the loop can spin or leave),
     *           when the demand runs out (demand asked for meanwhile is used first: the loop's
     *           requested minus what went inline), or when the subscription ends; what is emitted
     *           after that goes through the output's queue, behind what went inline. Only emits
     *           on the turn itself fuse (turnThread, below); an emit from any other thread (a
     *           handler may hand its emitter to a callback) takes the queue, as before.
     * turnThread — the thread of the running batch: set by the loop's onNext (the handler's
     *           call), or by openInline, cleared when the batch ends (endBatch), all by the thread
     *           that holds the loop. A thread reads its own last write or another thread's, so it
     *           sees itself here only while it runs the batch: the fused fields are then its alone.
     * delivering, overtaken — (holder only) delivering is set around each fused delivery. An
     *           emit of this stage made from inside one (a handler further down, on this thread,
     *           calling an emitter of ours it was given) must not re-enter the subscriber or the
     *           next stage's handler: it is queued in `output`, overtaken is set, and the outer
     *           emit then gives the output back (unfuse), so that nothing emitted later overtakes it.
     * chained — (holder only) the next stage, when the fused output's subscriber is a stage on
     *           our executor whose loop we could take as well (openInline: idle, nothing queued,
     *           nothing holding it back): our emits then run its handler on this thread
     *           (acceptInline), so a chain of cheap stages runs as one turn, with no queue and no
     *           hand-off between them. Its loop is held like our output's: released with it
     *           (unfuse -> closeInline), which reports the items as its own batch (processed
     *           count, input.consumed: replenishing us). An item it will not take (paused,
     *           pending, stopped, cancelled, input closed) ends the chain and is queued, as
     *           when the demand runs out. The chain is at most MAX_CHAIN stages deep.
     * chainDepth, inlineCount — set by openInline, cleared by closeInline, on the holder's thread.
     * chainedItems, slowSamples, chainPenalty, chainRefusals — touched only by the upstream's
     *           turn (openInline, acceptInline; a stage has one upstream, whose turns are
     *           serialised): one chained item in CHAIN_TIME_EVERY is timed, handler and what it
     *           runs inline included; CHAIN_SLOW_SAMPLES slow ones in a row make the stage refuse
     *           the next chainRefusals chains (its items then run on its own loop, on another
     *           worker if one is free, in parallel with the upstream), a number that doubles
     *           while it stays slow. A cheap stage is worth chaining (the hand-off costs more than
     *           the work); an expensive one is worth its own thread.
     * fedByStage — set once, when the input accepts its upstream, if that is a stage on our
     *           executor, which runs our items inline whenever our loop is idle. Our loop then
     *           leaves when it runs dry
     *           instead of spinning for the next item: the spin would hold the loop that the
     *           upstream's next batch would take. (Likewise `output`'s loops: setInlineProducer.)
     * leftovers — an input that races with the input's close can land after the loop's last look
     *           (the channel checks CLOSED, then offers). Dekker pair: onNext offers, fences
     *           (published()), then reads done; end() completes done, fences, then drains. One of
     *           them finds the input: dead letters (input.drainRemaining() serialises the drains).
     */

    private static final Object FLUSH = new Object();

    /** The most stages one turn runs, its own included (bounds the stack). */
    static final int MAX_CHAIN = 8;
    /** A chained stage times one item in this many (a power of two) ... */
    static final int CHAIN_TIME_EVERY = 64;
    /** ... and when this many timed items in a row each took longer than ... */
    static final int CHAIN_SLOW_SAMPLES = 4;
    /** ... this, ... */
    private static final long SLOW_ITEM_NANOS = 2_000L;
    /**
     * ... it refuses this many chains (its upstream's next batches): its items then run on its own
     * loop, in parallel with its upstream. Doubled, up to {@link #MAX_REFUSALS}, each time it is
     * found slow again as soon as it is chained again; back to this once a timed item is fast.
     */
    private static final int MIN_REFUSALS = 64;
    private static final int MAX_REFUSALS = 1024;

    private final ActorSystemImpl sys;
    private final String name;
    private final Supplier<? extends StageHandler<I, O>> factory;
    private final SupervisorStrategy strategy;
    private final RestartBudget budget;
    private final BufferedChannel<I> input;
    private final BufferedChannel<O> output;
    private final StageLoop loop;
    private final Worker worker;
    private final StageRef ref;
    private final Emitter<O> emitter = this::emit;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private final Executor executor;
    private StageHandler<I, O> handler;
    private Thread turnThread;
    private DeliveryLoop<O> fused;
    private long fusedRoom;
    private long fusedCount;
    private boolean fuseTried;
    private boolean delivering;
    private boolean overtaken;
    private StageProcessor<O, ?> chained;
    private int chainDepth;
    private long inlineCount;
    private int chainRefusals;
    private int slowSamples;
    private int chainPenalty;
    private int chainedItems;
    private volatile boolean fedByStage;
    private boolean flushed;
    private boolean stopped;
    private Throwable stopError;
    private volatile boolean paused;
    private volatile int pending;
    private volatile int downstreams;
    private volatile boolean cancelled;

    StageProcessor(ActorSystemImpl sys, String name, Supplier<? extends StageHandler<I, O>> factory, ActorOptions options) {
        this.sys = sys;
        this.name = name;
        this.factory = factory;
        this.strategy = options.supervision();
        this.budget = new RestartBudget(strategy, sys.clock);
        Dispatcher d = options.dispatcher() != null ? options.dispatcher() : sys.defaultDispatcher;
        Executor executor = d.assign();
        this.executor = executor;
        int capacity = options.mailbox().capacity();
        this.ref = new StageRef("/stage/" + name);
        this.input = new BufferedChannel<>(capacity, Overflow.BLOCK, this::onLateInput, executor, d.throughput(), 1, true);
        this.output = new BufferedChannel<>(capacity, Overflow.BLOCK, null, executor, d.throughput(), 1, false);
        output.setInlineProducer();
        this.worker = new Worker();
        this.loop = new StageLoop(worker, executor, d.throughput());
        input.attach(loop);
        loop.start();
    }

    String name() {
        return name;
    }

    boolean isDone() {
        return done.isDone();
    }

    int depth() {
        return input.size();
    }

    long processedCount() {
        return loop.processed();
    }

    /** Subscriptions of the output whose loops have not finished (for tests and diagnostics). */
    int outputSubscribers() {
        return output.subscriberCount();
    }

    /** System shutdown: stop pulling from upstream, finish what is queued, complete downstream. */
    void beginShutdown() {
        input.close();
    }

    // ------------------------------------------------------------------ Flow.Processor

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        boolean byStage = subscription instanceof Downstream<?> d && d.stage.executor == executor;
        if (input.acceptUpstream(subscription) && byStage) {
            fedByStage = true; // not for a second subscription, which the input cancels (RS 2.5)
        }
    }

    @Override
    public void onNext(I item) {
        input.onNext(item);
        if (done.isDone()) { // the offer was fenced in published(): see the notes
            drainLeftovers();
        }
    }

    @Override
    public void onError(Throwable throwable) {
        input.onError(throwable);
    }

    @Override
    public void onComplete() {
        input.onComplete();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super O> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
        DOWNSTREAMS.getAndAdd(this, 1);
        output.subscribe(new Downstream<>(this, subscriber));
    }

    /** A subscriber left the output; the last one to leave by cancelling stops the stage. */
    private void downstreamLeft(boolean byCancel) {
        if ((int) DOWNSTREAMS.getAndAdd(this, -1) == 1 && byCancel && !cancelled) {
            cancelled = true;
            input.close(); // cancels upstream; items it still sends are dropped (RS 2.8)
            loop.schedule();
            VarHandle.fullFence();
            if (done.isDone()) {
                dropOutputs(); // the loop ended before: its outputs still queued have nobody left
            }
        }
    }

    /**
     * A stage whose last subscriber cancelled, once its loop has ended: what its output still
     * holds goes to dead letters, never stranded in a buffer nobody reads. Called by end() and by
     * downstreamLeft(), whichever comes second sees the other (each: write, full fence, read); a
     * subscriber that comes later competes for the same items, each taken once.
     */
    private void dropOutputs() {
        O v;
        while ((v = output.poll()) != null) {
            sys.deadLetter(ref, v, DeadLetter.Reason.STOPPED, null);
        }
    }

    /**
     * An output that reached the buffer outside a turn of ours (an emit from another thread, or a
     * pending emit moved in when room came) may have landed after a cancelled stage's end drained
     * it (dropOutputs), since the channel accepts a send that races with its close. Dekker pair
     * with end() and downstreamLeft(): the output is in the buffer before our fence, so either we
     * see the stage cancelled and ended, or whichever of them drains after its own fence finds it.
     */
    private void outputAfterTheTurn() {
        VarHandle.fullFence();
        if (cancelled && done.isDone()) {
            dropOutputs();
        }
    }

    // ------------------------------------------------------------------ emitting (loop thread)

    private void emit(O item) {
        Objects.requireNonNull(item, "a stage may not emit null");
        boolean onTurn = Thread.currentThread() == turnThread;
        if (onTurn && (fused != null || (!fuseTried && fuse()))) {
            if (delivering) {
                overtaken = true; // emitted from inside an inline delivery: queued, and we stop fusing (see the notes)
            } else {
                long r;
                if (fusedRoom == 0L && (r = fused.requested()) > fusedCount) { // an ended demand is negative
                    fusedRoom = r - fusedCount; // asked for since we took it
                }
                if (fusedRoom != 0L && deliverFused(item)) {
                    fusedRoom--;
                    fusedCount++;
                    if (overtaken) {
                        overtaken = false;
                        unfuse(); // what was queued meanwhile goes first: nothing may overtake it
                    }
                    return;
                }
                unfuse(); // the demand ran out, or the subscription ended: queue from here on
            }
        }
        SendResult r = output.trySend(item);
        if (r == SendResult.OK) {
            if (!onTurn) {
                outputAfterTheTurn();
            }
            return;
        }
        if (r == SendResult.CLOSED) {
            sys.deadLetter(ref, item, DeadLetter.Reason.STOPPED, null);
            return;
        }
        PENDING.getAndAdd(this, 1);
        output.sendAsync(item).whenComplete((v, e) -> {
            if (e != null) {
                sys.deadLetter(ref, item, DeadLetter.Reason.STOPPED, e);
            } else {
                outputAfterTheTurn(); // moved into the output by whichever thread made room: maybe after the end
            }
            if ((int) PENDING.getAndAdd(this, -1) == 1) {
                loop.schedule();
            }
        });
    }

    /** Takes the output's sole subscription for inline delivery, at most once per batch (see the notes). */
    private boolean fuse() {
        fuseTried = true;
        if (pending != 0) {
            return false;
        }
        DeliveryLoop<O> s = output.soleSubscription();
        long r;
        if (s == null || (r = s.acquireInline()) == 0L) {
            return false;
        }
        if (output.hasItem()) { // acquireInline looked only at what is ready to take, and sent what it could
            s.releaseInline(0L);
            return false;
        }
        fused = s;
        fusedRoom = r;
        fusedCount = 0L;
        StageProcessor<O, ?> next = nextStage(s);
        if (next != null && next.openInline(chainDepth + 1)) {
            chained = next;
        }
        return true;
    }

    /**
     * The stage that the held output delivers to, if it may run inline here: the subscriber is
     * a stage on our executor, and this turn runs fewer than {@link #MAX_CHAIN} stages.
     */
    @SuppressWarnings("unchecked")
    private StageProcessor<O, ?> nextStage(DeliveryLoop<O> held) {
        return chainDepth + 1 < MAX_CHAIN && held.heldSubscriber() instanceof Downstream<?> d
                && d.actual instanceof StageProcessor<?, ?> next && next.executor == executor
                ? (StageProcessor<O, ?>) next : null;
    }

    /** The fused delivery of one item: to the chained stage's handler, or to the subscriber. */
    private boolean deliverFused(O item) {
        StageProcessor<O, ?> next = chained;
        delivering = true;
        try {
            return next != null ? !fused.cancelled() && next.acceptInline(item) : fused.deliverInline(item);
        } finally {
            delivering = false;
        }
    }

    /**
     * Called by the upstream stage's turn, which holds the output that feeds us: takes our loop
     * for its batch, so that its items run our handler on its thread (see the notes). Only an
     * idle loop with nothing queued and nothing holding it back is taken.
     */
    private boolean openInline(int depth) {
        if (chainRefusals != 0) {
            chainRefusals--; // a recent item was slow here: let it run on its own loop for a while
            return false;
        }
        if (pending != 0 || paused || cancelled || input.hasItem() || input.isClosed()) {
            return false;
        }
        if (loop.acquireInline() == 0L) { // nothing queued, and only our upstream (holding its output) could queue
            return false;
        }
        if (stopped || pending != 0 || paused || input.hasItem() || input.isClosed()) {
            loop.releaseInline(0L);
            return false;
        }
        turnThread = Thread.currentThread();
        chainDepth = depth;
        inlineCount = 0L;
        return true;
    }

    /**
     * One item from the upstream stage's inline delivery: counted as arrived and taken at once,
     * handled as on a turn. {@code false} (not taken) once something holds the stage back or
     * its input has closed: the upstream then ends the chain and queues the item.
     */
    private boolean acceptInline(I item) {
        if (pending != 0 || paused || cancelled || input.isClosed()) {
            return false;
        }
        input.arrivedTaken();
        inlineCount++;
        if ((++chainedItems & (CHAIN_TIME_EVERY - 1)) != 0) {
            worker.onNext(item);
            return true;
        }
        long t0 = System.nanoTime(); // one item in CHAIN_TIME_EVERY: is this stage (and what it runs inline) slow?
        worker.onNext(item);
        if (System.nanoTime() - t0 <= SLOW_ITEM_NANOS) {
            slowSamples = 0;
            chainPenalty = 0;
        } else if (++slowSamples >= CHAIN_SLOW_SAMPLES) { // several in a row: not a pause of the whole JVM (a GC)
            chainPenalty = chainPenalty == 0 ? MIN_REFUSALS : Math.min(2 * chainPenalty, MAX_REFUSALS);
            chainRefusals = chainPenalty;
            slowSamples = CHAIN_SLOW_SAMPLES - 1; // when chained again, one slow item is enough
        }
        return true;
    }

    /** Ends the batch the upstream stage ran inline here, and gives our loop back. */
    private void closeInline() {
        endBatch();
        chainDepth = 0;
        long n = inlineCount;
        if (n != 0L) {
            inlineCount = 0L;
            loop.handledInline(n);
            input.consumed(n); // replenish our upstream, as after a batch of our own
        }
        loop.releaseInline(0L);
    }

    /** The end of a batch: give back what the batch took for inline delivery (onDelivered, closeInline). */
    private void endBatch() {
        unfuse(); // before the loop may spin or leave: the output's loop must not wait on us
        fuseTried = false;
        overtaken = false;
        turnThread = null;
    }

    /** Gives the fused subscription back, with the count of what went inline. */
    private void unfuse() {
        DeliveryLoop<O> s = fused;
        if (s != null) {
            StageProcessor<O, ?> b = chained;
            if (b != null) {
                chained = null;
                b.closeInline();
            }
            fused = null;
            fusedRoom = 0L;
            s.releaseInline(fusedCount);
        }
    }

    /**
     * An upstream item that came after the input closed (stop or shutdown cancelled upstream, but
     * items requested before may still come: RS 2.8). stopError is ordered before the close that
     * made this item late.
     */
    private void onLateInput(I item) {
        Throwable cause = stopError;
        sys.deadLetter(ref, item, cause == null && sys.isShuttingDown() ? DeadLetter.Reason.SHUTDOWN
                : DeadLetter.Reason.STOPPED, cause);
    }

    /** After the loop has ended: inputs still in the buffer came too late. Any thread, one at a time. */
    private void drainLeftovers() {
        input.drainRemaining(this::onLateInput);
    }

    private StageHandler<I, O> newHandler() {
        StageHandler<I, O> h = factory.get();
        if (h == null) {
            throw new IllegalStateException("stage factory of " + name + " returned null");
        }
        return h;
    }

    private void stop(Throwable ex) {
        stopped = true;
        stopError = ex;
        input.close(); // cancels upstream
    }

    /** The loop's subscriber: runs the handler under supervision. */
    private final class Worker implements Flow.Subscriber<Object> {

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
            try {
                handler = newHandler();
            } catch (Throwable ex) {
                ActorCell.rethrowFatal(ex);
                stop(ex);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public void onNext(Object o) {
            Thread t = Thread.currentThread();
            if (turnThread != t) {
                turnThread = t; // once per batch: onDelivered clears it
            }
            if (stopped) {
                loop.notHandled();
                sys.deadLetter(ref, o, DeadLetter.Reason.STOPPED, stopError);
                return;
            }
            try {
                if (o == FLUSH) {
                    loop.notHandled();
                    handler.onComplete(emitter);
                } else {
                    handler.onInput((I) o, emitter);
                }
            } catch (Throwable ex) {
                ActorCell.rethrowFatal(ex);
                if (o != FLUSH) {
                    loop.notHandled();
                }
                failed(ex, o == FLUSH ? null : o);
            }
        }

        private void failed(Throwable ex, Object input) {
            if (input != null) {
                sys.deadLetter(ref, input, DeadLetter.Reason.FAILED, ex);
            }
            Directive d = strategy.decide(ex);
            if (d == Directive.RESUME && input != null) {
                return;
            }
            if (d == Directive.RESTART && input != null) { // a fresh handler cannot redo a failed flush
                int n = budget.tryRestart();
                if (n >= 0) {
                    try {
                        handler = newHandler();
                    } catch (Throwable e) {
                        ActorCell.rethrowFatal(e);
                        stop(e);
                        return;
                    }
                    long delay = strategy.backoffNanos(n);
                    if (delay > 0L) {
                        paused = true;
                        if (!sys.schedule(Duration.ofNanos(delay), () -> {
                            paused = false;
                            loop.schedule();
                        })) {
                            paused = false;
                        }
                    }
                    return;
                }
            }
            stop(ex); // STOP, ESCALATE (a stage has no parent), restart limit, or a failing flush
        }

        @Override
        public void onError(Throwable throwable) {
            unfuse();
            I v;
            while ((v = input.pollItem()) != null) {
                sys.deadLetter(ref, v, DeadLetter.Reason.STOPPED, throwable);
            }
            output.fail(throwable);
            end();
        }

        @Override
        public void onComplete() {
            unfuse();
            if (cancelled) {
                I v;
                while ((v = input.pollItem()) != null) {
                    sys.deadLetter(ref, v, DeadLetter.Reason.STOPPED, null);
                }
            }
            output.close();
            end();
        }

        private void end() {
            done.complete(null);
            VarHandle.fullFence();
            drainLeftovers(); // inputs that slipped in after the loop's last look (see the notes)
            if (cancelled) {
                dropOutputs();
            }
            sys.stageEnded(StageProcessor.this);
        }
    }

    /** The turn loop: inputs while nothing is pending; a flush once the input has completed. */
    final class StageLoop extends CountingLoop {

        StageLoop(Worker worker, Executor executor, int throughput) {
            super(worker, executor, throughput);
        }

        @Override
        protected Object pollNext() {
            if (pending != 0 || paused || stopped || cancelled) {
                return null;
            }
            Object v = input.pollItem();
            if (v != null) {
                return v;
            }
            if (!flushed && input.isExhausted() && input.error() == null) {
                flushed = true;
                return FLUSH;
            }
            return null;
        }

        @Override
        protected boolean hasMore() {
            return pending == 0 && !paused && (input.hasItem() || (!flushed && input.isExhausted()));
        }

        @Override
        protected boolean hasMoreBeforeLeaving() {
            return pending == 0 && !paused && (input.hasItemOrArm() || (!flushed && input.isExhausted()));
        }

        @Override
        protected boolean isExhausted() {
            return stopped || cancelled || (pending == 0 && input.isExhausted() && (flushed || input.error() != null));
        }

        @Override
        protected Throwable terminalError() {
            return stopped ? stopError : input.error();
        }

        @Override
        protected boolean spinsWhenIdle() {
            return !fedByStage; // its upstream stage runs its turns inline when it can: see the notes
        }

        @Override
        protected void onDelivered(long n) {
            endBatch();
            input.consumed(n);
        }

        @Override
        protected void onFinished() {
            input.detach(this);
        }
    }

    /**
     * A subscriber of the output, seen by the stage so that it knows when the last one has left
     * by cancelling. Forwards every signal as is; it is its subscriber's subscription.
     */
    private static final class Downstream<O> implements Flow.Subscriber<O>, Flow.Subscription {
        private final StageProcessor<?, O> stage;
        private final Flow.Subscriber<? super O> actual;
        private Flow.Subscription s;
        private volatile int left;

        Downstream(StageProcessor<?, O> stage, Flow.Subscriber<? super O> actual) {
            this.stage = stage;
            this.actual = actual;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.s = s;
            try {
                actual.onSubscribe(this);
            } catch (Throwable ex) {
                leave(true); // RS 2.13: the delivery loop treats a throwing subscriber as cancelled
                throw ex;
            }
        }

        @Override
        public void onNext(O item) {
            try {
                actual.onNext(item);
            } catch (Throwable ex) {
                leave(true); // RS 2.13, as above
                throw ex;
            }
        }

        @Override
        public void onError(Throwable throwable) {
            leave(false);
            actual.onError(throwable);
        }

        @Override
        public void onComplete() {
            leave(false);
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            s.request(n);
        }

        @Override
        public void cancel() {
            s.cancel();
            leave(true);
        }

        private void leave(boolean byCancel) {
            if (left == 0 && LEFT.compareAndSet(this, 0, 1)) {
                stage.downstreamLeft(byCancel);
            }
        }
    }

    /** The stage as a dead-letter recipient. */
    private final class StageRef implements ActorRef<Object> {
        private final String path;

        StageRef(String path) {
            this.path = path;
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public SendResult tell(Object message) {
            Objects.requireNonNull(message, "message");
            sys.deadLetter(this, message, DeadLetter.Reason.REJECTED, null);
            return SendResult.CLOSED; // a stage takes input only from its upstream
        }

        @Override
        public <R> CompletableFuture<R> ask(Function<ActorRef<R>, ?> request, Duration timeout) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("a stage cannot be asked: " + path));
        }

        @Override
        public MailboxStats stats() {
            return new MailboxStats(input.size(), loop.processed(), 0, 0);
        }

        @Override
        public boolean isTerminated() {
            return done.isDone();
        }

        @Override
        public String toString() {
            return "Stage[" + name + "]";
        }
    }

    private static final VarHandle PENDING;
    private static final VarHandle DOWNSTREAMS;
    private static final VarHandle LEFT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PENDING = l.findVarHandle(StageProcessor.class, "pending", int.class);
            DOWNSTREAMS = l.findVarHandle(StageProcessor.class, "downstreams", int.class);
            LEFT = l.findVarHandle(Downstream.class, "left", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
