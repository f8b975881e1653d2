package io.flowrelay.queue;

import org.jctools.queues.atomic.MpmcAtomicArrayQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Effectively-once processing on top of an at-least-once {@link AckQueue}: wraps a handler, runs
 * it at most once per job id among the ids it remembers, and settles each delivery itself (ack on
 * success, nack on failure). A redelivery of a job that was already processed — its first consumer
 * finished, but acked too late (after the visibility timeout) — is acked without running the
 * handler again.
 *
 * <pre>{@code
 * IdempotentConsumer<Order> once = IdempotentConsumer.of(100_000, d -> charge(d.payload()));
 * // one instance shared by every worker of the queue:
 * public void onNext(Delivery<Order> d) {
 *     once.handle(d);            // PROCESSED, DUPLICATE, IN_PROGRESS or FAILED; settled either way
 *     subscription.request(1);
 * }
 * }</pre>
 *
 * <p>What it does per delivery:
 * <ul>
 *   <li>id not seen (or forgotten): runs the handler; then acks ({@link Outcome#PROCESSED}), or,
 *       if the handler threw, nacks and forgets the id so that a retry runs it again
 *       ({@link Outcome#FAILED});</li>
 *   <li>id processed: acks without running the handler ({@link Outcome#DUPLICATE});</li>
 *   <li>id being processed by another call right now (its first delivery timed out while the
 *       handler ran): leaves the delivery to that call, which acks it when the handler returns, or
 *       nacks it if the handler throws ({@link Outcome#IN_PROGRESS}).</li>
 * </ul>
 *
 * <p>Limits — what "effectively once" does not cover:
 * <ul>
 *   <li>memory is bounded: it remembers the last {@code window} processed ids (rounded up to a
 *       power of two); a redelivery of an id forgotten since is processed again. Size the window
 *       to cover the ids processed within a few visibility timeouts;</li>
 *   <li>it is in memory and per instance: share one instance among all consumers of a queue (ids
 *       are unique per queue only); it does not survive a restart, and does not span processes;</li>
 *   <li>the handler's side effects are not transactional with the "processed" mark: a handler
 *       that throws after a partial side effect is run again on the retry;</li>
 *   <li>an IN_PROGRESS delivery stays unacked until the first call ends; if that takes longer
 *       than the remaining attempts' timeouts, the job can reach the dead letters even though the
 *       handler eventually succeeds.</li>
 * </ul>
 *
 * <p>Threading: thread-safe; the handler runs on the calling thread, concurrently for different
 * ids, never concurrently for one id.
 *
 * @param <T> the payload type
 */
public final class IdempotentConsumer<T> implements Consumer<Delivery<T>> {

    /*
     * Implementation notes
     *
     * claims — id -> Claim; putIfAbsent by the first call for an id (it owns the claim and runs
     *          the handler). Removed on failure by the owner, or when the id leaves the window.
     * Claim.state — RUNNING, or the latest duplicate Delivery that arrived while running, then
     *          DONE or RELEASED (final). Duplicates CAS themselves in; the owner getAndSets the
     *          final state and settles the duplicate it finds, so a duplicate is settled exactly
     *          once: by itself (it saw DONE) or by the owner (it got in before).
     * done   — ids of DONE claims, oldest first (MPMC: any owner offers, any owner evicts).
     */

    /** What {@link #handle(Delivery)} did. */
    public enum Outcome {
        /** The handler ran and returned; the delivery was acked. */
        PROCESSED,
        /** The id was processed before; the delivery was acked, the handler not run. */
        DUPLICATE,
        /** The id is being processed by another call, which will settle this delivery too. */
        IN_PROGRESS,
        /** The handler threw; the delivery was nacked and the id forgotten. */
        FAILED
    }

    /** The work to do once per job. It must not ack or nack the delivery itself. */
    @FunctionalInterface
    public interface Handler<T> {
        void handle(Delivery<T> delivery) throws Exception;
    }

    private static final Object RUNNING = new Object();
    private static final Object DONE = new Object();
    private static final Object RELEASED = new Object();

    private final Handler<T> handler;
    private final int window;
    private final ConcurrentHashMap<Long, Claim> claims = new ConcurrentHashMap<>();
    private final MpmcAtomicArrayQueue<Long> done;
    private final LongAdder processed = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder failures = new LongAdder();

    private IdempotentConsumer(int window, Handler<T> handler) {
        this.done = new MpmcAtomicArrayQueue<>(Math.max(2, window));
        this.window = done.capacity();
        this.handler = handler;
    }

    /**
     * A consumer that remembers at least the last {@code window} processed ids.
     *
     * @throws IllegalArgumentException unless {@code 1 <= window <= 2^30}
     */
    public static <T> IdempotentConsumer<T> of(int window, Handler<T> handler) {
        if (window < 1 || window > (1 << 30)) {
            throw new IllegalArgumentException("window must be in [1, 2^30], got " + window);
        }
        return new IdempotentConsumer<>(window, Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Processes {@code delivery} once per id and settles it (see the class comment). An
     * {@link Error} thrown by the handler is rethrown after the delivery was nacked.
     */
    public Outcome handle(Delivery<T> delivery) {
        Long id = delivery.id();
        Claim mine = new Claim();
        for (;;) {
            Claim c = claims.putIfAbsent(id, mine);
            if (c == null) {
                return run(id, mine, delivery);
            }
            Object s = c.state;
            if (s == DONE) {
                delivery.ack(); // false if stale: then nothing of ours is current anyway
                duplicates.increment();
                return Outcome.DUPLICATE;
            }
            if (s == RELEASED) {
                claims.remove(id, c); // its owner failed: claim the id anew
                continue;
            }
            if (c.cas(s, delivery)) { // RUNNING or an older duplicate (stale now): we are the latest
                duplicates.increment();
                return Outcome.IN_PROGRESS;
            }
        }
    }

    private Outcome run(Long id, Claim mine, Delivery<T> delivery) {
        try {
            handler.handle(delivery);
        } catch (Throwable t) {
            claims.remove(id, mine);
            Object dup = mine.getAndSet(RELEASED);
            delivery.nack();
            if (dup instanceof Delivery<?> d) {
                d.nack(); // the current attempt, most likely: retry it now
            }
            failures.increment();
            if (t instanceof Error e) {
                throw e;
            }
            return Outcome.FAILED;
        }
        Object dup = mine.getAndSet(DONE);
        remember(id);
        delivery.ack(); // false if it timed out meanwhile: then the duplicate below is the current one
        if (dup instanceof Delivery<?> d) {
            d.ack();
        }
        processed.increment();
        return Outcome.PROCESSED;
    }

    /** Adds a processed id to the window, forgetting the oldest one if it is full. */
    private void remember(Long id) {
        while (!done.offer(id)) {
            Long oldest = done.poll();
            if (oldest != null) {
                claims.remove(oldest);
            }
        }
    }

    /** Same as {@link #handle(Delivery)}. */
    @Override
    public void accept(Delivery<T> delivery) {
        handle(delivery);
    }

    /** {@code true} if {@code id} was processed and is still remembered. */
    public boolean isProcessed(long id) {
        Claim c = claims.get(id);
        return c != null && c.state == DONE;
    }

    /** Ids remembered at most: the window, rounded up to a power of two. */
    public int window() {
        return window;
    }

    /** Deliveries whose handler ran and returned. */
    public long processed() {
        return processed.sum();
    }

    /** Deliveries of ids processed or in progress that did not run the handler. */
    public long duplicates() {
        return duplicates.sum();
    }

    /** Deliveries whose handler threw. */
    public long failures() {
        return failures.sum();
    }

    @Override
    public String toString() {
        return "IdempotentConsumer[window=" + window + ", processed=" + processed.sum() + ", duplicates=" + duplicates.sum()
                + ", failures=" + failures.sum() + "]";
    }

    /** The claim of one id; see the implementation notes. */
    private static final class Claim {
        volatile Object state = RUNNING;

        boolean cas(Object expect, Object update) {
            return STATE.compareAndSet(this, expect, update);
        }

        Object getAndSet(Object update) {
            return STATE.getAndSet(this, update);
        }

        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Claim.class, "state", Object.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }
}
