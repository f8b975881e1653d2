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

    ActorLoop(ActorCell<?> cell, Executor executor, int throughput) {
        super(cell, executor, throughput);
    }

    /**
     * The actor: the loop's subscriber, read there rather than kept in a field of its own (T7: the
     * loop is 56 bytes, not 64). Every hook but one runs on a turn, which holds the loop, before
     * the kernel drops the subscriber (after onFinished), and finds it set. The exception is
     * hasMoreBeforeLeaving: a leaving turn calls it after its wip went to 0, and by then another
     * thread may have taken the loop and ended it: {@code null} there means the loop is over.
     */
    private ActorCell<?> cell() {
        return (ActorCell<?>) heldSubscriber();
    }

    @Override
    protected Object pollNext() {
        ActorCell<?> c = cell();
        ActorCell.Extras x = c.extrasOrNull();
        if (x != null) {
            java.util.Queue<Object> q = x.systemQueue;
            Object s = q != null ? q.poll() : null;
            if (s != null || x.paused) {
                return s; // paused (a restart's backoff): system messages only
            }
        }
        BufferedChannel<Object> m = c.mailbox();
        return m == null ? null : m.pollItemReady(); // see the class notes
    }

    @Override
    protected boolean hasMore() {
        ActorCell<?> c = cell();
        ActorCell.Extras x = c.extrasOrNull();
        if (systemDecides(x)) {
            return hasSystemMessage(x);
        }
        BufferedChannel<Object> m = c.mailbox();
        return m != null && m.hasItemReady();
    }

    @Override
    protected boolean hasMoreBeforeLeaving() {
        ActorCell<?> c = cell(); // after wip went to 0: see cell()
        if (c == null) {
            return false; // another turn ended the loop meanwhile: nothing is left to run
        }
        ActorCell.Extras x = c.extrasOrNull();
        if (systemDecides(x)) {
            return hasSystemMessage(x);
        }
        BufferedChannel<Object> m = c.mailbox(); // null: the first tell will wake us (ActorCell's notes)
        return m != null && m.hasItemReadyOrArm();
    }

    @Override
    protected boolean isExhausted() {
        ActorCell<?> c = cell();
        BufferedChannel<Object> m = c.mailbox();
        if (m == null || !m.isExhausted()) {
            return false;
        }
        ActorCell.Extras x = c.extrasOrNull();
        return x == null || !hasSystemMessage(x);
    }

    /** A system message waits, or the actor is paused (then only system messages count): the mailbox need not be asked. */
    private static boolean systemDecides(ActorCell.Extras x) {
        return x != null && (x.paused || hasSystemMessage(x));
    }

    private static boolean hasSystemMessage(ActorCell.Extras x) {
        java.util.Queue<Object> q = x.systemQueue;
        return q != null && !q.isEmpty();
    }

    @Override
    protected Throwable terminalError() {
        return null;
    }

    @Override
    protected void onDelivered(long n) {
        BufferedChannel<Object> m = cell().mailbox();
        if (m != null && m != ActorCell.UNOPENED_CLOSED) {
            m.consumed(n);
        }
    }

    @Override
    protected void onFinished() {
        BufferedChannel<Object> m = cell().mailbox();
        if (m != null && m != ActorCell.UNOPENED_CLOSED) {
            m.detach(this);
        }
    }
}
