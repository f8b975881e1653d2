package io.flowrelay.actor;

import io.flowrelay.channel.SendResult;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** The actor system: registry of living actors and stages, timer, dead letters, shutdown. */
final class ActorSystemImpl implements ActorSystem {

    /*
     * Implementation notes
     *
     * shuttingDown — set once by shutdown(); spawnCell re-checks it after registering a cell, so a
     *                cell spawned concurrently with shutdown is closed by one side or the other.
     * liveCount  — actors spawned and not yet ended: +1 by spawnCell before the cell starts, -1 by
     *              terminated(). The living actors themselves are the tree under `roots` (each
     *              cell holds its children until they end), plus `orphans`: the children of an
     *              actor that ended during shutdown (it no longer stops its children then; the
     *              shutdown closes every mailbox), kept for the report. No set of all actors: one
     *              was half the cost of a spawn and ~40 bytes per actor.
     * stages     — concurrent set; a stage leaves it when it ends.
     * finished     — the report is made exactly once, by the last termination or by the timeout.
     * timeouts     — ask and pool timeouts wait there for a sweep instead of going to the timer one by
     *                one (see DeferredTimeouts); finish() closes it before it shuts the timer down.
     */

    private static final ActorOptions STAGE_DEFAULTS = ActorOptions.defaults().mailbox(Mailbox.bounded(256));

    private final String name;
    final Dispatcher defaultDispatcher;
    final LongSupplier clock;
    private final ScheduledExecutorService timer;
    private final boolean ownsTimer;
    final DeferredTimeouts timeouts;
    private final DeadLettersImpl deadLetters = new DeadLettersImpl();
    private final ActorNames roots = new ActorNames();
    private final AtomicInteger liveCount = new AtomicInteger();
    private final Set<ActorCell<?>> orphans = ConcurrentHashMap.newKeySet();
    private final Set<StageProcessor<?, ?>> stages = ConcurrentHashMap.newKeySet();
    private final LongAdder processedByEnded = new LongAdder();
    private final LongAdder droppedByEnded = new LongAdder();
    private final CompletableFuture<ShutdownReport> report = new CompletableFuture<>();
    private final CompletionStage<ShutdownReport> reportStage = report.minimalCompletionStage();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean shutdownBegun = new AtomicBoolean();
    private volatile boolean shuttingDown;
    private volatile long shutdownStart;

    ActorSystemImpl(ActorSystem.Builder b) {
        this.name = b.name;
        this.defaultDispatcher = b.dispatcher;
        this.clock = b.nanoClock;
        if (b.timer != null) {
            this.timer = b.timer;
            this.ownsTimer = false;
        } else {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread th = new Thread(r, "flowrelay-timer-" + b.name);
                th.setDaemon(true);
                return th;
            });
            t.setRemoveOnCancelPolicy(true);
            this.timer = t;
            this.ownsTimer = true;
        }
        this.timeouts = new DeferredTimeouts(timer, clock, name);
    }

    @Override
    public String name() {
        return name;
    }

    // ------------------------------------------------------------------ spawning

    @Override
    public <M> ActorRef<M> spawn(String actorName, Supplier<? extends Behavior<M>> factory) {
        return spawn(actorName, factory, ActorOptions.defaults());
    }

    @Override
    public <M> ActorRef<M> spawn(String actorName, Supplier<? extends Behavior<M>> factory, ActorOptions options) {
        return spawnCell(null, actorName, factory, options);
    }

    <M> ActorCell<M> spawnCell(ActorCell<?> parent, String actorName, Supplier<? extends Behavior<M>> factory,
                               ActorOptions options) {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(options, "options");
        checkName(actorName);
        if (shuttingDown) {
            throw new IllegalStateException("actor system " + name + " is shutting down: cannot spawn " + actorName);
        }
        if (parent != null && parent.isTerminated()) {
            throw new IllegalStateException(parent.path() + " has stopped: cannot spawn " + actorName);
        }
        ActorCell<M> cell = new ActorCell<>(this, parent, actorName, factory, options);
        ActorNames siblings = parent == null ? roots : parent.childNames();
        if (siblings.putIfAbsent(cell) != null) {
            throw new IllegalArgumentException("name taken: " + cell.path());
        }
        if (parent != null && parent.isTerminated()) {
            // raced with the parent's end, which marks the parent ended before it takes the
            // snapshot of its children that it stops: either that snapshot has this cell, or we
            // see the mark (both sides pass the names' lock)
            siblings.remove(cell);
            throw new IllegalStateException(parent.path() + " has stopped: cannot spawn " + actorName);
        }
        liveCount.getAndIncrement();
        cell.start();
        if (shuttingDown) {
            cell.closeMailbox(); // raced with shutdown(): it may not have seen this cell
        }
        return cell;
    }

    private static void checkName(String actorName) {
        Objects.requireNonNull(actorName, "name");
        if (actorName.isEmpty() || actorName.indexOf('/') >= 0) {
            throw new IllegalArgumentException("actor name must be non-empty and without '/': \"" + actorName + "\"");
        }
    }

    /** A cell's loop ended. */
    void terminated(ActorCell<?> cell) {
        processedByEnded.add(cell.processedCount());
        droppedByEnded.add(cell.droppedCount());
        if (cell.parent == null) {
            roots.remove(cell);
        }
        if (shuttingDown) {
            orphans.remove(cell);
        }
        liveCount.getAndDecrement();
        checkDone();
    }

    /** An actor ended during shutdown with children still running: they stay in the report. */
    void orphaned(Iterable<ActorCell<?>> children) {
        for (ActorCell<?> c : children) {
            if (!c.isTerminated()) {
                orphans.add(c);
            }
        }
    }

    /** The actors that have not ended: the tree under the roots, and the orphans (see the notes). */
    private List<ActorCell<?>> liveCells() {
        List<ActorCell<?>> out = new ArrayList<>();
        ArrayDeque<ActorCell<?>> todo = new ArrayDeque<>(roots.snapshot());
        todo.addAll(orphans);
        for (ActorCell<?> c; (c = todo.poll()) != null; ) {
            if (!c.isTerminated()) {
                out.add(c);
            }
            for (ActorCell<?> child : c.childCells()) {
                todo.add(child);
            }
        }
        return out;
    }

    void stageEnded(StageProcessor<?, ?> stage) {
        if (stages.remove(stage)) { // a long-lived system does not keep finished stages
            processedByEnded.add(stage.processedCount());
        }
        checkDone();
    }

    // ------------------------------------------------------------------ stages and pools

    @Override
    public <I, O> Flow.Processor<I, O> stage(String stageName, Supplier<? extends StageHandler<I, O>> factory) {
        return stage(stageName, factory, STAGE_DEFAULTS);
    }

    @Override
    public <I, O> Flow.Processor<I, O> stage(String stageName, Supplier<? extends StageHandler<I, O>> factory,
                                             ActorOptions options) {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(options, "options");
        checkName(stageName);
        if (shuttingDown) {
            throw new IllegalStateException("actor system " + name + " is shutting down: cannot create stage " + stageName);
        }
        ActorOptions o = options.mailbox().isBounded() ? options : options.mailbox(Mailbox.bounded(256));
        StageProcessor<I, O> stage = new StageProcessor<>(this, stageName, factory, o);
        stages.add(stage);
        if (shuttingDown) {
            stage.beginShutdown();
        }
        return stage;
    }

    @Override
    public <K, Q, R> KeyedPool<K, Q, R> keyedPool(String poolName, PinnedDispatcher dispatcher,
                                                  Function<? super K, ? extends PoolItem<Q, R>> factory) {
        Objects.requireNonNull(dispatcher, "dispatcher");
        Objects.requireNonNull(factory, "factory");
        return new KeyedPoolImpl<>(this, poolName, dispatcher, factory);
    }

    // ------------------------------------------------------------------ ask, timers, dead letters

    <M, R> CompletableFuture<R> ask(ActorRef<M> target, Function<ActorRef<R>, ? extends M> request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        requirePositive(timeout);
        CompletableFuture<R> f = new AskFuture<>();
        ReplyRef<R> reply = new ReplyRef<>(this, f, target);
        M message = Objects.requireNonNull(request.apply(reply), "request built a null message");
        SendResult r = target.tell(message);
        if (r != SendResult.OK) {
            f.completeExceptionally(r == SendResult.CLOSED
                    ? new ActorStoppedException("ask to " + target.path() + ": actor is stopped")
                    : new RejectedExecutionException("ask to " + target.path() + ": mailbox full"));
            return f;
        }
        if (!f.isDone()) {
            timeouts.register(DeferredTimeouts.Entry.ask(f, target, timeout));
        }
        return f;
    }

    /**
     * Fails {@code f} with a {@link TimeoutException} if it is not complete within {@code timeout}
     * (or at most about one sweep later: see {@link DeferredTimeouts}).
     */
    <T> void timeout(CompletableFuture<T> f, Duration timeout, Supplier<String> what) {
        if (!f.isDone()) {
            timeouts.register(DeferredTimeouts.Entry.described(f, timeout, what));
        }
    }

    /** Runs {@code task} on the timer after {@code delay}; {@code false} if the timer no longer runs. */
    boolean schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        try {
            timer.schedule(task, Math.max(0L, delay.toNanos()), TimeUnit.NANOSECONDS);
            return true;
        } catch (RejectedExecutionException ex) {
            return false;
        }
    }

    static void requirePositive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    void deadLetter(ActorRef<?> recipient, Object message, DeadLetter.Reason reason, Throwable cause) {
        if (recipient instanceof ActorCell<?> c) {
            c.countDeadLetter();
        }
        deadLetters.publish(new DeadLetter(recipient, message, reason, cause));
    }

    @Override
    public DeadLetters deadLetters() {
        return deadLetters;
    }

    // ------------------------------------------------------------------ shutdown

    @Override
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    @Override
    public CompletionStage<ShutdownReport> shutdown(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
        }
        if (shutdownBegun.compareAndSet(false, true)) {
            shutdownStart = clock.getAsLong();
            shuttingDown = true;
            for (StageProcessor<?, ?> s : stages) {
                s.beginShutdown();
            }
            for (ActorCell<?> c : liveCells()) {
                c.closeMailbox();
            }
            if (!schedule(timeout, this::finish)) {
                finish();
            }
            checkDone();
        }
        return reportStage;
    }

    private void checkDone() {
        if (!shuttingDown || liveCount.get() != 0) {
            return;
        }
        for (StageProcessor<?, ?> s : stages) {
            if (!s.isDone()) {
                return;
            }
        }
        finish();
    }

    /** Makes the report, once: by the last termination, or by the timeout (which may find nothing left). */
    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        long processed = processedByEnded.sum();
        long dropped = droppedByEnded.sum();
        long remaining = 0;
        List<String> unfinished = new ArrayList<>();
        for (ActorCell<?> c : liveCells()) {
            processed += c.processedCount();
            dropped += c.droppedCount();
            int depth = c.depth();
            remaining += depth;
            unfinished.add(c.path() + " (mailbox " + depth + ")");
        }
        for (StageProcessor<?, ?> s : stages) {
            processed += s.processedCount();
            if (!s.isDone()) {
                int depth = s.depth();
                remaining += depth;
                unfinished.add("stage " + s.name() + " (mailbox " + depth + ")");
            }
        }
        Duration took = Duration.ofNanos(clock.getAsLong() - shutdownStart);
        ShutdownReport r = new ShutdownReport(unfinished.isEmpty(), took, processed, dropped,
                deadLetters.count(), remaining, List.copyOf(unfinished));
        deadLetters.complete();
        timeouts.close(); // pending timeouts go to the timer, which still runs them after shutdown()
        if (ownsTimer) {
            timer.shutdown();
        }
        report.complete(r);
    }

    @Override
    public String toString() {
        return "ActorSystem[" + name + ", actors=" + liveCount.get() + ", stages=" + stages.size()
                + (shuttingDown ? ", shutting down" : "") + "]";
    }
}
