package io.flowrelay.actor;

import java.util.concurrent.Executor;

/**
 * An actor's turns: the kernel's delivery loop over the actor's system queue and mailbox, with
 * unbounded demand; {@code throughput} messages per turn. System messages come first and are
 * taken even while the actor is paused (restart backoff).
 */
final class ActorLoop extends CountingLoop {

    private final ActorCell<?> cell;

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
    protected void onFinished() {
        cell.mailbox.detach(this);
    }
}
