package io.flowrelay.actor;

import io.flowrelay.internal.DeliveryLoop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;

/**
 * An actor's turns: the kernel's delivery loop over the actor's system queue and mailbox, with
 * unbounded demand; {@code throughput} messages per turn. System messages come first and are
 * taken even while the actor is paused (restart backoff).
 */
final class ActorLoop extends DeliveryLoop<Object> {

    private final ActorCell<?> cell;
    /**
     * Messages the behavior handled: the loop's delivered count, published per turn (and every
     * {@code throughput} messages; see onTurnDelivered), less the ones it did not handle (system
     * messages, failures, dead letters), taken off as they happen. Written only on the actor's turn
     * (release stores), read by stats: never per message, because the line it is on may be another
     * actor's (a per-message write here kept two ping-pong actors at 0.93 µs a round trip instead of 0.26).
     */
    private volatile long processed;

    ActorLoop(ActorCell<?> cell, Executor executor, int throughput) {
        super(cell, executor, throughput);
        this.cell = cell;
    }

    @Override
    protected Object pollNext() {
        java.util.Queue<Object> q = cell.systemQueue();
        Object s = q != null ? q.poll() : null;
        if (s != null) {
            return s;
        }
        return cell.paused ? null : cell.mailbox.pollItem();
    }

    @Override
    protected boolean hasMore() {
        return noSystemMessage() ? !cell.paused && cell.mailbox.hasItem() : true;
    }

    @Override
    protected boolean hasMoreBeforeLeaving() {
        return noSystemMessage() ? !cell.paused && cell.mailbox.hasItemOrArm() : true;
    }

    @Override
    protected boolean isExhausted() {
        return cell.mailbox.isExhausted() && noSystemMessage();
    }

    private boolean noSystemMessage() {
        java.util.Queue<Object> q = cell.systemQueue();
        return q == null || q.isEmpty();
    }

    @Override
    protected Throwable terminalError() {
        return null;
    }

    @Override
    protected void onDelivered(long n) {
        cell.mailbox.consumed(n);
    }

    @Override
    protected void onTurnDelivered(long n) {
        PROCESSED.setRelease(this, processed + n);
    }

    /** A delivered message that the behavior did not handle (on the actor's turn). */
    void notHandled() {
        PROCESSED.setRelease(this, processed - 1);
    }

    /** A message handled that did not come from the mailbox (a watchWith message; on the actor's turn). */
    void handledOutOfBand() {
        PROCESSED.setRelease(this, processed + 1);
    }

    /** Exact once the turn has ended; during a turn it may lag (its deliveries are not yet counted). */
    long processed() {
        return Math.max(0L, processed);
    }

    @Override
    protected void onFinished() {
        cell.mailbox.detach(this);
    }

    private static final VarHandle PROCESSED;

    static {
        try {
            PROCESSED = MethodHandles.lookup().findVarHandle(ActorLoop.class, "processed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
