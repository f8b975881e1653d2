package io.flowrelay.internal;

import io.flowrelay.channel.Overflow;

import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * Submits the first turns of new delivery loops (spawned actors) to their pool from one of the
 * pool's own threads. A submission from outside the pool to a pool whose threads have gone idle
 * wakes one ({@code LockSupport.unpark}), and a burst of spawns paid that wake-up once per actor.
 * A thread of the pool that submits puts the task on its own queue instead, and wakes another
 * thread only when that queue was empty: once per burst. Here a spawn sends its loop to an
 * unbounded channel, whose one subscription (the kernel's delivery loop, on the same pool)
 * submits each loop it takes; the subscription itself is woken only when it has gone idle, and
 * spins a little for the next spawn before it goes. Each loop's first turn is still a task of
 * its own, run by whichever thread of the pool takes it, as before: a slow actor setup holds up
 * no other actor's start. Spawning a million idle actors, with the collector kept out of the way
 * (a 4 GiB young generation), took 0.26–0.48 s instead of 0.51–0.70 s (docs/benchmarks.md, T7).
 *
 * <p>A loop given here has had its {@code wip} taken ({@link DeliveryLoop#startVia}), exactly as
 * a loop that submits itself.
 *
 * <p>If the pool ever refuses the subscription's task (it was shut down), the subscription ends
 * (onError): each loop still waiting, and each one given later, is submitted by whoever holds
 * it, and fails the way it would have without the queue (the pool refuses it too: its
 * subscriber gets the {@code RejectedExecutionException}). Dekker pair on {@code refused}:
 * {@link #enqueue} sends (the buffer's claim CAS is a full fence), then reads it;
 * {@link #onError} sets it, fences, then drains. One of the two sees the other's loop, and the
 * drains are serialised ({@link BufferedChannel#drainRemaining}); jcstress
 * {@code StartQueueStress}.
 */
public final class StartQueue implements Flow.Subscriber<DeliveryLoop<?>> {

    /** Loops the subscription submits per turn before it yields to other waiting tasks. */
    private static final int BATCH = 64;

    private final BufferedChannel<DeliveryLoop<?>> pending;
    private volatile boolean refused;

    /** A queue for loops on {@code executor} (the shared pool's is {@link #forDefaultExecutor()}). */
    public StartQueue(Executor executor) {
        this.pending = new BufferedChannel<>(Integer.MAX_VALUE, Overflow.BLOCK, null, executor, BATCH, 1, true);
        pending.subscribe(this);
    }

    /** The queue of the shared default pool ({@link DefaultExecutor}). */
    public static StartQueue forDefaultExecutor() {
        return Holder.DEFAULT;
    }

    /** Has the queue's task submit the first turn of {@code loop}, whose wip its caller took. */
    void enqueue(DeliveryLoop<?> loop) {
        if (!refused) {
            pending.trySend(loop); // unbounded and never closed: always taken
            if (!refused) {
                return;
            }
            pending.drainRemaining(DeliveryLoop::submitFirstTurn); // the queue ended meanwhile: see the notes
            return;
        }
        loop.submitFirstTurn();
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(DeliveryLoop<?> loop) {
        loop.submitFirstTurn(); // from a thread of the pool: onto its own queue, without a wake-up per loop
    }

    @Override
    public void onError(Throwable throwable) {
        refused = true;
        VarHandle.fullFence();
        pending.drainRemaining(DeliveryLoop::submitFirstTurn);
    }

    @Override
    public void onComplete() {
        // the channel is never closed
    }

    private static final class Holder {
        static final StartQueue DEFAULT = new StartQueue(DefaultExecutor.get());
    }
}
