package io.flowrelay.channel;

import io.flowrelay.internal.DeliveryLoop;
import io.flowrelay.internal.LoopArray;
import io.flowrelay.internal.PaddedTail;
import io.flowrelay.internal.SenderQueue;
import io.flowrelay.internal.Waiter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * {@link Broadcast} on one ring buffer: {@code capacity} slots, each with a sequence number, a
 * claim counter ({@code tail}) shared by the publishers, and one position per subscriber, each
 * subscriber served by the kernel's {@link DeliveryLoop}.
 *
 * @param <T> the item type
 */
final class RingBroadcast<T> extends PaddedTail implements Broadcast<T> {

    /*
     * Implementation notes
     *
     * tail       — (padded: every claim writes it, every subscriber reads the fields around it)
     *              the next position to claim, with the CLOSED (and FAILED) bits on top, and
     *              SLEEPING: a subscriber's loop went to sleep caught up and asks the next claim
     *              to wake it. Any publisher claims a position p by CAS tail p -> p + 1 (under
     *              HOLD only while p - gate < capacity), which clears SLEEPING; the publisher
     *              that cleared it wakes every idle loop after its write. close()/fail() CAS the
     *              bits in, after which no claim succeeds, so (tail & INDEX) is the end of the
     *              stream for every subscriber.
     * ring, seq  — slot p & mask holds item p once seq[slot] == p. Only the publisher that claimed
     *              p writes the slot, and only after seq[slot] == p - capacity (the previous lap
     *              is published: slot writes are ordered by lap even with many publishers). Under
     *              LAG it writes seq = p - 1 ("being written": a reader of p still sees "not yet",
     *              a reader of p - capacity sees it is lapped) and a store-store fence first; then
     *              (both policies) the item, then seq = p with release semantics. Under HOLD no
     *              reader can be at p - capacity (the gate), so the marker is not needed. A reader at c reads seq (acquire), the item
     *              (acquire), seq again: the item is item c only if both reads are c (a seqlock;
     *              capacity >= 2 keeps p - 1 distinct from p - capacity).
     *              Initially seq[i] = i - capacity: "lap -1 published".
     * position   — BroadcastSubscription's: only its delivery loop reads and writes it (and
     *              subscribe(), before start()). Positions it skipped (LAG) go to the
     *              subscriber, never silently.
     * cursor     — BroadcastSubscription's position as published to the publishers (release
     *              store after each batch, in onDelivered): a lower bound of what it still needs.
     * gate       — HOLD only: a cached (subscriber set, lower bound of their cursors). It is
     *              valid only while that very set (by identity) is current; publishers recompute it
     *              when the set changed or the bound is a ring behind (amortised: once per lap when
     *              the subscribers keep up). Written by any publisher (benign race: every Gate ever
     *              written is a true lower bound for its set's loops, cursors only grow; a set of
     *              one is the loop itself, which may be current again after another left: its
     *              bound still holds).
     * subscribers— copy-on-write (LoopArray), changed by subscribe() and a finished loop.
     * senders    — HOLD only: waiting send()/sendAsync() calls, FIFO; only the sender drain
     *              (senderWip) moves their items into the ring, or fails them on close.
     * error      — CAS null -> e by the first fail(), before it sets FAILED in tail.
     * lagged     — getAndAdd by loops that skipped positions.
     *
     * Joining without a gap (HOLD): subscribe() reads tail t0, sets cursor = t0, adds the loop
     * (CAS: full fence), re-reads tail t1 and starts at t1. A publisher that read the set
     * before the add read its tail before that too, so it claims p <= t1 and overwrites only
     * position p - capacity < t1; one that reads the set after the add gates on cursor >= t0.
     * Raising the cursor from t0 to t1 is progress like a delivery: it runs the sender drain.
     *
     * No lost wake-up: a loop leaves with a full-fence getAndAdd on wip, then reads tail: a claim
     * beyond its position means an item is coming (it goes on, and waits for the write); else it
     * CASes SLEEPING in (hasMoreBeforeLeaving). A publisher claims by CAS on tail (a full fence):
     * it either came first (and the loop sees the claim) or finds SLEEPING and, after its write,
     * reads every loop's wip (wakeIfIdle). So a publication needs no fence of its own, and reads
     * no subscriber's fields while they are all busy. Close sets tail (CAS), then schedules
     * every loop. Waiting senders: a sender
     * enqueues (CAS) and runs the sender drain; a loop publishes its cursor, fences, and drains
     * if it sees a sender; a loop that leaves drains after it left the array.
     */

    static final long CLOSED = 1L << 62;
    static final long FAILED = 1L << 61;
    static final long SLEEPING = 1L << 60;
    static final long INDEX = SLEEPING - 1L;

    private static final CompletionStage<Void> SENT = CompletableFuture.completedStage(null);

    private final Object[] ring;
    private final long[] seq;
    private final int mask;
    private final int capacity;
    private final Policy policy;
    private final boolean hold;
    final Executor executor;
    final int batch;
    private final SenderQueue senders = new SenderQueue();

    private volatile Throwable error;
    private volatile Object subscribers; // a LoopArray set: null, one loop or an array
    private volatile Gate gate;
    private volatile int senderWip;
    private volatile long lagged;
    private volatile boolean ended; // set once, after CLOSED is in tail (see isExhausted)

    /**
     * @param capacity at least 1, rounded up to a power of two, at least 2
     */
    RingBroadcast(int capacity, Policy policy, Executor executor, int batch) {
        if (capacity < 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("capacity must be in [1, 2^30], got " + capacity);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        int cap = Math.max(2, Integer.highestOneBit(capacity - 1) << 1);
        this.capacity = cap;
        this.mask = cap - 1;
        this.ring = new Object[cap];
        this.seq = new long[cap];
        for (int i = 0; i < cap; i++) {
            seq[i] = i - (long) cap;
        }
        this.policy = Objects.requireNonNull(policy, "policy");
        this.hold = policy == Policy.HOLD;
        this.executor = Objects.requireNonNull(executor, "executor");
        this.batch = batch;
        this.gate = new Gate(null, 0L);
    }

    // ------------------------------------------------------------------ sending

    @Override
    public SendResult trySend(T item) {
        Objects.requireNonNull(item, "item"); // RS 2.13
        return offer(item, false);
    }

    @Override
    public void send(T item) throws InterruptedException {
        Objects.requireNonNull(item, "item");
        SendResult r = offer(item, false);
        // a short wait, with yields: under HOLD the subscribers' loops need the CPU we would spin on
        for (int i = 0; r == SendResult.FULL && Waiter.backOff(i, false); i++) {
            if (Waiter.sendShouldLook(i, false)) {
                r = offer(item, false);
            }
        }
        if (r == SendResult.OK) {
            return;
        }
        if (r == SendResult.CLOSED) {
            throw closedException();
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

    @Override
    public CompletionStage<Void> sendAsync(T item) {
        Objects.requireNonNull(item, "item");
        SendResult r = offer(item, false);
        if (r == SendResult.OK) {
            return SENT;
        }
        if (r == SendResult.CLOSED) {
            return CompletableFuture.failedStage(closedException());
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        enqueueSender(Waiter.asyncSender(item, f));
        return f.minimalCompletionStage();
    }

    /**
     * Claims the next position and publishes {@code item} there, unless closed or (HOLD) a
     * subscriber is a whole ring behind. {@code fromDrain}: the sender drain may overtake the
     * waiting senders (it is moving their items); everybody else queues behind them (FIFO).
     */
    private SendResult offer(T item, boolean fromDrain) {
        for (;;) {
            long t = tail;
            if ((t & CLOSED) != 0L) {
                return SendResult.CLOSED;
            }
            long p = t & INDEX;
            if (hold && ((!fromDrain && !senders.isEmpty()) || p - gate(p) >= capacity)) {
                return SendResult.FULL;
            }
            if (TAIL.compareAndSet(this, t, p + 1L)) { // clears SLEEPING: this publisher wakes the sleepers
                write(p, item, (t & SLEEPING) != 0L);
                return SendResult.OK;
            }
        }
    }

    /**
     * HOLD: a lower bound of every subscriber's cursor (or {@code t} without subscribers). Reads
     * the subscriber set after the caller read {@code t} (see the joining note).
     */
    private long gate(long t) {
        Gate g = gate;
        Object subs = subscribers;
        if (g.subscribers == subs && t - g.min < capacity) {
            return g.min;
        }
        long m = t;
        for (int i = 0, n = LoopArray.size(subs); i < n; i++) {
            long c = ((BroadcastSubscription<?>) LoopArray.get(subs, i)).cursor;
            if (c < m) {
                m = c;
            }
        }
        if (g.subscribers != subs || g.min != m) {
            gate = new Gate(subs, m); // benign race: see the notes
        }
        return m;
    }

    /** Writes item {@code p} into its slot (seqlock order, see the notes); wakes idle subscribers if one asked. */
    private void write(long p, T item, boolean wake) {
        int i = (int) p & mask;
        long previous = p - capacity;
        if ((long) SEQ.getAcquire(seq, i) != previous) {
            awaitPreviousLap(i, previous);
        }
        if (!hold) {
            // LAG: a subscriber a lap behind may be reading this slot: mark it "being written"
            SEQ.setOpaque(seq, i, p - 1L);
            VarHandle.storeStoreFence();
        } // HOLD: no subscriber still needs p - capacity (the gate), so nobody reads the slot now
        RING.setOpaque(ring, i, item);
        SEQ.setRelease(seq, i, p);
        if (wake) {
            LoopArray.wakeAll(subscribers);
        }
    }

    /** Another publisher claimed the slot's previous lap and is still writing it: a few instructions away. */
    private void awaitPreviousLap(int i, long previous) {
        for (int spins = 0; (long) SEQ.getAcquire(seq, i) != previous; spins++) {
            if (spins < Waiter.SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // it was descheduled between its claim and its write
            }
        }
    }

    private void enqueueSender(Waiter w) {
        senders.offer(w);
        drainSenders();
    }

    /** The sender drain, serialised by senderWip: moves waiting items into the ring in FIFO order, or fails them once closed. */
    private void drainSenders() {
        if ((int) SENDER_WIP.getAndAdd(this, 1) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            if ((tail & CLOSED) != 0L) {
                failSenders();
            } else {
                transferSenders();
            }
            missed = (int) SENDER_WIP.getAndAdd(this, -missed) - missed;
            if (missed == 0) {
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void transferSenders() {
        Waiter w;
        while ((w = senders.peek()) != null) {
            if (!w.casState(Waiter.WAITING, Waiter.CLAIMED)) {
                senders.poll(); // the owner gave up (interrupt)
                continue;
            }
            if (offer((T) w.item(), true) != SendResult.OK) {
                w.setState(Waiter.WAITING); // full (or closed: close() runs this drain again)
                return;
            }
            senders.poll();
            w.item(null);
            w.setState(Waiter.DONE);
            w.resume(null);
        }
    }

    private void failSenders() {
        Waiter w;
        while ((w = senders.poll()) != null) {
            if (w.casState(Waiter.WAITING, Waiter.FAILED)) {
                w.item(null);
                w.resume(w.isAsync() ? closedException() : null);
            }
        }
    }

    /** HOLD: after a subscriber advanced its cursor or left (and a full fence), let waiting senders in. */
    void progressed() {
        if (!senders.isEmpty()) {
            drainSenders();
        }
    }

    // ------------------------------------------------------------------ subscribing

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
        BroadcastSubscription<T> s = new BroadcastSubscription<>(this, subscriber, tail & INDEX);
        LoopArray.add(SUBSCRIBERS, this, s);
        s.startAt(tail & INDEX); // see the joining note; a closed broadcast: the end, so it terminates at once
        if (hold) {
            // the cursor moved up from t0: a sender that found the ring full against t0 may fit now,
            // and no delivery may ever come to tell it (everybody else may be caught up)
            VarHandle.fullFence();
            progressed();
        }
        s.start();
    }

    void detach(BroadcastSubscription<T> s) {
        if (LoopArray.remove(SUBSCRIBERS, this, s) && hold) {
            VarHandle.fullFence();
            progressed(); // the gate may have moved up
        }
    }

    // ------------------------------------------------------------------ closing

    @Override
    public void close() {
        terminate(CLOSED);
    }

    @Override
    public boolean fail(Throwable error) {
        Objects.requireNonNull(error, "error");
        return ERROR.compareAndSet(this, null, error) && terminate(CLOSED | FAILED);
    }

    private boolean terminate(long bits) {
        for (;;) {
            long t = tail;
            if ((t & CLOSED) != 0L) {
                return false;
            }
            if (TAIL.compareAndSet(this, t, t | bits)) {
                break;
            }
        }
        ended = true; // before the loops are scheduled: they look here before they read tail
        drainSenders();
        LoopArray.scheduleAll(subscribers); // RS 1.4: the end needs no demand
        return true;
    }

    private ChannelClosedException closedException() {
        Throwable e = error();
        return new ChannelClosedException(e != null ? "broadcast failed: " + e : "broadcast closed", e);
    }

    // ------------------------------------------------------------------ queries

    @Override
    public boolean isClosed() {
        return (tail & CLOSED) != 0L;
    }

    @Override
    public Throwable error() {
        return (tail & FAILED) != 0L ? error : null;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public Policy policy() {
        return policy;
    }

    @Override
    public int subscriberCount() {
        return LoopArray.size(subscribers);
    }

    @Override
    public long published() {
        return tail & INDEX;
    }

    @Override
    public long laggedCount() {
        return lagged;
    }

    @Override
    public String toString() {
        long t = tail;
        return "Broadcast[" + policy + ", capacity=" + capacity + ", published=" + (t & INDEX) + ", subscribers="
                + LoopArray.size(subscribers) + ((t & FAILED) != 0L ? ", failed" : (t & CLOSED) != 0L ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ per subscriber

    /** A cached lower bound {@code min} of the cursors of exactly the subscribers in {@code subscribers}. */
    private static final class Gate {
        final Object subscribers; // a LoopArray set: compared by identity
        final long min;

        Gate(Object subscribers, long min) {
            this.subscribers = subscribers;
            this.min = min;
        }
    }

    /**
     * One subscriber (a {@link BroadcastSubscription}): the kernel's delivery loop reading the ring
     * at its own position. Under LAG, a subscriber that implements {@link LagListener} is wrapped
     * in a {@link LagNotifier}.
     */
    abstract static sealed class BroadcastLoop<T> extends DeliveryLoop<T> permits BroadcastSubscription {

        private final RingBroadcast<T> parent;
        private LagNotifier<T> notifier; // LAG and a LagListener: gets the skipped counts; dropped at the end
        private long position;           // loop thread only (see the notes)
        private Throwable lagError;      // loop thread only: set when a non-listener lagged
        volatile long cursor;

        BroadcastLoop(RingBroadcast<T> parent, Flow.Subscriber<? super T> subscriber, long start) {
            this(parent, parent.hold || !(subscriber instanceof LagListener) ? null : new LagNotifier<>(subscriber), subscriber, start);
        }

        private BroadcastLoop(RingBroadcast<T> parent, LagNotifier<T> notifier, Flow.Subscriber<? super T> subscriber, long start) {
            super(notifier != null ? notifier : subscriber, parent.executor, parent.batch);
            this.parent = parent;
            this.notifier = notifier;
            this.position = start;
            this.cursor = start;
        }

        /** Before start(): the position the subscriber begins at (a cursor that only grows). */
        void startAt(long p) {
            position = p;
            CURSOR.setRelease(this, p);
        }

        @Override
        @SuppressWarnings("unchecked")
        protected T pollNext() {
            if (lagError != null) {
                return null;
            }
            RingBroadcast<T> b = parent;
            for (;;) {
                long c = position;
                int i = (int) c & b.mask;
                long s = (long) SEQ.getAcquire(b.seq, i);
                if (s == c) {
                    Object v = RING.getAcquire(b.ring, i);
                    // HOLD: nobody overwrites a slot this subscriber still needs (the gate), so
                    // the item read after seq == c is item c; LAG: read seq again (seqlock)
                    if (b.hold || (long) SEQ.getAcquire(b.seq, i) == c) {
                        position = c + 1L;
                        return (T) v;
                    }
                    continue; // overwritten while we read it: lapped (below)
                }
                if (s < c) {
                    return null; // not published yet
                }
                // s > c: a publisher a whole ring ahead overwrote (or is overwriting) position c
                long next = Math.max(c + 1L, (b.tail & INDEX) - b.capacity);
                long missed = next - c;
                position = next;
                LAGGED.getAndAdd(b, missed);
                LagNotifier<T> n = notifier;
                if (n == null) {
                    lagError = new LaggedException(missed); // never a silent gap
                    return null;
                }
                n.pending += missed; // told before the next item
            }
        }

        @Override
        protected boolean hasMore() {
            long c = position;
            return lagError == null && (long) SEQ.getAcquire(parent.seq, (int) c & parent.mask) >= c;
        }

        /** Several subscribers read the ring's lines: an idle spin looks at it rarely (DeliveryLoop.idleSpin). */
        @Override
        protected boolean readByMany() {
            return LoopArray.isMany(parent.subscribers);
        }

        /** Caught up and about to sleep: asks the next claim to wake it (see the notes), unless one is there. */
        @Override
        protected boolean hasMoreBeforeLeaving() {
            if (lagError != null) {
                return true; // the loop goes on to deliver the error
            }
            RingBroadcast<T> b = parent;
            for (;;) {
                long t = b.tail;
                if ((t & CLOSED) != 0L || (t & INDEX) != position) {
                    return true;
                }
                if ((t & SLEEPING) != 0L || TAIL.compareAndSet(b, t, t | SLEEPING)) {
                    return false;
                }
            }
        }

        @Override
        protected boolean isExhausted() {
            if (lagError != null) {
                return true;
            }
            if (!parent.ended) {
                return false; // tail is the publisher's hottest line: read it only once closed
            }
            long t = parent.tail; // the end flag and the end together
            return (t & CLOSED) != 0L && position == (t & INDEX);
        }

        @Override
        protected Throwable terminalError() {
            return lagError != null ? lagError : parent.error();
        }

        @Override
        protected void onDelivered(long n) {
            CURSOR.setRelease(this, position);
            if (parent.hold) {
                VarHandle.fullFence();
                parent.progressed();
            }
        }

        @Override
        protected void onFinished() {
            notifier = null; // RS 3.13
            parent.detach((BroadcastSubscription<T>) this);
        }
    }

    /**
     * A {@link BroadcastLoop} with 128 bytes of padding after its fields. Its loop writes its
     * position per item and its demand, wip and cursor per batch, and reads the rest per item; the
     * subscriptions of one broadcast are made one after another (and the collector copies them
     * together, from the subscriber array), so without the padding two of them share a cache line,
     * and two pool threads serving neighbours trade it on every item (like the JDK's
     * {@code @Contended} SubmissionPublisher subscription). Only the end is padded: once the
     * collector has put the subscriptions side by side, the one before ours ends in its padding;
     * before that, what precedes ours is whatever was allocated before it (the last set array).
     */
    @SuppressWarnings("unused")
    static final class BroadcastSubscription<T> extends BroadcastLoop<T> {
        private long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;

        BroadcastSubscription(RingBroadcast<T> parent, Flow.Subscriber<? super T> subscriber, long start) {
            super(parent, subscriber, start);
        }
    }

    /**
     * Under LAG, stands between the loop and a subscriber that implements {@link LagListener}:
     * the skipped count goes to {@code onLagged} right before the next item, inside the loop's
     * {@code onNext} call, so a throwing listener is handled like a throwing {@code onNext}.
     */
    private static final class LagNotifier<T> implements Flow.Subscriber<T> {
        private final Flow.Subscriber<? super T> actual;
        long pending; // the loop's thread only

        LagNotifier(Flow.Subscriber<? super T> actual) {
            this.actual = actual;
        }

        private void flush() {
            long m = pending;
            if (m != 0L) {
                pending = 0L;
                ((LagListener) actual).onLagged(m);
            }
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            actual.onSubscribe(s);
        }

        @Override
        public void onNext(T item) {
            flush();
            actual.onNext(item);
        }

        @Override
        public void onError(Throwable t) {
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }
    }

    private static final VarHandle TAIL;
    private static final VarHandle ERROR;
    private static final VarHandle SUBSCRIBERS;
    private static final VarHandle SENDER_WIP;
    private static final VarHandle LAGGED;
    private static final VarHandle CURSOR;
    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle RING = MethodHandles.arrayElementVarHandle(Object[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(PaddedTail.class, "tail", long.class);
            ERROR = l.findVarHandle(RingBroadcast.class, "error", Throwable.class);
            SUBSCRIBERS = l.findVarHandle(RingBroadcast.class, "subscribers", Object.class);
            SENDER_WIP = l.findVarHandle(RingBroadcast.class, "senderWip", int.class);
            LAGGED = l.findVarHandle(RingBroadcast.class, "lagged", long.class);
            CURSOR = l.findVarHandle(BroadcastLoop.class, "cursor", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
