package io.flowrelay.actor;

import io.flowrelay.channel.ChannelClosedException;
import io.flowrelay.channel.Overflow;
import io.flowrelay.channel.SendResult;
import io.flowrelay.internal.BufferedChannel;
import io.flowrelay.internal.DefaultExecutor;
import io.flowrelay.internal.Lazy;
import io.flowrelay.internal.StartQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One actor: its reference, its context, and the subscriber side of its turn loop.
 *
 * @param <M> message type
 */
final class ActorCell<M> implements ActorRef<M>, ActorContext<M>, Flow.Subscriber<Object> {

    /*
     * Implementation notes
     *
     * The mailbox is the kernel's channel (single consumer: an MPSC buffer) and the turn loop is the
     * kernel's delivery loop (ActorLoop) with unbounded demand; its onNext is this.onNext. So the
     * actor runs one message at a time on its dispatcher, `throughput` per turn.
     *
     * mailbox    — made by the first tell, not at spawn (an actor that was never told anything
     *              holds no channel): null -> a channel with the loop attached (CAS; the losers'
     *              channels are garbage), or null -> UNOPENED_CLOSED (CAS) when the actor stops or
     *              is closed before any message came: a shared channel, closed and empty, so a
     *              later tell finds it closed (dead letters) and the loop finds it exhausted.
     *              Nobody attaches to, drains or counts into UNOPENED_CLOSED. The loop reads the
     *              field per poll; null there is an empty mailbox. No lost wake-up: the loop takes
     *              its wip to 0 (full fence) before it reads the field and leaves; a tell installs
     *              the channel (CAS) before it offers, and a channel's first ring asks the first
     *              offer to wake its consumer (MpscRing's IDLE bit set from the start), which reads
     *              the loop's wip after its claim (CAS).
     *
     * Written only on the actor's turn (the loop thread of the moment, serialised by the loop's wip):
     *   behavior, incarnation; in Extras restartGen, paused, budget, deferred; the loop's processed
     *   count (CountingLoop, published per turn: no per-message write lands on this object, whose
     *   mailbox and state every tell reads).
     * Written by any thread:
     *   systemQueue (in Extras) — system messages (Stop, Resume, RestartAll, ChildFailed, Watched);
     *              the loop polls them before mailbox messages, also while paused.
     *   state    — RUNNING -> STOPPING (by the actor's turn) / -> TERMINATED (by onComplete).
     *   extras   — CAS null -> Extras (the rarely used parts; see Extras).
     *   watchers, children — concurrent maps (in Extras).
     *   dropped, deadLettered — getAndAdd (in Extras).
     *   drainLeftovers() — the mailbox's drainRemaining(), serialised there, between the loop's end and racing tells.
     *
     * A tell that races with the mailbox's close can enqueue after the loop's last look at the
     * mailbox (the channel checks CLOSED, then offers; the loop checks CLOSED, then emptiness).
     * Dekker pair: the tell offers (its claim CAS is a full fence), then reads state; onComplete writes
     * state = TERMINATED, fences, then drains. One of them finds the message: dead letters.
     */

    static final int RUNNING = 0;
    static final int STOPPING = 1;
    static final int TERMINATED = 2;

    private static final Object NO_MESSAGE = new Object();

    /** The mailbox of every actor that ended or was closed before its first message (see the notes). */
    static final BufferedChannel<Object> UNOPENED_CLOSED = closedChannel();
    private static final CompletableFuture<Void> ENDED = CompletableFuture.completedFuture(null);

    final ActorSystemImpl sys;
    final ActorCell<?> parent;
    final String name;
    private final Supplier<? extends Behavior<M>> factory;
    final ActorOptions options;
    private volatile BufferedChannel<Object> mailbox; // null until the first tell (see the notes)
    private final ActorLoop loop;
    private volatile Extras extras; // what most actors never need, made on first use (see Extras)

    // actor-turn state
    private Behavior<M> behavior;
    private Actor<M> incarnation;

    private volatile int state;

    ActorCell(ActorSystemImpl sys, ActorCell<?> parent, String name, Supplier<? extends Behavior<M>> factory,
              ActorOptions options) {
        this.sys = sys;
        this.parent = parent;
        this.name = name;
        this.factory = factory;
        this.options = options;
        Dispatcher d = dispatcher();
        this.loop = new ActorLoop(this, d.assign(), d.throughput());
    }

    private Dispatcher dispatcher() {
        return options.dispatcher() != null ? options.dispatcher() : sys.defaultDispatcher;
    }

    /**
     * Starts the turn loop: its first act is onSubscribe, which creates the behavior. Spawned from
     * outside the shared pool, onto it, the first turn is submitted by a thread of the pool
     * (StartQueue): a burst of spawns then wakes a pool thread only when the queue's task has
     * gone idle, not once per actor. A spawn from a thread of the pool (a child spawned in a
     * turn) submits its own first turn: that is already a push onto the thread's own queue.
     */
    void start() {
        if (loop.executor() == DefaultExecutor.get() && !DefaultExecutor.isDefaultThread()) {
            loop.startVia(StartQueue.forDefaultExecutor());
        } else {
            loop.start();
        }
    }

    // ------------------------------------------------------------------ ActorRef

    @Override
    public String path() {
        Extras x = extras();
        String p = x.path;
        if (p == null) {
            x.path = p = (parent == null ? "/" : parent.path() + "/") + name;
        }
        return p;
    }

    // ------------------------------------------------------------------ lazily created parts

    /** The mailbox: {@code null} until the first tell, {@link #UNOPENED_CLOSED} if closed before (see the notes). */
    BufferedChannel<Object> mailbox() {
        return mailbox;
    }

    /** The first tell: makes the mailbox, the loop attached, unless another tell or the end came first. */
    private BufferedChannel<Object> openMailbox() {
        Mailbox m = options.mailbox();
        Dispatcher d = dispatcher();
        BufferedChannel<Object> fresh = new BufferedChannel<>(m.capacity(), m.overflow(), m.overflow() == Overflow.DROP_NEWEST
                || m.overflow() == Overflow.DROP_OLDEST ? this::onDropped : null, loop.executor(), d.throughput(), 1, true);
        fresh.attach(loop);
        @SuppressWarnings("unchecked")
        BufferedChannel<Object> won = (BufferedChannel<Object>) MAILBOX.compareAndExchange(this, null, fresh);
        return won == null ? fresh : won;
    }

    /**
     * Closes the mailbox, from any thread: no message gets in any more. One never opened becomes
     * {@link #UNOPENED_CLOSED}, and the loop is scheduled to see the end, as a channel's close
     * wakes its consumer (on the turn, or on a loop that has ended, that schedule runs nothing; one
     * before start() is harmless: start finds wip taken).
     */
    private void shutMailbox() {
        if (mailbox == null && MAILBOX.compareAndSet(this, null, UNOPENED_CLOSED)) {
            loop.schedule();
            return;
        }
        mailbox.close(); // a tell opened it meanwhile, or it was open
    }

    private Extras extras() {
        Extras x = extras;
        return x != null ? x : Lazy.get(EXTRAS, this, Extras::new);
    }

    /** What the loop reads per poll: {@code null} until some rarely used part was needed (see Extras). */
    Extras extrasOrNull() {
        return extras;
    }

    /** The children by name, created for the first child (any thread may spawn into it). */
    ActorNames childNames() {
        return Lazy.get(Extras.CHILDREN, extras(), ActorNames::new);
    }

    /** The living children now (a copy). */
    List<ActorCell<?>> childCells() {
        Extras x = extras;
        ActorNames names = x != null ? x.children : null;
        return names == null ? List.of() : names.snapshot();
    }

    private Map<ActorCell<?>, Object> watcherMap() {
        return Lazy.get(Extras.WATCHERS, extras(), ConcurrentHashMap::new);
    }

    /** Why the actor stopped ({@code null} if it stopped normally or runs). */
    private Throwable stopCause() {
        Extras x = extras;
        return x != null ? x.stopCause : null;
    }

    /**
     * Completes when the actor has ended. Created on demand: the CAS that installs it and the
     * getAndSet(ENDED) at the end of onComplete decide between them whether it is completed here
     * or there (if the end came first, this returns ENDED).
     */
    CompletableFuture<Void> termination() {
        return Lazy.get(Extras.TERMINATION, extras(), CompletableFuture::new);
    }

    @Override
    public SendResult tell(M message) {
        Objects.requireNonNull(message, "message");
        BufferedChannel<Object> mb = mailbox;
        if (mb == null) {
            mb = openMailbox();
        }
        SendResult r = mb.trySend(message);
        if (r == SendResult.OK) {
            if (state == TERMINATED) { // the offer's claim (a CAS) was a full fence: see the notes
                drainLeftovers();
            }
            return r;
        }
        if (r == SendResult.CLOSED) {
            sys.deadLetter(this, message, closedReason(), null);
            return r;
        }
        if (options.mailbox().overflow() == Overflow.FAIL) {
            sys.deadLetter(this, message, DeadLetter.Reason.REJECTED, null);
            return SendResult.FULL;
        }
        try {
            mb.send(message); // BLOCK: wait for room
            VarHandle.fullFence();
            if (state == TERMINATED) {
                drainLeftovers();
            }
            return SendResult.OK;
        } catch (ChannelClosedException ex) {
            sys.deadLetter(this, message, closedReason(), null);
            return SendResult.CLOSED;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            sys.deadLetter(this, message, DeadLetter.Reason.REJECTED, ex);
            return SendResult.FULL;
        }
    }

    private DeadLetter.Reason closedReason() {
        return state == RUNNING && sys.isShuttingDown() ? DeadLetter.Reason.SHUTDOWN : DeadLetter.Reason.STOPPED;
    }

    @Override
    public <R> CompletableFuture<R> ask(Function<ActorRef<R>, ? extends M> request, Duration timeout) {
        return sys.ask(this, request, timeout);
    }

    @Override
    public MailboxStats stats() {
        Extras x = extras;
        return new MailboxStats(depth(), loop.processed(), x != null ? x.dropped : 0L, x != null ? x.deadLettered : 0L);
    }

    @Override
    public boolean isTerminated() {
        return state == TERMINATED;
    }

    private void onDropped(Object message) {
        Extras.DROPPED.getAndAdd(extras(), 1L);
        sys.deadLetter(this, message, DeadLetter.Reason.DROPPED, null);
    }

    void countDeadLetter() {
        Extras.DEAD_LETTERED.getAndAdd(extras(), 1L);
    }

    long processedCount() {
        return loop.processed();
    }

    long droppedCount() {
        Extras x = extras;
        return x != null ? x.dropped : 0L;
    }

    // ------------------------------------------------------------------ system messages (any thread)

    void enqueueSystem(Object msg) {
        ConcurrentLinkedQueue<Object> q = Lazy.get(Extras.SYSTEM_QUEUE, extras(), ConcurrentLinkedQueue::new);
        q.offer(msg);
        loop.schedule();
    }

    /** Stops this actor from any thread: the rest of its mailbox goes to dead letters. */
    void stop() {
        enqueueSystem(Stop.INSTANCE);
    }

    /** Graceful: no new messages, the queued ones are still handled, then the actor stops. */
    void closeMailbox() {
        shutMailbox();
    }

    // ------------------------------------------------------------------ ActorContext (actor thread)

    @Override
    public ActorRef<M> self() {
        return this;
    }

    @Override
    public ActorSystem system() {
        return sys;
    }

    @Override
    public <C> ActorRef<C> spawn(String childName, Supplier<? extends Behavior<C>> childFactory) {
        return spawn(childName, childFactory, ActorOptions.defaults());
    }

    @Override
    public <C> ActorRef<C> spawn(String childName, Supplier<? extends Behavior<C>> childFactory, ActorOptions childOptions) {
        return sys.spawnCell(this, childName, childFactory, childOptions);
    }

    @Override
    public void stop(ActorRef<?> ref) {
        Objects.requireNonNull(ref, "ref");
        if (ref == this) {
            stopSelf(null);
            return;
        }
        if (!(ref instanceof ActorCell<?> c) || c.parent != this) {
            throw new IllegalArgumentException(ref.path() + " is not a child of " + path());
        }
        c.stop();
    }

    @Override
    public void watch(ActorRef<?> ref) {
        addWatch(ref, NO_MESSAGE);
    }

    @Override
    public void watchWith(ActorRef<?> ref, M message) {
        addWatch(ref, Objects.requireNonNull(message, "message"));
    }

    private void addWatch(ActorRef<?> ref, Object message) {
        Objects.requireNonNull(ref, "ref");
        if (!(ref instanceof ActorCell<?> target)) {
            throw new IllegalArgumentException("only actors can be watched: " + ref.path());
        }
        target.watcherMap().put(this, message);
        if (target.state == TERMINATED) {
            // ending or ended: signal once it has left the registries, exactly once (the remove decides)
            target.termination().whenComplete((v, e) -> {
                if (target.watcherMap().remove(this) != null) {
                    enqueueSystem(new Watched(target, message, target.stopCause()));
                }
            });
        }
    }

    @Override
    public void unwatch(ActorRef<?> ref) {
        Extras x = ref instanceof ActorCell<?> target ? target.extras : null;
        Map<ActorCell<?>, Object> ws = x != null ? x.watchers : null;
        if (ws != null) {
            ws.remove(this);
        }
    }

    @Override
    public List<ActorRef<?>> children() {
        return new ArrayList<>(childCells());
    }

    @Override
    public void scheduleOnce(Duration delay, M message) {
        Objects.requireNonNull(message, "message");
        sys.schedule(delay, () -> tell(message));
    }

    // ------------------------------------------------------------------ the turn (Flow.Subscriber of the loop)

    @Override
    public void onSubscribe(Flow.Subscription s) {
        s.request(Long.MAX_VALUE);
        create();
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onNext(Object o) {
        if (o instanceof SystemMessage m) { // a class check: see SystemMessage
            loop.notHandled();
            onSystem(m);
            return;
        }
        if (state != RUNNING || behavior == null) {
            loop.notHandled();
            sys.deadLetter(this, o, DeadLetter.Reason.STOPPED, stopCause());
            return;
        }
        if (!handle((M) o, o)) {
            loop.notHandled();
        }
    }

    /** Runs the behavior on a message; {@code false} if it failed (supervision has been applied). */
    private boolean handle(M message, Object original) {
        Behavior<M> next;
        try {
            next = behavior.receive(this, message);
            if (next == null) {
                throw new IllegalStateException("behavior of " + path() + " returned null; return Behaviors.same() to keep it");
            }
        } catch (Throwable ex) {
            rethrowFatal(ex);
            failed(ex, original);
            return false;
        }
        become(next);
        return true;
    }

    private void become(Behavior<M> next) {
        if (Behaviors.isStopped(next)) {
            stopSelf(null);
        } else if (!Behaviors.isSame(next)) {
            behavior = next;
        }
    }

    @Override
    public void onError(Throwable throwable) {
        // The mailbox never fails: this is the turn loop ending abnormally (its executor refused it,
        // e.g. a pinned dispatcher closed under the actor). The actor cannot run again: end it here,
        // with what is left in its mailbox going to dead letters.
        if (state == TERMINATED) {
            return;
        }
        Extras x = extras();
        if (x.stopCause == null) {
            x.stopCause = throwable;
        }
        state = STOPPING;
        shutMailbox();
        onComplete();
    }

    /** The mailbox is closed and drained: the actor ends. */
    @Override
    public void onComplete() {
        state = TERMINATED;
        VarHandle.fullFence();
        drainLeftovers(); // messages that slipped in after the loop's last look (see the notes)
        if (!sys.isShuttingDown()) {
            for (ActorCell<?> c : childCells()) {
                c.stop();
            }
        } else {
            sys.orphaned(childCells()); // the shutdown closes them; its report must still see them
        }
        Actor<M> a = incarnation;
        if (a != null) {
            try {
                a.postStop(this);
            } catch (Throwable ex) {
                rethrowFatal(ex);
            }
        }
        behavior = null;
        incarnation = null;
        if (parent != null) {
            parent.childNames().remove(this);
        }
        sys.terminated(this); // before the watchers: on Terminated the name is free and children() is without it
        Extras x = extras(); // made here if nobody needed it yet: its termination field must see the end (see Extras)
        Map<ActorCell<?>, Object> ws = x.watchers;
        if (ws != null) {
            for (ActorCell<?> w : ws.keySet()) {
                Object msg = ws.remove(w);
                if (msg != null) {
                    w.enqueueSystem(new Watched(this, msg, x.stopCause));
                }
            }
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<Void> t = (CompletableFuture<Void>) Extras.TERMINATION.getAndSet(x, ENDED);
        if (t != null) {
            t.complete(null);
        }
    }

    // ------------------------------------------------------------------ lifecycle and supervision

    /** Makes a fresh behavior from the factory and runs preStart. */
    @SuppressWarnings("unchecked")
    private void create() {
        if (state != RUNNING) {
            return;
        }
        try {
            Behavior<M> b = factory.get();
            if (b == null) {
                throw new IllegalStateException("actor factory of " + path() + " returned null");
            }
            incarnation = b instanceof Actor ? (Actor<M>) b : null;
            if (incarnation != null) {
                incarnation.preStart(this);
            }
            behavior = b; // only a started instance handles messages; failed() sees null if preStart threw
            Extras x = extras;
            if (x != null && x.deferred != null) { // signals that came during the restart: for the fresh instance
                for (Watched w : x.deferred) {
                    enqueueSystem(w);
                }
                x.deferred = null;
            }
        } catch (Throwable ex) {
            rethrowFatal(ex);
            failed(ex, null);
        }
    }

    @SuppressWarnings("unchecked")
    private void onSystem(SystemMessage m) {
        if (m instanceof Stop) {
            stopSelf(null);
        } else if (m instanceof Resume r) {
            Extras x = extras();
            if (x.paused && r.gen == x.restartGen) {
                x.paused = false;
                create();
            }
        } else if (m instanceof RestartAll r) {
            if (state == RUNNING && behavior != null) {
                restart(r.cause, 0L);
            }
        } else if (m instanceof ChildFailed f) {
            if (state == RUNNING) {
                failed(new ActorFailedException(f.child.path(), f.cause), null);
            }
        } else if (m instanceof Watched w) {
            if (state != RUNNING) {
                return;
            }
            if (behavior == null) { // restarting: keep it for the fresh instance
                Extras x = extras();
                if (x.deferred == null) {
                    x.deferred = new ArrayList<>();
                }
                x.deferred.add(w);
                return;
            }
            if (w.message != NO_MESSAGE) {
                if (handle((M) w.message, w.message)) {
                    loop.handledOutOfBand(); // a watchWith message counts as a handled message
                }
            } else if (incarnation != null) {
                Behavior<M> next;
                try {
                    next = incarnation.onSignal(this, new Terminated(w.ref, w.cause));
                    if (next == null) {
                        throw new IllegalStateException("onSignal of " + path() + " returned null");
                    }
                } catch (Throwable ex) {
                    rethrowFatal(ex);
                    failed(ex, null);
                    return;
                }
                become(next);
            }
        }
    }

    /** A message (or preStart, or a signal) failed: apply supervision. */
    private void failed(Throwable ex, Object message) {
        if (message != null) {
            sys.deadLetter(this, message, DeadLetter.Reason.FAILED, ex);
        }
        SupervisorStrategy strategy = options.supervision();
        Directive d = strategy.decide(ex);
        switch (d) {
            case RESUME:
                if (behavior == null) { // preStart failed: there is nothing to resume
                    stopSelf(ex);
                }
                return;
            case RESTART:
                Extras x = extras();
                if (x.budget == null) {
                    x.budget = new RestartBudget(options.supervision(), sys.clock);
                }
                int n = x.budget.tryRestart();
                if (n < 0) {
                    stopSelf(ex); // restart limit reached
                    return;
                }
                if (strategy.isAllForOne() && parent != null) {
                    for (ActorCell<?> sibling : parent.childCells()) {
                        if (sibling != this) {
                            sibling.enqueueSystem(new RestartAll(ex));
                        }
                    }
                }
                restart(ex, strategy.backoffNanos(n));
                return;
            case ESCALATE:
                stopSelf(ex);
                if (parent != null) {
                    parent.enqueueSystem(new ChildFailed(this, ex));
                }
                return;
            case STOP:
            default:
                stopSelf(ex);
        }
    }

    /**
     * Replaces the instance: preRestart on the old one, children stopped, a fresh one once those
     * children have ended (their names are free again) and after the backoff.
     */
    private void restart(Throwable cause, long delayNanos) {
        Actor<M> old = incarnation;
        if (old != null) {
            try {
                old.preRestart(this, cause);
            } catch (Throwable ex) {
                rethrowFatal(ex);
            }
        }
        List<CompletableFuture<Void>> ending = new ArrayList<>();
        for (ActorCell<?> c : childCells()) {
            c.stop();
            ending.add(c.termination());
        }
        behavior = null;
        incarnation = null;
        Extras x = extras();
        x.paused = true; // the loop takes no mailbox message until Resume
        int gen = ++x.restartGen;
        Resume resume = new Resume(gen);
        if (ending.isEmpty()) {
            resumeAfter(resume, delayNanos);
        } else {
            // a fresh instance that spawns its children again by name must not find the old ones
            CompletableFuture.allOf(ending.toArray(new CompletableFuture<?>[0]))
                    .whenComplete((v, e) -> resumeAfter(resume, delayNanos));
        }
    }

    private void resumeAfter(Resume resume, long delayNanos) {
        if (delayNanos <= 0L) {
            enqueueSystem(resume); // through the loop: no recursion when preStart keeps failing
        } else {
            sys.schedule(Duration.ofNanos(delayNanos), () -> enqueueSystem(resume));
        }
    }

    /** Stops now: no more handling; what is left in the mailbox goes to dead letters. */
    private void stopSelf(Throwable cause) {
        if (state != RUNNING) {
            return;
        }
        if (cause != null) {
            extras().stopCause = cause;
        }
        state = STOPPING;
        Extras x = extras;
        if (x != null) {
            x.paused = false; // drain the rest to dead letters
        }
        shutMailbox();
    }

    int depth() {
        BufferedChannel<Object> mb = mailbox;
        return mb == null ? 0 : mb.size();
    }

    /** After the loop has ended: whatever is still in the mailbox goes to dead letters. Any thread, one at a time. */
    private void drainLeftovers() {
        BufferedChannel<Object> mb = mailbox;
        if (mb == null || mb == UNOPENED_CLOSED) {
            return; // no tell ever got in
        }
        mb.drainRemaining(o -> sys.deadLetter(this, o, DeadLetter.Reason.STOPPED, stopCause()));
    }

    private static BufferedChannel<Object> closedChannel() {
        BufferedChannel<Object> c = new BufferedChannel<>(2, Overflow.FAIL, null, Runnable::run, 1, 1, true);
        c.close();
        return c;
    }

    static void rethrowFatal(Throwable ex) {
        if (ex instanceof VirtualMachineError) {
            throw (VirtualMachineError) ex;
        }
    }

    @Override
    public String toString() {
        return "Actor[" + path() + "]";
    }

    // ------------------------------------------------------------------ system messages

    /**
     * Messages the loop handles itself. An abstract class, not an interface: onNext tells them
     * from user messages with {@code instanceof} on every message, and a class check is one
     * compare at a fixed depth of the class's supertypes, where a failing interface check scans
     * the message class's interfaces.
     */
    abstract static sealed class SystemMessage permits Stop, Resume, RestartAll, ChildFailed, Watched {
    }

    static final class Stop extends SystemMessage {
        static final Stop INSTANCE = new Stop();
    }

    static final class Resume extends SystemMessage {
        final int gen;

        Resume(int gen) {
            this.gen = gen;
        }
    }

    static final class RestartAll extends SystemMessage {
        final Throwable cause;

        RestartAll(Throwable cause) {
            this.cause = cause;
        }
    }

    static final class ChildFailed extends SystemMessage {
        final ActorCell<?> child;
        final Throwable cause;

        ChildFailed(ActorCell<?> child, Throwable cause) {
            this.child = child;
            this.cause = cause;
        }
    }

    static final class Watched extends SystemMessage {
        final ActorCell<?> ref;
        final Object message;
        final Throwable cause;

        Watched(ActorCell<?> ref, Object message, Throwable cause) {
            this.ref = ref;
            this.message = message;
            this.cause = cause;
        }
    }

    /**
     * The parts of an actor that most actors never use, in one object made on first use (CAS
     * null -> Extras), so that an idle actor pays one reference for all of them (T7: the cell went
     * from 112 to 64 bytes, then to 56 with the system queue and the paused flag in here). Made by: a
     * child spawn, a watch, termination(), path(), a drop or dead letter (a failed message is one),
     * a system message (a stop from outside the actor is one), a restart, a stop with a cause, the
     * actor's end.
     *
     * Who writes what:
     *   children, watchers, termination — CAS null -> value (Lazy), any thread; termination is
     *     swapped to ENDED by onComplete, which makes the Extras itself if nobody did (one object
     *     per ending actor), so that the CAS and the swap meet on the one field as before.
     *   systemQueue — CAS null -> queue (Lazy) by the first system message, any thread; the loop
     *     reads it per poll through the cell's extras field (both volatile). A sender installs the
     *     Extras, then the queue, offers, then schedules the loop: its getAndAdd on wip either
     *     starts a turn or counts as a miss that the running turn must go round for, so the
     *     message is always looked at; no Dekker re-check is needed for it.
     *   dropped, deadLettered — getAndAdd, any thread.
     *   path — a racy cache of an immutable String.
     *   restartGen, paused, budget, deferred, stopCause — the actor's turn only (stopCause is read
     *     by others only after the termination future completed, or racily for a dead letter's
     *     cause). paused: a restart's backoff; the loop takes no mailbox message while it is set,
     *     system messages still come.
     */
    static final class Extras {
        String path;
        volatile ConcurrentLinkedQueue<Object> systemQueue; // system messages (Stop, Resume, RestartAll, ChildFailed, Watched)
        volatile ActorNames children;
        volatile Map<ActorCell<?>, Object> watchers;
        volatile CompletableFuture<Void> termination; // ENDED once the actor has ended
        volatile long dropped;
        volatile long deadLettered;
        int restartGen;
        boolean paused;
        RestartBudget budget; // created at the first restart
        Throwable stopCause;
        List<Watched> deferred; // watch signals that came while a restart was pending

        static final VarHandle SYSTEM_QUEUE;
        static final VarHandle DROPPED;
        static final VarHandle DEAD_LETTERED;
        static final VarHandle CHILDREN;
        static final VarHandle WATCHERS;
        static final VarHandle TERMINATION;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                SYSTEM_QUEUE = l.findVarHandle(Extras.class, "systemQueue", ConcurrentLinkedQueue.class);
                DROPPED = l.findVarHandle(Extras.class, "dropped", long.class);
                DEAD_LETTERED = l.findVarHandle(Extras.class, "deadLettered", long.class);
                CHILDREN = l.findVarHandle(Extras.class, "children", ActorNames.class);
                WATCHERS = l.findVarHandle(Extras.class, "watchers", Map.class);
                TERMINATION = l.findVarHandle(Extras.class, "termination", CompletableFuture.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private static final VarHandle MAILBOX;
    private static final VarHandle EXTRAS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            MAILBOX = l.findVarHandle(ActorCell.class, "mailbox", BufferedChannel.class);
            EXTRAS = l.findVarHandle(ActorCell.class, "extras", Extras.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
