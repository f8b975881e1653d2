package io.flowrelay.actor;

import io.flowrelay.internal.DeliveryLoop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * The turn loop of an actor or an actor stage, with the count of messages its handler took
 * ({@link MailboxStats#processed()}), kept without a write per message.
 */
abstract sealed class CountingLoop extends DeliveryLoop<Object> permits ActorLoop, StageProcessor.StageLoop {

    /**
     * Messages the handler took: the loop's delivered count, published per turn (and every
     * {@code throughput} messages; see onTurnDelivered), less the ones it did not take (system
     * messages, flushes, failures, dead letters), taken off as they happen. Written only on the
     * turn (release stores), read by stats: never per message, because the line it is on may be
     * another actor's, or the loop's own wip that every sender reads (a per-message write here kept
     * two ping-pong actors at 0.93 µs a round trip instead of 0.26).
     */
    private volatile long processed;

    CountingLoop(Flow.Subscriber<? super Object> subscriber, Executor executor, int throughput) {
        super(subscriber, executor, throughput);
    }

    @Override
    protected final void onTurnDelivered(long n) {
        PROCESSED.setRelease(this, processed + n);
    }

    /** Messages handled while an upstream stage held the loop (on the turn that held it). */
    final void handledInline(long n) {
        PROCESSED.setRelease(this, processed + n);
    }

    /** A delivered message that the handler did not take (on the turn). */
    final void notHandled() {
        PROCESSED.setRelease(this, processed - 1);
    }

    /** A message handled that did not come from the queue (an actor's watchWith message; on the turn). */
    final void handledOutOfBand() {
        PROCESSED.setRelease(this, processed + 1);
    }

    /** Exact once the turn has ended; during a turn it may lag (its deliveries are not yet counted). */
    final long processed() {
        return Math.max(0L, processed);
    }

    private static final VarHandle PROCESSED;

    static {
        try {
            PROCESSED = MethodHandles.lookup().findVarHandle(CountingLoop.class, "processed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
