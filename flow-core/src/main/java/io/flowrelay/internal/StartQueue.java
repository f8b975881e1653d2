package io.flowrelay.internal;

import io.flowrelay.channel.Overflow;

import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;

/**
 * Submits the first turns of new delivery loops (spawned actors) to their pool from one of the
 * pool's own threads. A submission from outside the pool to a pool whose threads have gone idle
 * wakes one ({@code LockSupport.unpark}), and a burst of spawns paid that wake-up once per actor.
 * A thread of the pool that submits puts the task on its own queue instead, and wakes another
 * thread only when that queue was empty: once per burst. Here a spawn sends its loop to an
 * unbounded channel, whose one subscription (the kernel's delivery loop, on the same pool)
 * submits each loop it takes; the subscription itself is woken only when it has gone idle: it
 * spins for the next spawn (DeliveryLoop's idle spin) without giving its thread way to the first
 * turns it submitted, which the pool's other threads take ({@link Turns}). Each loop's first
 * turn is still a task of its own, run by whichever thread of the pool takes it, as before: a
 * slow actor setup holds up no other actor's start. Spawning a million idle actors, with the collector kept out of the way
 * (a 4 GiB young generation), took 0.26–0.48 s instead of 0.51–0.70 s (docs/benchmarks.md, T7).
 *
 * <p>A loop given here has had its {@code wip} taken ({@link DeliveryLoop#startVia}), exactly as
 * a loop that submits itself.
 *
 * <p>If the pool ever refuses the subscription's task (it was shut down, or a queue of it could
 * not grow), the subscription ends (onError): each loop still waiting, and each one given later,
 * is submitted by whoever holds it (the thread that drains, or the spawning thread), as without
 * the queue; a shut-down pool refuses it too, and its subscriber gets the
 * {@code RejectedExecutionException}. Dekker pair on {@code refused}: {@link #enqueue} sends
 * (the buffer's claim CAS is a full fence), then reads it; {@link #poolRefused} sets it,
 * fences, then drains. One of the two sees the other's loop, and the drains are serialised
 * ({@link BufferedChannel#drainRemaining}); jcstress {@code StartQueueStress}.
 */
public final class StartQueue {

    /** Loops the subscription submits per turn before it yields to other waiting tasks. */
    private static final int BATCH = 64;

    private final Executor executor;
    private final BufferedChannel<DeliveryLoop<?>> pending;
    private volatile boolean refused;

    /**
     * A queue for loops on {@code executor}, which must never be shut down with
     * {@code shutdownNow()}: that drops the queue's task without a refusal, and the loops given
     * afterwards would wait for it. The shared pool's queue is {@link #forDefaultExecutor()}.
     */
    public StartQueue(Executor executor) {
        this.executor = executor;
        this.pending = new BufferedChannel<>(Integer.MAX_VALUE, Overflow.BLOCK, null, executor, BATCH, 1, true);
        pending.subscribe(new Turns(pending, new Submitter()));
    }

    /** The queue of the shared default pool ({@link DefaultExecutor}), which is never shut down. */
    public static StartQueue forDefaultExecutor() {
        return Holder.DEFAULT;
    }

    /** Has the queue's task submit the first turn of {@code loop}, whose wip its caller took. */
    void enqueue(DeliveryLoop<?> loop) {
        assert loop.executor() == executor : "a loop on another executor";
        if (!refused) {
            pending.trySend(loop); // unbounded and never closed: always taken
            if (!refused) {
                return;
            }
            pending.drainRemaining(StartQueue::submit); // the queue ended meanwhile: see the notes
            return;
        }
        submit(loop);
    }

    /**
     * The pool refused the queue's task: from now on every loop is submitted by whoever holds it,
     * those still waiting first. Called by the queue's subscription when its onError comes (and
     * by the jcstress test that races it with a start).
     */
    public void poolRefused() {
        refused = true;
        VarHandle.fullFence();
        pending.drainRemaining(StartQueue::submit);
    }

    /**
     * Submits the first turn of {@code loop}. A refusal fails the loop's subscriber
     * (DeliveryLoop.submit), as without the queue; anything else the executor throws (an
     * Error) fails it too, with a RejectedExecutionException whose cause it is, and goes to the
     * thread's uncaught-exception handler: it never escapes into the queue's subscription, which
     * would end, nor leaves the loop unscheduled.
     */
    private static void submit(DeliveryLoop<?> loop) {
        try {
            loop.submitFirstTurn();
        } catch (Throwable ex) {
            loop.refuseFirstTurn(new RejectedExecutionException("the first turn could not be submitted", ex));
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, ex);
        }
    }

    /** The queue's one subscription: submits each loop it takes, from a thread of the pool. */
    private final class Submitter implements Flow.Subscriber<DeliveryLoop<?>> {

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(DeliveryLoop<?> loop) {
            submit(loop); // from a thread of the pool: onto its own queue, without a wake-up per loop
        }

        @Override
        public void onError(Throwable throwable) {
            poolRefused(); // the pool refused our task (the only error this subscription can get)
        }

        @Override
        public void onComplete() {
            // the channel is never closed
        }
    }

    /**
     * The subscription that runs the Submitter: a channel subscription that, idle, spins for the
     * next spawn even while the first turns it submitted wait on its thread's queue. The pool's
     * other threads take them from there; giving way to them instead left the subscription idle
     * after almost every batch in a burst of spawns, and the next spawn woke it again with a
     * submission from outside the pool ({@code LockSupport.unpark}): the very cost this queue
     * is for. After its spin (at most DeliveryLoop's idle spin time) it leaves as any loop does.
     */
    static final class Turns extends ChannelSubscription<DeliveryLoop<?>> {
        Turns(BufferedChannel<DeliveryLoop<?>> pending, Flow.Subscriber<? super DeliveryLoop<?>> submitter) {
            super(pending, submitter);
        }

        @Override
        protected boolean givesWayToWaitingWork() {
            return false;
        }
    }

    private static final class Holder {
        static final StartQueue DEFAULT = new StartQueue(DefaultExecutor.get());
    }
}
