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
 *
 * @param <E> the item type
 */
public final class MpscRing<E> extends MpscRingPad3 implements ChannelBuffer<E> {

    /*
     * Implementation notes
     *
     * producerWord  — (claimed index << 1) | IDLE. Producers CAS it to claim index p (clearing
     *                 IDLE); consumers CAS IDLE in only when they saw claimed == consumed (empty).
     * producerLimit — a cached consumerIndex + capacity: producers read it on every offer and
     *                 refresh it (racy, any producer; a stale value is only lower) when the claim
     *                 reaches it, so the consumer's line is read once per lap, not per item.
     * consumerIndex — written only by the consumer of the moment (release store after it nulled
     *                 the slot), read by producers refreshing the limit and by isEmpty()/armIdle().
     * consumerLock  — sharedConsumers only: CAS 0 -> 1 by a consumer, release store 0 when done.
     *                 Consumers hand the index on through it (acquire/release), so each reads the
     *                 consumer index its predecessor wrote.
     * slots         — slot p & mask: written (release) by the producer that claimed p, only after
     *                 it saw consumerIndex > p - capacity, i.e. after the consumer nulled item
     *                 p - capacity (the consumer's null store precedes its index release store).
     *
     * No lost wake-up: a consumer that will sleep publishes its state (wip = 0, or a queued
     * waiter) with a full fence, then calls armIdle(), which reads producerWord and CASes IDLE
     * in only while claimed == consumed. A producer claims with a CAS (a full fence), then reads
     * the consumers' state. Either the consumer's read sees the claim (and does not sleep), or
     * the producer's CAS finds IDLE set (OK_WAKE) or reads the consumer's published state.
     */

    /** {@link #offer} result: the ring is full. */
    public static final int FULL = 0;
    /** {@link #offer} result: the item is in. */
    public static final int OK = 1;
    /** {@link #offer} result: the item is in, and a consumer had asked to be woken by it. */
    public static final int OK_WAKE = 2;

    static final long IDLE = 1L;

    private static final int LOCK_SPINS = 64;

    /**
     * @param capacity        a power of two, at least 2
     * @param sharedConsumers {@code true} if more than one thread may consume at a time
     */
    public MpscRing(int capacity, boolean sharedConsumers) {
        super(capacity, sharedConsumers);
        this.producerLimit = capacity;
        // A new ring asks to be woken: a consumer may have gone idle before the ring existed
        // (channels create their buffer on the first send).
        this.producerWord = IDLE;
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
            p = w >>> 1;
            if (p >= limit) {
                limit = (long) CONSUMER_INDEX.getAcquire(this) + capacity();
                if (p >= limit) {
                    return FULL;
                }
                PRODUCER_LIMIT.setOpaque(this, limit);
            }
            if (PRODUCER_WORD.compareAndSet(this, w, (p + 1L) << 1)) {
                break;
            }
        }
        SLOTS.setRelease(slots, (int) p & mask, item);
        return (w & IDLE) != 0L ? OK_WAKE : OK;
    }

    // ------------------------------------------------------------------ consumers

    /**
     * Takes the oldest item, or returns {@code null} if no slot is claimed. An item being written
     * is waited for. Without {@code sharedConsumers}, one thread at a time may call it.
     */
    @Override
    public E poll() {
        if (!sharedConsumers) {
            return poll0();
        }
        lockConsumers();
        try {
            return poll0();
        } finally {
            CONSUMER_LOCK.setRelease(this, 0);
        }
    }

    @SuppressWarnings("unchecked")
    private E poll0() {
        long c = (long) CONSUMER_INDEX.getAcquire(this); // written by us, or by the consumer before us (lock, or a loop's hand-off)
        int i = (int) c & mask;
        Object v = SLOTS.getAcquire(slots, i);
        if (v == null) {
            if (c == (long) PRODUCER_WORD.getVolatile(this) >>> 1) {
                return null;
            }
            v = awaitSlot(i); // claimed, being written
        }
        SLOTS.setOpaque(slots, i, null);
        CONSUMER_INDEX.setRelease(this, c + 1L);
        return (E) v;
    }

    private Object awaitSlot(int i) {
        Object v;
        for (int spins = 0; (v = SLOTS.getAcquire(slots, i)) == null; spins++) {
            if ((spins & (LOCK_SPINS - 1)) == LOCK_SPINS - 1) {
                Thread.yield(); // its producer lost its CPU between the claim and the write
            } else {
                Thread.onSpinWait();
            }
        }
        return v;
    }

    private void lockConsumers() {
        for (int spins = 0; !CONSUMER_LOCK.compareAndSet(this, 0, 1); spins++) {
            if ((spins & (LOCK_SPINS - 1)) == LOCK_SPINS - 1) {
                Thread.yield(); // the holder lost its CPU in a poll: a few instructions away
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** {@code true} if no slot is claimed (an item being written counts as present). */
    @Override
    public boolean isEmpty() {
        long c = (long) CONSUMER_INDEX.getVolatile(this);
        return ((long) PRODUCER_WORD.getVolatile(this) >>> 1) == c;
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

    @Override
    public long taken() {
        return (long) CONSUMER_INDEX.getVolatile(this);
    }

    /** Items claimed and not yet taken. */
    @Override
    public int size() {
        for (;;) {
            long c = (long) CONSUMER_INDEX.getVolatile(this);
            long p = (long) PRODUCER_WORD.getVolatile(this) >>> 1;
            if (c == (long) CONSUMER_INDEX.getVolatile(this)) {
                return (int) Math.max(0L, Math.min(p - c, capacity()));
            }
        }
    }

    /**
     * A consumer that is about to sleep asks to be woken by the next item: called after it
     * published that it sleeps (with a full fence). Sets {@link #IDLE} if the ring is empty.
     *
     * @return {@code true} if an item is there after all (do not sleep); {@code false} once the
     *         next claim will report {@link #OK_WAKE}
     */
    @Override
    public boolean armIdle() {
        for (;;) {
            long w = (long) PRODUCER_WORD.getVolatile(this);
            if ((w >>> 1) != (long) CONSUMER_INDEX.getVolatile(this)) {
                return true;
            }
            if ((w & IDLE) != 0L || PRODUCER_WORD.compareAndSet(this, w, w | IDLE)) {
                return false;
            }
        }
    }

    private static final VarHandle PRODUCER_WORD;
    private static final VarHandle PRODUCER_LIMIT;
    private static final VarHandle CONSUMER_INDEX;
    private static final VarHandle CONSUMER_LOCK;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PRODUCER_WORD = l.findVarHandle(MpscRingProducerWord.class, "producerWord", long.class);
            PRODUCER_LIMIT = l.findVarHandle(MpscRingProducerLimit.class, "producerLimit", long.class);
            CONSUMER_INDEX = l.findVarHandle(MpscRingConsumerFields.class, "consumerIndex", long.class);
            CONSUMER_LOCK = l.findVarHandle(MpscRingConsumerFields.class, "consumerLock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

// Padding by inheritance (HotSpot lays out a superclass's fields first): the read-only fields,
// the producer word, the producers' cached limit and the consumer's fields each sit apart, on
// their own pair of cache lines.

abstract class MpscRingFields {
    final Object[] slots;
    final int mask;
    final boolean sharedConsumers;

    MpscRingFields(int capacity, boolean sharedConsumers) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two >= 2, got " + capacity);
        }
        this.slots = new Object[capacity];
        this.mask = capacity - 1;
        this.sharedConsumers = sharedConsumers;
    }
}

@SuppressWarnings("unused")
abstract class MpscRingPad0 extends MpscRingFields {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;

    MpscRingPad0(int capacity, boolean sharedConsumers) {
        super(capacity, sharedConsumers);
    }
}

abstract class MpscRingProducerWord extends MpscRingPad0 {
    volatile long producerWord;

    MpscRingProducerWord(int capacity, boolean sharedConsumers) {
        super(capacity, sharedConsumers);
    }
}

@SuppressWarnings("unused")
abstract class MpscRingPad1 extends MpscRingProducerWord {
    long p10, p11, p12, p13, p14, p15, p16, p17, p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;

    MpscRingPad1(int capacity, boolean sharedConsumers) {
        super(capacity, sharedConsumers);
    }
}

abstract class MpscRingProducerLimit extends MpscRingPad1 {
    volatile long producerLimit;

    MpscRingProducerLimit(int capacity, boolean sharedConsumers) {
        super(capacity, sharedConsumers);
    }
}

@SuppressWarnings("unused")
abstract class MpscRingPad2 extends MpscRingProducerLimit {
    long p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p2a, p2b, p2c, p2d, p2e, p2f;

    MpscRingPad2(int capacity, boolean sharedConsumers) {
        super(capacity, sharedConsumers);
    }
}

abstract class MpscRingConsumerFields extends MpscRingPad2 {
    volatile long consumerIndex;
    volatile int consumerLock;

    MpscRingConsumerFields(int capacity, boolean sharedConsumers) {
        super(capacity, sharedConsumers);
    }
}

@SuppressWarnings("unused")
abstract class MpscRingPad3 extends MpscRingConsumerFields {
    long p30, p31, p32, p33, p34, p35, p36, p37, p38, p39, p3a, p3b, p3c, p3d, p3e, p3f;

    MpscRingPad3(int capacity, boolean sharedConsumers) {
        super(capacity, sharedConsumers);
    }
}
