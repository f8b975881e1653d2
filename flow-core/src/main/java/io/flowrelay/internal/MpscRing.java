package io.flowrelay.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The buffer of a bounded channel: a multi-producer ring of {@code capacity} slots (a power of
 * two) whose producer index also carries the consumers' request to be woken. Its design follows
 * JCTools' {@code MpscArrayQueue} (a CAS claims a slot, a release store publishes the item, the
 * consumer frees the slot with a release store of its index), with two differences that JCTools
 * cannot give us (ADR 0008):
 * <ul>
 *   <li><b>the wake-up bit.</b> A consumer that finds the ring empty and is about to sleep sets
 *       {@link #IDLE} in the producer word ({@link #armIdle()}); the next producer's claim CAS
 *       clears it and tells its caller ({@link #OK_WAKE}) to wake the consumer. So a send needs
 *       no full fence of its own to avoid a lost wake-up: the claim CAS is the fence, and a
 *       producer reads nothing the consumer writes unless the ring looks full;</li>
 *   <li><b>consumers are serialised.</b> With {@code sharedConsumers}, {@link #poll()} takes a
 *       small lock next to the consumer index, so that competing consumers (several subscribers,
 *       {@code receive()} callers, a {@code DROP_OLDEST} producer) can share a single-consumer
 *       ring; a lone consumer pays one uncontended CAS on a line only consumers touch.</li>
 * </ul>
 *
 * <p>Emptiness is counted in claims: an item whose slot is claimed but not yet written counts as
 * present ({@link #isEmpty()}, {@link #size()}), and {@link #poll()} waits for it to be written
 * (a few instructions, unless its producer lost its CPU in between, as in JCTools' MPSC queues).
 * The producer word, the consumer index and lock, and the accounting on them are
 * {@link MpscQueueBase}'s, shared with {@link MpscChunkQueue}.
 *
 * @param <E> the item type
 */
public final class MpscRing<E> extends MpscRingPad<E> {

    /*
     * Implementation notes (the producer word, the consumer index and lock, and why no wake-up is
     * lost: MpscQueueBase)
     *
     * producerLimit — a cached consumerIndex + capacity: producers read it on every offer and
     *                 refresh it (racy, any producer; a stale value is only lower) when the claim
     *                 reaches it, so the consumer's line is read once per lap, not per item.
     * slots         — slot p & mask: written (release) by the producer that claimed p, only after
     *                 it saw consumerIndex > p - capacity, i.e. after the consumer nulled item
     *                 p - capacity (the consumer's null store precedes its index release store).
     */

    /** {@link #offer} result: the ring is full. */
    public static final int FULL = 0;
    /** {@link #offer} result: the item is in. */
    public static final int OK = 1;
    /** {@link #offer} result: the item is in, and a consumer had asked to be woken by it. */
    public static final int OK_WAKE = 2;

    /**
     * @param capacity        a power of two, at least 2
     * @param sharedConsumers {@code true} if more than one thread may consume at a time
     */
    public MpscRing(int capacity, boolean sharedConsumers) {
        super(capacity, sharedConsumers);
        this.producerLimit = capacity;
    }

    /** The number of slots. */
    public int capacity() {
        return mask + 1;
    }

    // ------------------------------------------------------------------ producers (any thread)

    /**
     * Puts {@code item} in unless the ring is full.
     *
     * @return {@link #FULL}, {@link #OK} or {@link #OK_WAKE}
     */
    @Override
    public int offer(E item) {
        Objects.requireNonNull(item, "item");
        long limit = (long) PRODUCER_LIMIT.getOpaque(this);
        long w;
        long p;
        for (;;) {
            w = (long) PRODUCER_WORD.getVolatile(this);
            p = w >>> SHIFT;
            if (p >= limit) {
                limit = (long) CONSUMER_INDEX.getAcquire(this) + capacity();
                if (p >= limit) {
                    return FULL;
                }
                PRODUCER_LIMIT.setOpaque(this, limit);
            }
            if (PRODUCER_WORD.compareAndSet(this, w, (p + 1L) << SHIFT)) {
                break;
            }
        }
        SLOTS.setRelease(slots, (int) p & mask, item);
        return (w & IDLE) != 0L ? OK_WAKE : OK;
    }

    // ------------------------------------------------------------------ consumers

    @Override
    @SuppressWarnings("unchecked")
    E poll0(boolean ready) {
        long c = (long) CONSUMER_INDEX.getAcquire(this); // written by us, or by the consumer before us (lock, or a loop's hand-off)
        int i = (int) c & mask;
        Object v = itemAt(slots, i, c, ready);
        if (v == null) {
            return null;
        }
        SLOTS.setOpaque(slots, i, null);
        CONSUMER_INDEX.setRelease(this, c + 1L);
        return (E) v;
    }

    /**
     * {@code true} if the slot of the oldest item holds it: reads one slot and the consumer's own
     * index, not the producer word that every claim writes, so a consumer that spins on it
     * disturbs a producer only once per cache line of slots.
     */
    @Override
    public boolean isReady() {
        long c = (long) CONSUMER_INDEX.getAcquire(this);
        return SLOTS.getAcquire(slots, (int) c & mask) != null;
    }

    private static final VarHandle PRODUCER_LIMIT;

    static {
        try {
            PRODUCER_LIMIT = MethodHandles.lookup().findVarHandle(MpscRingFields.class, "producerLimit", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

// After MpscQueueBase's padded fields (the slots are its, beside the mask): the producers' cached
// limit on a line of its own (a producer that waits for room writes it often).

abstract class MpscRingFields<E> extends MpscQueueBase<E> {
    volatile long producerLimit;

    MpscRingFields(int capacity, boolean sharedConsumers) {
        super(capacity, "capacity", new Object[Math.max(capacity, 0)], sharedConsumers);
    }
}

@SuppressWarnings("unused")
abstract class MpscRingPad<E> extends MpscRingFields<E> {
    long p30, p31, p32, p33, p34, p35, p36, p37, p38, p39, p3a, p3b, p3c, p3d, p3e, p3f;

    MpscRingPad(int capacity, boolean sharedConsumers) {
        super(capacity, sharedConsumers);
    }
}
