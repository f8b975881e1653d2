package io.flowrelay.internal;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.ChannelClosedException;
import io.flowrelay.channel.ChannelFullException;
import io.flowrelay.channel.Overflow;
import io.flowrelay.channel.SendResult;
import io.flowrelay.channel.Sender;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The one channel implementation, also the mailbox of every actor: bounded (an {@link MpscRing}),
 * unbounded (a lock-free queue of recycled chunks) or rendezvous (no buffer: items stay with their waiting senders).
 *
 * @param <T> the item type
 */
public final class BufferedChannel<T> implements Channel<T> {

    /*
     * Implementation notes
     *
     * Where items live, oldest first for each producer:
     *   buffer     — the bounded ring or the unbounded queue (null for rendezvous). Any producer
     *                offers, any consumer polls (the ring serialises competing consumers).
     *   overflow   — items from the upstream subscription that did not fit (only possible when
     *                imperative sends share the channel, or for rendezvous). They were requested,
     *                so they are accepted; their count is bounded by the upstream window.
     *   senders    — waiting senders (Waiter: a parked thread or a pending sendAsync), FIFO. For a
     *                bounded channel only the sender drain (senderWip) removes from it and moves
     *                their items into the buffer in order; for rendezvous, consumers poll waiters
     *                and take items straight from them (CAS WAITING -> DONE). A SenderQueue:
     *                hot paths read its count, never 0 while a waiter is queued.
     * Consumers: receivers (parked receive() calls, Waiter queue) and subscriptions (one
     * DeliveryLoop each, in the copy-on-write `subscribers` set: null, one loop or an array, LoopArray).
     * senders, receivers, overflow (and its count), the sender drain's and the end drain's
     * counters and the handle count live in `extras`, made on first use (Lazy: a CAS, so a full
     * fence like the lazily made queues it replaced): a reader that finds no extras treats it as
     * empty queues and zero counts, and a sender that makes them runs the sender drain itself
     * once it is queued, so a drain that found none (close()) misses nobody.
     *
     * Who writes what:
     *   state      — CLOSED | FAILED bits, set once by close()/fail() (StateWord).
     *   error      — CAS null -> t by fail(), before the state CAS.
     *   subscribers— CAS of a new set (LoopArray) by subscribe() and by a finished subscription.
     *   upstream   — CAS null -> Upstream (the link to the subscription, made by onSubscribe; a
     *                channel that is never subscribed to a publisher, like a mailbox, holds none of
     *                its fields), set to UPSTREAM_DONE by the upstream's terminal signal, swapped
     *                to it by close() (which then cancels the link it took); never
     *                leaves UPSTREAM_DONE, so a channel has at most one link in its life. The last
     *                subscriber leaving closes the channel (RS 2.6).
     *   Upstream.asked, arrived — bounded and rendezvous: what the channel has asked upstream
     *                for in all, raised only inside the upstream drain (freeRoom), and what has
     *                come of it, raised only by onNext once the item is visible (arrived()). Each
     *                has one writer at a time (the drain is serialised, onNext calls are, RS 1.3),
     *                so an arrival is a release store, not a read-modify-write on a line the
     *                consumer's drain also writes; asked - arrived is the outstanding demand.
     *   Upstream.pending, wip — demand to pass upstream, added by any consumer; the one thread that
     *                takes wip 0 -> 1 calls request()/cancel(), so calls on the upstream
     *                subscription never overlap (RS 2.7). Upstream.cancel is set by close() before
     *                its drain, read inside one.
     *
     * No lost wake-up, three Dekker pairs (each side: write, full fence, read):
     *   producer: claim an index (the buffer's CAS: MpscRing, MpscChunkQueue), then read
     *             receivers / subscribers / the buffer's IDLE bit, wake one (afterOffer())
     *   receiver: enqueue Waiter (CAS), read hasItem() / state; subscription: wip -> 0, then
     *             hasItemOrArm(): a lone subscriber is woken through the buffer's IDLE bit (the
     *             producer then reads nothing of the loop's), several are looked at by every send
     *   consumer: take item, fence, read senders                          (consumed())
     *   sender:   enqueue Waiter (CAS), run the sender drain itself          (enqueueSender())
     *   closer:   set CLOSED (CAS), fail waiting senders, wake every consumer
     *   sender:   enqueue Waiter, fence, read CLOSED (the sender drain fails it)
     *
     * Select waiters (Waiter.selector, see Select): one waiter queued in several channels, as a
     * receiver here and maybe as a sender elsewhere. It takes part in the pairs above like any
     * waiter: registerReceiver + the select's re-check of hasItem()/CLOSED is the receiver side,
     * registerSender is enqueueSender. Every place that changes a waiter's state goes through
     * Waiter.signal/handOff/take/claim/fail, which decide a select waiter with one CAS
     * (WAITING -> CLAIMED) and record this channel as its source; a waiter that another channel
     * decided first is skipped exactly as a cancelled one. unregisterReceiver/unregisterSender
     * clean up after a select; passWakeUp hands on a wake-up it did not use.
     *
     * A send that races with close() either reports CLOSED or is enqueued; an enqueued item is
     * delivered to any consumer still active and otherwise stays available to poll()/receive()
     * (isTerminated() stays false while it is there). Waiting senders fail with
     * ChannelClosedException on close; upstream items already accepted are still delivered.
     */

    /** Slots per chunk of an unbounded buffer: a mailbox is per actor, so small (about 280 bytes). */
    private static final int CHUNK = 64;

    static final int CLOSED = 1;
    static final int FAILED = 2;

    private static final Upstream UPSTREAM_DONE = new Upstream(null, 0);
    private static final CompletionStage<Void> SENT = CompletableFuture.completedStage(null);

    private volatile ChannelBuffer<T> buffer; // created by the first offer (see buffer()); always null for rendezvous
    private final boolean singleConsumer;
    private final int capacity;
    private final Overflow overflow;
    private final Consumer<? super T> onDrop;
    final Executor executor;
    final int batch;
    private final int window; // what the channel may have requested from its upstream and not yet delivered

    // made on first use (Lazy), so that an idle channel or mailbox holds none of its fields
    private volatile Extras<T> extras;

    private volatile boolean inlineProducer; // see setInlineProducer()
    private volatile Object subscribers; // a LoopArray set: null, one loop or an array
    private volatile int state;
    private volatile Throwable error;
    private volatile Upstream upstream;

    /**
     * @param capacity       0 for rendezvous, {@link Integer#MAX_VALUE} for unbounded, else bounded (rounded up to a power of two)
     * @param singleConsumer {@code true} if one consumer at a time will ever take items (a mailbox): an MPSC buffer is used
     */
    public BufferedChannel(int capacity, Overflow overflow, Consumer<? super T> onDrop, Executor executor, int batch, int prefetch,
                           boolean singleConsumer) {
        this.overflow = overflow;
        this.onDrop = onDrop;
        this.executor = executor;
        this.batch = batch;
        // DROP_OLDEST takes from the buffer on the producer side: a competing consumer
        this.singleConsumer = singleConsumer && overflow != Overflow.DROP_OLDEST;
        if (capacity == 0) {
            this.capacity = 0;
            this.window = 1;
        } else if (capacity == Integer.MAX_VALUE) {
            this.capacity = Integer.MAX_VALUE;
            this.window = prefetch;
        } else {
            // JCTools array queues round up to a power of two (at least 2): report what they hold
            this.capacity = capacity <= 2 ? 2 : Integer.highestOneBit(capacity - 1) << 1;
            this.window = this.capacity;
        }
    }

    /** The buffer for a producer: created by the first one that needs it (never for rendezvous). */
    private ChannelBuffer<T> buffer() {
        ChannelBuffer<T> q = buffer;
        return q != null ? q : Lazy.get(BUFFER, this, this::newBuffer);
    }

    private ChannelBuffer<T> newBuffer() {
        if (capacity == Integer.MAX_VALUE) {
            return new MpscChunkQueue<>(CHUNK, !singleConsumer);
        }
        return new MpscRing<>(capacity, !singleConsumer);
    }

    private Extras<T> extras() {
        Extras<T> e = extras;
        return e != null ? e : Lazy.get(EXTRAS, this, Extras::new);
    }

    private SenderQueue senders() {
        return extras().senders();
    }

    /** The waiting senders' queue, or {@code null} if no sender ever waited. */
    private SenderQueue sendersIfAny() {
        Extras<T> e = extras;
        return e == null ? null : e.senders;
    }

    /** {@code true} if a sender waits (or is about to: see SenderQueue). */
    private boolean sendersWaiting() {
        SenderQueue q = sendersIfAny();
        return q != null && !q.isEmpty();
    }

    private Waiter pollSender() {
        SenderQueue q = sendersIfAny();
        return q == null ? null : q.poll();
    }

    private ConcurrentLinkedQueue<Waiter> receivers() {
        return extras().receivers();
    }

    /** The parked receivers' queue, or {@code null} if no receiver ever parked. */
    private ConcurrentLinkedQueue<Waiter> receiversIfAny() {
        Extras<T> e = extras;
        return e == null ? null : e.receivers;
    }

    /** Upstream items that did not fit: 0 unless imperative sends share the channel, or rendezvous. */
    private int overflowCount() {
        Extras<T> e = extras;
        return e == null ? 0 : e.overflowCount;
    }

    private static boolean isEmpty(Queue<?> q) {
        return q == null || q.isEmpty();
    }

    private static boolean isEmpty(ChannelBuffer<?> q) {
        return q == null || q.isEmpty();
    }

    private static <E> E poll(Queue<E> q) {
        return q == null ? null : q.poll();
    }

    private static <E> E poll(ChannelBuffer<E> q) {
        return q == null ? null : q.poll();
    }

    // ------------------------------------------------------------------ sending

    @Override
    public SendResult trySend(T item) {
        Objects.requireNonNull(item, "item"); // RS 2.13
        return offer(item);
    }

    @Override
    public void send(T item) throws InterruptedException {
        Objects.requireNonNull(item, "item");
        SendResult r = offer(item);
        if (r == SendResult.FULL) {
            r = offerPatiently(item);
        }
        if (r == SendResult.OK) {
            return;
        }
        if (r == SendResult.CLOSED) {
            throw closedException();
        }
        if (overflow == Overflow.FAIL) {
            throw fullException();
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Waiter w = Waiter.sender(item);
        enqueueSender(w);
        if (!w.awaitTaken()) {
            throw closedException();
        }
    }

    /**
     * send() found the channel full: waits for room by spinning and yielding (Waiter.backOff)
     * before it queues and parks. It tries again only once an eighth of the ring is free: a
     * producer that took each slot as soon as the consumer freed it would write the very cache
     * line the consumer reads next, and the two would trade that line for every item. And it
     * stops spinning at once if the consumer took nothing over {@link Waiter#SEND_STILL_LOOKS}
     * looks: then the consumer is not running (it waits for demand, or for the CPU we spin on;
     * on these virtual machines the two vCPUs are at times one), and a parked producer gives it
     * that CPU.
     */
    private SendResult offerPatiently(T item) {
        int chunk = capacity >= 16 ? capacity >> 3 : 1;
        ChannelBuffer<T> q = buffer;
        long taken = q != null ? q.taken() : 0L;
        int still = 0;
        boolean slot = SpinSlots.SENDERS.tryAcquire();
        try {
            SendResult r = SendResult.FULL;
            for (int i = 0; r == SendResult.FULL && Waiter.backOff(i, slot); i++) {
                if (!Waiter.sendShouldLook(i, slot)) {
                    continue;
                }
                if (chunk == 1 || capacity - size() >= chunk) {
                    r = offer(item);
                } else if (q != null) {
                    long t = q.taken();
                    if (t != taken) {
                        taken = t;
                        still = 0;
                    } else if (++still == Waiter.SEND_STILL_LOOKS) {
                        break; // the consumer took nothing for a while: it does not run now, so sleep
                    }
                }
            }
            return r;
        } finally {
            if (slot) {
                SpinSlots.SENDERS.release();
            }
        }
    }

    @Override
    public CompletionStage<Void> sendAsync(T item) {
        Objects.requireNonNull(item, "item");
        SendResult r = offer(item);
        if (r == SendResult.OK) {
            return SENT;
        }
        if (r == SendResult.CLOSED) {
            return CompletableFuture.failedStage(closedException());
        }
        if (overflow == Overflow.FAIL) {
            return CompletableFuture.failedStage(fullException());
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        enqueueSender(Waiter.asyncSender(item, f));
        return f.minimalCompletionStage();
    }

    /** Tries to enqueue without waiting, applying the overflow policy. */
    private SendResult offer(T item) {
        if ((state & CLOSED) != 0) {
            return SendResult.CLOSED;
        }
        if (capacity == 0) {
            return handOff(item) ? SendResult.OK : SendResult.FULL;
        }
        ChannelBuffer<T> q = buffer();
        // waiting senders go first: a later send must not overtake an earlier pending one
        if (!sendersWaiting()) {
            int r = q.offer(item);
            if (r != MpscRing.FULL) {
                afterOffer(r);
                return SendResult.OK;
            }
        }
        switch (overflow) {
            case DROP_NEWEST:
                onDrop.accept(item);
                return SendResult.OK;
            case DROP_OLDEST:
                for (;;) {
                    T old = q.poll();
                    if (old != null) {
                        onDrop.accept(old);
                    }
                    int r = q.offer(item);
                    if (r != MpscRing.FULL) {
                        afterOffer(r);
                        return SendResult.OK;
                    }
                }
            default:
                return SendResult.FULL;
        }
    }

    /** Rendezvous: gives the item straight to a parked receiver, if there is one. */
    private boolean handOff(T item) {
        Waiter w;
        while ((w = poll(receiversIfAny())) != null) {
            if (w.handOff(item, this)) {
                w.resume(null);
                return true;
            }
        }
        return false;
    }

    /**
     * After an offer into the buffer (whose claim CAS orders it before what we read
     * here): wake a consumer if one may sleep. A lone subscriber asked through the
     * buffer's IDLE bit (OK_WAKE) if it sleeps, so a send to a channel with one busy subscriber
     * reads nothing that its consumer writes; parked receivers and competing subscribers are
     * looked at after every send.
     */
    private void afterOffer(int offered) {
        if (offered == MpscRing.OK_WAKE || LoopArray.isMany(subscribers) || !isEmpty(receiversIfAny())) {
            wakeOne();
        }
    }

    /** After an item became available by other means (moved senders, overflow, a leaving loop): fence, then wake. */
    private void published() {
        VarHandle.fullFence();
        wakeOne();
    }

    /** Wakes one parked receiver and one idle subscriber with demand. */
    private void wakeOne() {
        if (!isEmpty(receiversIfAny())) {
            signalReceiver();
        }
        LoopArray.wakeOne(subscribers);
    }

    private void signalReceiver() {
        Waiter w;
        while ((w = poll(receiversIfAny())) != null) {
            if (w.signal(this)) {
                w.resume(null);
                return;
            }
        }
    }

    private void enqueueSender(Waiter w) {
        senders().offer(w);
        if (capacity == 0) {
            published();
            if ((state & CLOSED) != 0) {
                drainSenders();
            }
        } else {
            drainSenders();
        }
    }

    /**
     * The sender drain, serialised by senderWip: moves waiting senders' items into the buffer
     * in FIFO order while it has room, or fails them once the channel is closed.
     */
    private void drainSenders() {
        Extras<T> e = extras;
        if (e == null) {
            return; // no sender ever waited; one that comes runs this drain itself once queued
        }
        if ((int) Extras.SENDER_WIP.getAndAdd(e, 1) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            if ((state & CLOSED) != 0) {
                failSenders();
            } else if (capacity != 0 && transferSenders()) {
                published();
            }
            missed = (int) Extras.SENDER_WIP.getAndAdd(e, -missed) - missed;
            if (missed == 0) {
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private boolean transferSenders() {
        SenderQueue senders = sendersIfAny();
        if (senders == null) {
            return false;
        }
        ChannelBuffer<T> buffer = buffer();
        boolean moved = false;
        Waiter w;
        while ((w = senders.peek()) != null) {
            Object item = w.claim(this);
            if (item == null) {
                senders.poll(); // the owner gave up (interrupt), or a select went elsewhere
                continue;
            }
            if (buffer.offer((T) item) == MpscRing.FULL) {
                w.setState(Waiter.WAITING);
                break;
            }
            senders.poll();
            w.item(null);
            w.setState(Waiter.DONE);
            w.resume(null);
            moved = true;
        }
        return moved;
    }

    private void failSenders() {
        boolean any = false;
        Waiter w;
        while ((w = pollSender()) != null) {
            any = true; // also a cancelled waiter: consumers counted it as an item
            if (w.fail(this)) {
                w.item(null);
                w.resume(w.isAsync() ? closedException() : null);
            }
        }
        if (any) {
            wakeConsumers(); // they may have seen senders non-empty and gone idle
        }
    }

    // ------------------------------------------------------------------ select hooks

    /*
     * Select (io.flowrelay.channel.Select) queues one Waiter.selector in several channels. These
     * hooks only put it in or take it out of this channel's queues; from then on it is served by
     * the same code as any waiter (handOff, signalReceiver, wakeConsumers, the sender drain,
     * pollItem), whose Waiter calls decide it with one CAS. Nothing here runs unless a select
     * waits, and a channel no select waits on never sees a select waiter.
     */

    /**
     * Queues a select waiter as a receiver. The caller must then re-check {@link #hasItem()} and
     * {@link #isClosed()} (it is the receiver side of the producer/receiver Dekker pair).
     */
    public void registerReceiver(Waiter w) {
        receivers().offer(w);
    }

    /**
     * Queues a select waiter as a sender of its item for this channel, behind earlier waiting
     * senders; moves it into the buffer at once if there is room, fails it if closed.
     */
    public void registerSender(Waiter w) {
        enqueueSender(w);
    }

    /**
     * Takes a decided select waiter out of the receivers, so that a select that waits on an idle
     * channel again and again does not fill it with stale waiters. Every party that polls the
     * receivers handles whatever it polled, so removing one from the middle is safe.
     */
    public void unregisterReceiver(Waiter w) {
        ConcurrentLinkedQueue<Waiter> q = receiversIfAny();
        if (q != null) {
            q.remove(w);
        }
    }

    /**
     * Takes a decided select waiter out of the senders (a stale one would make {@link #hasItem()}
     * true and, in a bounded channel, make trySend report FULL). Rendezvous senders are polled
     * by any consumer, each handling what it polled: remove it. Senders of a bounded channel are
     * removed only by the sender drain (it polls its head after a failed claim, so a removal
     * from outside could make it drop the next, live waiter): run the drain, which drops the
     * stale waiter when it reaches it.
     */
    public void unregisterSender(Waiter w) {
        SenderQueue q = sendersIfAny();
        if (q == null) {
            return;
        }
        if (capacity == 0) {
            q.remove(w);
        } else if (!q.isEmpty()) {
            drainSenders();
        }
    }

    /**
     * A select woken by this channel (SIGNALLED, no item) that did not use the wake-up for an
     * item of this channel passes it on, as receive() does: the producer woke only one receiver.
     */
    public void passWakeUp() {
        if (hasItem()) {
            signalReceiver();
        }
    }

    // ------------------------------------------------------------------ receiving

    /** The next item for any consumer, or null. Does not do the after-take bookkeeping ({@link #consumed}). */
    public T pollItem() {
        return pollItem(false);
    }

    /**
     * {@link #pollItem()} for a consumer loop that will look again before it sleeps
     * ({@link #hasItemOrArm()}): {@code null} as soon as the buffer's next slot is empty, without
     * reading what every send writes (see {@link ChannelBuffer#pollReady()}).
     */
    public T pollItemReady() {
        return pollItem(true);
    }

    @SuppressWarnings("unchecked")
    private T pollItem(boolean ready) {
        if (capacity != 0) {
            ChannelBuffer<T> q = buffer;
            T v = q == null ? null : ready ? q.pollReady() : q.poll();
            if (v != null) {
                return v;
            }
            if (overflowCount() != 0 && (v = pollOverflow()) != null) {
                return v;
            }
            if (sendersWaiting()) {
                drainSenders();
                return poll(buffer);
            }
            return null;
        }
        T v = overflowCount() != 0 ? pollOverflow() : null;
        if (v != null) {
            return v;
        }
        Waiter w;
        while ((w = pollSender()) != null) {
            Object item = w.take(this);
            if (item != null) {
                w.resume(null);
                return (T) item;
            }
        }
        return null;
    }

    private T pollOverflow() {
        Extras<T> e = extras;
        T v = e == null ? null : poll(e.overflowed);
        if (v != null) {
            Extras.OVERFLOW_COUNT.getAndAdd(e, -1);
        }
        return v;
    }

    /** {@code true} if an item may be available (non-consuming). */
    public boolean hasItem() {
        return !isEmpty(buffer) || overflowCount() != 0 || sendersWaiting();
    }

    /**
     * For a consumer that spins: {@code true} if an item can be taken now. Cheaper than
     * {@link #hasItem()} for a ring (it does not read what every send writes), but it may miss an
     * item that is being written: not for decisions (sleep, end), only for spinning.
     */
    public boolean hasItemReady() {
        ChannelBuffer<T> q = buffer;
        return (q != null && q.isReady()) || overflowCount() != 0 || sendersWaiting();
    }

    /**
     * For a consumer loop about to sleep (it took its wip to 0 with a full fence): {@code true}
     * if an item may be available; otherwise the next send will wake it ({@link ChannelBuffer#armIdle()};
     * a channel whose buffer does not exist yet makes a ring that asks for that from the start).
     */
    public boolean hasItemOrArm() {
        if (overflowCount() != 0 || sendersWaiting()) {
            return true;
        }
        ChannelBuffer<T> q = buffer;
        return q != null && q.armIdle();
    }

    /**
     * {@link #hasItemOrArm()} for the single consumer that takes with {@link #pollItemReady()}:
     * when it finds an item that is still being written, waits until it is written, so that the
     * loop's next poll takes it instead of looking again and again.
     */
    public boolean hasItemReadyOrArm() {
        if (!hasItemOrArm()) {
            return false;
        }
        ChannelBuffer<T> q = buffer;
        if (q != null) {
            q.awaitReady();
        }
        return true;
    }

    /** Closed, and nothing left to take. Reads the state before the queues. */
    public boolean isExhausted() {
        return (state & CLOSED) != 0 && !hasItem();
    }

    /**
     * Bookkeeping after consumers took {@code n} items: let waiting senders in, replenish upstream,
     * and, if that was the last item of a closed channel, wake every consumer so that each sees
     * the end (an idle subscriber has no other reason to run again).
     */
    public void consumed(long n) {
        VarHandle.fullFence();
        if (sendersWaiting()) {
            drainSenders();
        }
        Upstream u = upstream;
        if (u != null) {
            replenish(u, n);
        }
        if (isExhausted()) {
            wakeConsumers(); // RS 1.4: completion needs no demand; a subscription that looked before our take saw an item
        }
    }

    private T take() {
        T v = pollItem();
        if (v != null) {
            consumed(1);
        }
        return v;
    }

    @Override
    public T poll() {
        return take();
    }

    @Override
    public T receive() throws InterruptedException {
        return receive0(0L);
    }

    @Override
    public T receive(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        return receive0(Waiter.deadline(timeout, unit));
    }

    @SuppressWarnings("unchecked")
    private T receive0(long deadline) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        for (int i = 0; ; i++) {
            T v = take();
            if (v != null) {
                return v;
            }
            if (isExhausted()) {
                throw closedException();
            }
            if (i == Waiter.SPINS) {
                break;
            }
            Thread.onSpinWait();
        }
        for (;;) {
            Waiter w = Waiter.receiver();
            receivers().offer(w);
            if (!hasItem() && (state & CLOSED) == 0) {
                w.await(deadline);
            }
            boolean signalled = !w.casState(Waiter.WAITING, Waiter.LEFT);
            if (signalled && w.item() != null) {
                T handed = (T) w.item(); // rendezvous hand-off: the sender already counts it as taken
                w.item(null);
                return handed;
            }
            T v = take();
            if (signalled && hasItem()) {
                signalReceiver(); // we used a wake-up: pass it on if there is more to take
            }
            if (v != null) {
                return v;
            }
            if (isExhausted()) {
                throw closedException();
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (deadline != 0L && deadline - System.nanoTime() <= 0L) {
                return null;
            }
        }
    }

    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private T next;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                try {
                    next = receive();
                    return true;
                } catch (ChannelClosedException ex) {
                    if (ex.getCause() != null) {
                        throw ex;
                    }
                    return false;
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new ChannelClosedException("interrupted while waiting for the next item", ex);
                }
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                T v = next;
                next = null;
                return v;
            }
        };
    }

    // ------------------------------------------------------------------ Flow.Publisher

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
        subscribe(new ChannelSubscription<>(this, subscriber));
    }

    /** Attaches and starts a subscription made for this channel (a subclass of the kernel's: {@link StartQueue}). */
    void subscribe(ChannelSubscription<T> s) {
        attach(s);
        s.start();
    }

    /**
     * Registers a consumer loop to be woken when items arrive (a subscription, an actor turn).
     * The loop takes items with {@link #pollItem()} and reports them with {@link #consumed(long)}.
     */
    public void attach(DeliveryLoop<?> loop) {
        LoopArray.add(SUBSCRIBERS, this, loop);
    }

    /**
     * The channel's subscription if it has exactly one, else {@code null}: for a producer that
     * delivers to it inline ({@link DeliveryLoop#acquireInline}), an actor stage to its output.
     */
    @SuppressWarnings("unchecked")
    public DeliveryLoop<T> soleSubscription() {
        return subscribers instanceof ChannelSubscription<?> s ? (DeliveryLoop<T>) s : null;
    }

    /** Removes a consumer loop registered with {@link #attach}. */
    public void detach(DeliveryLoop<?> loop) {
        if (!LoopArray.remove(SUBSCRIBERS, this, loop)) {
            return;
        }
        Object left = subscribers;
        if (left == null) {
            lastSubscriberLeft();
        } else if (left instanceof DeliveryLoop<?> one) {
            // From now on sends look only at the ring's IDLE bit (afterOffer). The one left may
            // sleep without having asked: a send's claim cleared the bit and woke the other loop.
            // Run it once: it either finds items or leaves the bit set when it sleeps again.
            one.schedule();
        }
    }

    /**
     * A subscription has finished (cancelled, failed in a signal, refused by its executor):
     * removes it, then passes on a wake-up it may have consumed. A producer wakes only one idle
     * subscriber per item (published()); if that one was cancelled before its loop ran, the item
     * would wait, while another subscriber with demand sits idle, until the next send or close.
     * Dekker pair with published(): the producer offers, fences, then skips this loop (its wip
     * never returns to 0 once finished); we detach (CAS), then read hasItem() in published().
     */
    void subscriptionLeft(DeliveryLoop<?> loop) {
        detach(loop);
        if (hasItem()) {
            published();
        }
    }

    /**
     * RS 2.6, 4.1: once the last subscriber has gone (cancelled, or failed in onNext), an
     * upstream that still feeds the channel would wait forever for demand; close the channel,
     * which cancels it. Buffered items stay available. No-op once closed or without upstream.
     */
    private void lastSubscriberLeft() {
        Upstream u = upstream;
        if (u != null && u != UPSTREAM_DONE) {
            close();
        }
    }

    private void wakeConsumers() {
        Waiter w;
        while ((w = poll(receiversIfAny())) != null) {
            if (w.signal(this)) {
                w.resume(null);
            }
        }
        LoopArray.scheduleAll(subscribers);
    }

    // ------------------------------------------------------------------ Flow.Subscriber

    @Override
    public void onSubscribe(Flow.Subscription s) {
        acceptUpstream(s);
    }

    /** {@link #onSubscribe}, telling whether {@code s} became the upstream ({@code false}: it was cancelled). */
    public boolean acceptUpstream(Flow.Subscription s) {
        Objects.requireNonNull(s, "subscription"); // RS 2.13
        Upstream u = new Upstream(s, window);
        if (!UPSTREAM.compareAndSet(this, null, u)) {
            s.cancel(); // RS 2.5: one upstream at a time (or closed already)
            return false;
        }
        if (capacity != Integer.MAX_VALUE) {
            drainUpstream(u); // asks for the free room (the whole window), computed inside the drain
        } else {
            requestUpstream(u, window);
        }
        return true;
    }

    @Override
    public void onNext(T item) {
        Objects.requireNonNull(item, "item"); // RS 2.13
        SendResult r = overflowCount() == 0 ? offer(item) : (state & CLOSED) != 0 ? SendResult.CLOSED : SendResult.FULL;
        if (r == SendResult.OK) {
            arrived();
            return;
        }
        if (r == SendResult.CLOSED) {
            if (onDrop != null) {
                onDrop.accept(item); // RS 2.8: after cancel items may still come; never lost silently
            }
            arrived();
            return;
        }
        // requested from upstream, so accepted even when the buffer is full
        Extras<T> e = extras();
        e.overflowed().offer(item);
        Extras.OVERFLOW_COUNT.getAndAdd(e, 1);
        arrived();
        published();
    }

    /**
     * An upstream item that its producer handed straight to this channel's consumer, which held
     * its consumer loop (an actor stage running its upstream's items inline): counted as arrived,
     * as {@link #onNext} would, without entering the buffer. The consumer reports it taken with
     * {@link #consumed} afterwards, as any other.
     */
    public void arrivedTaken() {
        arrived();
    }

    /**
     * Marks this channel's producer as one that delivers straight to an idle subscriber while it
     * can ({@link DeliveryLoop#acquireInline}: an actor stage's output). Its subscription loops
     * then leave as soon as they find nothing, instead of spinning for the next item, and a
     * request that finds nothing queued runs nothing ({@link DeliveryLoop#spinsWhenIdle}): the
     * producer delivers the next item itself, if it finds the loop idle. Call before subscribers come.
     */
    public void setInlineProducer() {
        inlineProducer = true;
    }

    boolean hasInlineProducer() {
        return inlineProducer;
    }

    /**
     * An upstream item is in the buffer or the overflow queue, or was handed to a receiver, or
     * dropped. Only now does it leave {@code outstanding}: counted neither there nor in the
     * buffer, it would make replenish() ask for one item too many. A consumer that counted it
     * twice meanwhile may have skipped asking; once nothing is outstanding nobody else would ask
     * (a rendezvous hand-off is never "consumed"), so ask here.
     */
    private void arrived() {
        if (capacity == Integer.MAX_VALUE) {
            return;
        }
        Upstream u = upstream;
        if (u == null || u == UPSTREAM_DONE) {
            return;
        }
        long a = u.arrived + 1L;
        Upstream.ARRIVED.setRelease(u, a);
        // asked only grows and was raised before the upstream was asked for this item, so this
        // reads at least a unless the upstream sent more than asked (RS 1.1; then ask again
        // anyway: the drain computes the real room); a value above a means more items are coming
        if (u.asked <= a) {
            replenish(u, 0L);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        Objects.requireNonNull(throwable, "throwable"); // RS 2.13
        UPSTREAM.setVolatile(this, UPSTREAM_DONE);
        fail(throwable);
    }

    @Override
    public void onComplete() {
        UPSTREAM.setVolatile(this, UPSTREAM_DONE);
        close();
    }

    /** Asks upstream for as many items as the channel has room for, in batches (75 % of the window). */
    private void replenish(Upstream u, long n) {
        if (u == UPSTREAM_DONE) {
            return;
        }
        if (capacity == Integer.MAX_VALUE) {
            long c = (long) Upstream.CREDIT.getAndAdd(u, n) + n;
            if (c >= u.limit) {
                long take = (long) Upstream.CREDIT.getAndSet(u, 0L);
                if (take > 0L) {
                    requestUpstream(u, take);
                }
            }
            return;
        }
        drainUpstream(u); // the free room is computed by the one thread that holds the upstream drain
    }

    /**
     * Inside the upstream drain only: how much more a bounded or rendezvous channel may ask for,
     * added to {@code asked}. Only this (serialised) code raises {@code asked}, and reading
     * {@code arrived} before the buffer's size can only under-count the room (an arrival in
     * between is then counted in both): never more than the free room is asked for.
     */
    private long freeRoom(Upstream u) {
        long out = u.asked - u.arrived;
        ChannelBuffer<T> q = buffer;
        long used = (q != null ? q.size() : 0) + overflowCount();
        long want = window - used - out;
        if (want <= 0L || (want < u.limit && out + used != 0L)) {
            return 0L;
        }
        Upstream.ASKED.setRelease(u, u.asked + want);
        return want;
    }

    /**
     * For a single-consumer channel whose consumer loop has ended (a mailbox, a stage's input):
     * hands whatever is still in it — items that raced with the end — to {@code sink}. Any thread
     * may call it; calls are serialised, so the single-consumer discipline holds.
     */
    public void drainRemaining(Consumer<? super T> sink) {
        Extras<T> e = extras();
        if ((int) Extras.REMAINDER_WIP.getAndAdd(e, 1) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            T v;
            while ((v = pollItem()) != null) {
                sink.accept(v);
            }
            missed = (int) Extras.REMAINDER_WIP.getAndAdd(e, -missed) - missed;
            if (missed == 0) {
                return;
            }
        }
    }

    /** RS 2.7: request() and cancel() on the upstream are serialised, whichever consumers call them. */
    private void requestUpstream(Upstream u, long n) {
        Demand.add(Upstream.PENDING, u, n);
        drainUpstream(u);
    }

    private void drainUpstream(Upstream u) {
        if ((int) Upstream.WIP.getAndAdd(u, 1) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            if (upstream != u) { // ended (it completed or failed) or cut off by close()
                if (u.cancel) {
                    u.cancel = false;
                    u.subscription.cancel();
                }
            } else {
                long n = (long) Upstream.PENDING.getAndSet(u, 0L);
                if (capacity != Integer.MAX_VALUE) {
                    n += freeRoom(u);
                }
                if (n > 0L) {
                    u.subscription.request(n);
                }
            }
            missed = (int) Upstream.WIP.getAndAdd(u, -missed) - missed;
            if (missed == 0) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ closing

    @Override
    public void close() {
        terminate(null);
    }

    @Override
    public boolean fail(Throwable error) {
        Objects.requireNonNull(error, "error");
        return terminate(error);
    }

    private boolean terminate(Throwable t) {
        if (t != null && !ERROR.compareAndSet(this, null, t)) {
            return false;
        }
        if (!StateWord.setUnless(STATE, this, t == null ? CLOSED : CLOSED | FAILED, CLOSED)) {
            return false;
        }
        Upstream u = (Upstream) UPSTREAM.getAndSet(this, UPSTREAM_DONE);
        if (u != null && u != UPSTREAM_DONE) {
            u.cancel = true;
            drainUpstream(u);
        }
        drainSenders();
        wakeConsumers();
        return true;
    }

    @Override
    public Sender<T> producer() {
        Extras.HANDLES.getAndAdd(extras(), 1);
        return new ProducerHandle<>(this);
    }

    void releaseHandle() {
        if ((int) Extras.HANDLES.getAndAdd(extras, -1) == 1) { // made by producer()
            close();
        }
    }

    /** The exception a blocking call throws on this closed channel (with the failure as cause, if any). */
    public ChannelClosedException closedException() {
        Throwable e = error();
        return new ChannelClosedException(e != null ? "channel failed: " + e : "channel closed", e);
    }

    private ChannelFullException fullException() {
        return new ChannelFullException("channel full (capacity " + capacity + ", overflow FAIL)");
    }

    // ------------------------------------------------------------------ queries

    @Override
    public boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    @Override
    public boolean isTerminated() {
        return isExhausted();
    }

    @Override
    public Throwable error() {
        return (state & FAILED) != 0 ? error : null;
    }

    @Override
    public int size() {
        ChannelBuffer<T> q = buffer;
        return q == null ? 0 : q.size();
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public Overflow overflow() {
        return overflow;
    }

    @Override
    public int subscriberCount() {
        return LoopArray.size(subscribers);
    }

    @Override
    public String toString() {
        String kind = capacity == 0 ? "rendezvous" : capacity == Integer.MAX_VALUE ? "unbounded" : "bounded(" + capacity + ")";
        return "Channel[" + kind + ", " + overflow + ", size=" + size() + ", subscribers=" + LoopArray.size(subscribers)
                + ((state & FAILED) != 0 ? ", failed" : (state & CLOSED) != 0 ? ", closed" : "") + "]";
    }

    /**
     * The channel's link to the publisher it subscribed to (the channel as a {@link Flow.Subscriber}),
     * made by onSubscribe: the demand bookkeeping lives here, not in every channel and mailbox.
     * See the implementation notes for who writes what.
     */
    /**
     * The parts of a channel that most channels never use, made on first use (so that an idle
     * mailbox is 24 bytes smaller): waiting senders and parked receivers (each queue made on
     * first use too), upstream items that did not fit and their count, the sender drain's and
     * the end drain's work counters, and the count of producer handles.
     */
    private static final class Extras<T> {
        volatile SenderQueue senders;
        volatile ConcurrentLinkedQueue<Waiter> receivers;
        volatile ConcurrentLinkedQueue<T> overflowed;
        volatile int overflowCount;
        volatile int senderWip;
        volatile int remainderWip;
        volatile int handles;

        SenderQueue senders() {
            SenderQueue q = senders;
            return q != null ? q : Lazy.get(SENDERS, this, SenderQueue::new);
        }

        ConcurrentLinkedQueue<Waiter> receivers() {
            ConcurrentLinkedQueue<Waiter> q = receivers;
            return q != null ? q : Lazy.get(RECEIVERS, this, ConcurrentLinkedQueue::new);
        }

        ConcurrentLinkedQueue<T> overflowed() {
            ConcurrentLinkedQueue<T> q = overflowed;
            return q != null ? q : Lazy.get(OVERFLOWED, this, ConcurrentLinkedQueue::new);
        }

        static final VarHandle SENDERS;
        static final VarHandle RECEIVERS;
        static final VarHandle OVERFLOWED;
        static final VarHandle OVERFLOW_COUNT;
        static final VarHandle SENDER_WIP;
        static final VarHandle REMAINDER_WIP;
        static final VarHandle HANDLES;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                SENDERS = l.findVarHandle(Extras.class, "senders", SenderQueue.class);
                RECEIVERS = l.findVarHandle(Extras.class, "receivers", ConcurrentLinkedQueue.class);
                OVERFLOWED = l.findVarHandle(Extras.class, "overflowed", ConcurrentLinkedQueue.class);
                OVERFLOW_COUNT = l.findVarHandle(Extras.class, "overflowCount", int.class);
                SENDER_WIP = l.findVarHandle(Extras.class, "senderWip", int.class);
                REMAINDER_WIP = l.findVarHandle(Extras.class, "remainderWip", int.class);
                HANDLES = l.findVarHandle(Extras.class, "handles", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private static final class Upstream {
        final Flow.Subscription subscription;
        /** Asks are batched: at least this much (75 % of the window) unless nothing is buffered or outstanding. */
        final long limit;
        volatile long asked;   // bounded and rendezvous: asked for in all (the upstream drain only)
        volatile long arrived; // bounded and rendezvous: arrived in all (onNext only)
        volatile long credit; // unbounded: consumed and not yet asked for again
        volatile long pending; // demand to pass on at the next drain
        volatile int wip;
        boolean cancel; // set by close() before its drain, read and cleared inside one

        Upstream(Flow.Subscription subscription, int window) {
            this.subscription = subscription;
            this.limit = window - (window >> 2);
        }

        static final VarHandle ASKED;
        static final VarHandle ARRIVED;
        static final VarHandle CREDIT;
        static final VarHandle PENDING;
        static final VarHandle WIP;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                ASKED = l.findVarHandle(Upstream.class, "asked", long.class);
                ARRIVED = l.findVarHandle(Upstream.class, "arrived", long.class);
                CREDIT = l.findVarHandle(Upstream.class, "credit", long.class);
                PENDING = l.findVarHandle(Upstream.class, "pending", long.class);
                WIP = l.findVarHandle(Upstream.class, "wip", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private static final VarHandle STATE;
    private static final VarHandle BUFFER;
    private static final VarHandle EXTRAS;
    private static final VarHandle ERROR;
    private static final VarHandle SUBSCRIBERS;
    private static final VarHandle UPSTREAM;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(BufferedChannel.class, "state", int.class);
            BUFFER = l.findVarHandle(BufferedChannel.class, "buffer", ChannelBuffer.class);
            EXTRAS = l.findVarHandle(BufferedChannel.class, "extras", Extras.class);
            ERROR = l.findVarHandle(BufferedChannel.class, "error", Throwable.class);
            SUBSCRIBERS = l.findVarHandle(BufferedChannel.class, "subscribers", Object.class);
            UPSTREAM = l.findVarHandle(BufferedChannel.class, "upstream", Upstream.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
