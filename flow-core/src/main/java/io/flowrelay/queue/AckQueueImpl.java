package io.flowrelay.queue;

import io.flowrelay.channel.Overflow;
import io.flowrelay.internal.BufferedChannel;
import io.flowrelay.internal.DefaultExecutor;
import io.flowrelay.internal.StateWord;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * {@link AckQueue} on the kernel: visible jobs wait in an unbounded kernel channel whose
 * subscribers compete (so demand, delivery loops and completion are the channel's); deliveries
 * handed out sit in an in-flight set that the sweep scans for passed deadlines; dead letters go to
 * a second channel.
 *
 * @param <T> the payload type
 */
final class AckQueueImpl<T> implements AckQueue<T> {

    /*
     * Implementation notes
     *
     * ready     — the visible deliveries. Offered by enqueue() and by whoever makes a job visible
     *             again (nack, sweep); taken by the subscribers' delivery loops. Closed only at
     *             termination, when nothing is pending, so an offer to it never fails.
     * inFlight  — deliveries handed out (IN_FLIGHT) or nacked with a delay (DELAYED). Added by the
     *             tracking subscriber after the READY -> IN_FLIGHT CAS; removed by the winner of
     *             the CAS that ends the attempt (see Job). The sweep iterates it (weakly
     *             consistent: a delivery added during a sweep is seen by the next one).
     * pending   — jobs not yet acked or dead-lettered: +1 by enqueue (before it checks CLOSED),
     *             -1 by the settling CAS winner. CLOSED is set before close() reads pending, and
     *             enqueue adds before it reads CLOSED, so either close() sees the job or enqueue
     *             sees CLOSED and takes it back; whoever brings pending to 0 while CLOSED terminates.
     * state     — CLOSED | TERMINATED, each set once (StateWord).
     * lastId    — getAndAdd by enqueue.
     */

    private static final int CLOSED = 1;
    private static final int TERMINATED = 2;

    private final BufferedChannel<Delivery<T>> ready;
    private final BufferedChannel<DeadLetter<T>> dead;
    private final Flow.Publisher<DeadLetter<T>> deadLetters;
    private final Set<JobDelivery<T>> inFlight = ConcurrentHashMap.newKeySet();
    private final Executor executor;
    private final int batch;
    private final Duration visibility;
    private final long visibilityNanos;
    private final int maxAttempts;
    private final LongSupplier clock;
    private final SweepTask sweep;

    private final LongAdder acked = new LongAdder();
    private final LongAdder redelivered = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();

    private volatile long lastId;
    private volatile long pending;
    private volatile int state;

    AckQueueImpl(Builder<T> b) {
        this.executor = b.executor != null ? b.executor : DefaultExecutor.get();
        this.batch = b.batch;
        this.visibility = b.visibilityTimeout;
        this.visibilityNanos = b.visibilityTimeout.toNanos();
        this.maxAttempts = b.maxAttempts;
        this.clock = b.clock;
        this.ready = new BufferedChannel<>(Integer.MAX_VALUE, Overflow.BLOCK, null, executor, batch, 1, false);
        this.dead = new BufferedChannel<>(Integer.MAX_VALUE, Overflow.BLOCK, null, executor, batch, 1, false);
        this.deadLetters = dead::subscribe; // a view: nobody can send into it from outside
        long interval = b.sweepInterval != null ? b.sweepInterval.toNanos()
                : Math.max(10_000_000L, Math.min(1_000_000_000L, visibilityNanos / 10));
        this.sweep = interval > 0L ? SweepTask.schedule(this, b.timer, interval) : null;
    }

    // ------------------------------------------------------------------ producing

    @Override
    public long enqueue(T payload) {
        Objects.requireNonNull(payload, "payload");
        PENDING.getAndAdd(this, 1L);
        if ((state & CLOSED) != 0) {
            settled(); // take it back (see notes)
            throw new IllegalStateException("the queue is closed: no more jobs");
        }
        long id = (long) LAST_ID.getAndAdd(this, 1L) + 1L;
        ready.trySend(new JobDelivery<>(this, new Job<>(id, payload), 1)); // unbounded and open: OK
        return id;
    }

    // ------------------------------------------------------------------ consuming

    @Override
    public void subscribe(Flow.Subscriber<? super Delivery<T>> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
        if ((state & TERMINATED) != 0) {
            // RS 1.9: unable to serve: onSubscribe, then onError (from a channel that failed)
            BufferedChannel<Delivery<T>> failed = new BufferedChannel<>(2, Overflow.BLOCK, null, executor, batch, 1, true);
            failed.fail(new IllegalStateException("the queue is closed and every job is settled: nothing more to deliver"));
            failed.subscribe(subscriber);
            return;
        }
        ready.subscribe(new TrackingSubscriber<>(this, subscriber)); // raced with termination: onComplete
    }

    /** The tracking subscriber hands {@code d} to its consumer: the visibility timer starts. */
    void handedOver(JobDelivery<T> d) {
        d.deadline = clock.getAsLong() + visibilityNanos;
        if (d.job.casStamp(Job.stamp(d.attempt, Job.READY), Job.stamp(d.attempt, Job.IN_FLIGHT))) {
            inFlight.add(d);
        }
    }

    boolean ack(JobDelivery<T> d) {
        if (!d.job.casStamp(Job.stamp(d.attempt, Job.IN_FLIGHT), Job.stamp(d.attempt, Job.ACKED))) {
            return false; // stale: timed out, nacked or acked already
        }
        inFlight.remove(d);
        acked.increment();
        settled();
        return true;
    }

    boolean nack(JobDelivery<T> d, long delayNanos) {
        long current = Job.stamp(d.attempt, Job.IN_FLIGHT);
        if (d.job.stamp() != current) {
            return false;
        }
        if (delayNanos <= 0L || d.attempt >= maxAttempts) {
            return retryOrDie(d, current, DeadLetter.Reason.NACKED);
        }
        // benign race: if the CAS below loses (the sweep timed it out), d is stale and its deadline unused
        d.deadline = clock.getAsLong() + delayNanos;
        return d.job.casStamp(current, Job.stamp(d.attempt, Job.DELAYED));
    }

    /** Ends attempt {@code d} (phase IN_FLIGHT in {@code current}): next attempt, or dead letters after the last. */
    private boolean retryOrDie(JobDelivery<T> d, long current, DeadLetter.Reason reason) {
        Job<T> job = d.job;
        int a = d.attempt;
        if (a >= maxAttempts) {
            if (!job.casStamp(current, Job.stamp(a, Job.DEAD))) {
                return false;
            }
            inFlight.remove(d);
            deadLettered.increment();
            dead.trySend(new DeadLetter<>(job.id, job.payload, a, reason)); // before settled(): termination closes dead
            settled();
            return true;
        }
        if (!job.casStamp(current, Job.stamp(a + 1, Job.READY))) {
            return false;
        }
        inFlight.remove(d); // before the next delivery exists, which may enter the set again
        redeliver(job, a + 1);
        return true;
    }

    private void redeliver(Job<T> job, int attempt) {
        redelivered.increment();
        ready.trySend(new JobDelivery<>(this, job, attempt));
    }

    @Override
    public int expireNow() {
        long now = clock.getAsLong();
        int n = 0;
        for (JobDelivery<T> d : inFlight) {
            long s = d.job.stamp();
            if (d.deadline - now > 0L) {
                continue;
            }
            if (s == Job.stamp(d.attempt, Job.IN_FLIGHT)) {
                if (retryOrDie(d, s, DeadLetter.Reason.TIMED_OUT)) {
                    n++;
                }
            } else if (s == Job.stamp(d.attempt, Job.DELAYED)) {
                if (d.job.casStamp(s, Job.stamp(d.attempt + 1, Job.READY))) {
                    inFlight.remove(d);
                    redeliver(d.job, d.attempt + 1);
                    n++;
                }
            }
            // else: settled meanwhile; its winner removes it
        }
        return n;
    }

    // ------------------------------------------------------------------ closing

    private void settled() {
        if ((long) PENDING.getAndAdd(this, -1L) == 1L && (state & CLOSED) != 0) {
            terminate();
        }
    }

    @Override
    public void close() {
        if (StateWord.setOnce(STATE, this, CLOSED) && pending == 0L) {
            terminate();
        }
    }

    private void terminate() {
        if (StateWord.setOnce(STATE, this, TERMINATED)) {
            ready.close(); // empty: subscribers get onComplete
            dead.close(); // what is left is still delivered, then onComplete
            if (sweep != null) {
                sweep.cancel();
            }
        }
    }

    // ------------------------------------------------------------------ queries

    @Override
    public Flow.Publisher<DeadLetter<T>> deadLetters() {
        return deadLetters;
    }

    @Override
    public QueueStats stats() {
        return new QueueStats(lastId, acked.sum(), redelivered.sum(), deadLettered.sum(), pending, inFlight.size());
    }

    @Override
    public Duration visibilityTimeout() {
        return visibility;
    }

    @Override
    public int maxAttempts() {
        return maxAttempts;
    }

    @Override
    public boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    @Override
    public boolean isTerminated() {
        return (state & TERMINATED) != 0;
    }

    @Override
    public String toString() {
        return "AckQueue[" + stats() + (isTerminated() ? ", terminated" : isClosed() ? ", closed" : "") + "]";
    }

    private static final VarHandle LAST_ID;
    private static final VarHandle PENDING;
    private static final VarHandle STATE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LAST_ID = l.findVarHandle(AckQueueImpl.class, "lastId", long.class);
            PENDING = l.findVarHandle(AckQueueImpl.class, "pending", long.class);
            STATE = l.findVarHandle(AckQueueImpl.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
