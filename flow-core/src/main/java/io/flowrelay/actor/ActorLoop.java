package io.flowrelay.actor;

import io.flowrelay.internal.BufferedChannel;

import java.util.concurrent.Executor;

/**
 * An actor's turns: the kernel's delivery loop over the actor's system queue and mailbox, with
 * unbounded demand; {@code throughput} messages per turn. System messages come first and are
 * taken even while the actor is paused (restart backoff).
 *
 * <p>The mailbox is read the way a consumer that has caught up with its senders should read it:
 * a poll and a spinning look ask only whether the next slot holds an item
 * ({@link io.flowrelay.internal.BufferedChannel#pollItemReady}, {@code hasItemReady}), never the
 * producers' word that every {@code tell} writes with a CAS. Reading that word on every look
 * pulled its cache line away from the sender at each message once the actor kept pace, and the
 * sender's next CAS had to take it back: T3 ran at 5–9 M messages/s in most rounds in that state,
 * against 22–38 with this (A/B, {@code CaseRounds T3.flowrelay 10}). Only the look before the loop
 * leaves reads the word ({@code hasItemReadyOrArm}: an item claimed but still being written is
 * waited for there, so that the next poll takes it).
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
        BufferedChannel<Object> m = cell.mailbox();
        return cell.paused || m == null ? null : m.pollItemReady(); // see the class notes
    }

    @Override
    protected boolean hasMore() {
        if (!noSystemMessage()) {
            return true;
        }
        BufferedChannel<Object> m = cell.mailbox();
        return !cell.paused && m != null && m.hasItemReady();
    }

    @Override
    protected boolean hasMoreBeforeLeaving() {
        if (!noSystemMessage()) {
            return true;
        }
        BufferedChannel<Object> m = cell.mailbox(); // null: the first tell will wake us (ActorCell's notes)
        return !cell.paused && m != null && m.hasItemReadyOrArm();
    }

    @Override
    protected boolean isExhausted() {
        BufferedChannel<Object> m = cell.mailbox();
        return m != null && m.isExhausted() && noSystemMessage();
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
        BufferedChannel<Object> m = cell.mailbox();
        if (m != null && m != ActorCell.UNOPENED_CLOSED) {
            m.consumed(n);
        }
    }

    @Override
    protected void onFinished() {
        BufferedChannel<Object> m = cell.mailbox();
        if (m != null && m != ActorCell.UNOPENED_CLOSED) {
            m.detach(this);
        }
    }
}
