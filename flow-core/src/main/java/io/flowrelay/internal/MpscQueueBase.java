package io.flowrelay.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What {@link MpscRing} and {@link MpscChunkQueue} share (ADR 0008): the producer word, whose
 * claimed index also carries a consumer's request to be woken ({@link #IDLE}); the consumer
 * index; the small lock that lets competing consumers share a single-consumer queue; and the
 * accounting built on those two indexes ({@link #isEmpty()}, {@link #size()}, {@link #armIdle()}).
 * Each subclass claims indexes and stores items its own way.
 *
 * @param <E> the item type
 */
abstract class MpscQueueBase<E> extends MpscQueueBasePad2 implements ChannelBuffer<E> {

    /*
     * Implementation notes
     *
     * producerWord  — (claimed index << SHIFT) | bit 1 (the subclass's: MpscChunkQueue's LINKING)
     *                 | IDLE. Producers CAS it to claim an index (clearing IDLE); consumers CAS
     *                 IDLE in only when claimed == consumed (armIdle).
     * consumerIndex — written only by the consumer of the moment (release store after it took
     *                 the item), read by producers and by isEmpty()/size()/armIdle().
     * consumerLock  — sharedConsumers only: CAS 0 -> 1 by a consumer, release store 0 when done.
     *                 Consumers hand the index (and the subclass's consumer state) on through it.
     *
     * No lost wake-up: a consumer that will sleep publishes its state (wip = 0, or a queued
     * waiter) with a full fence, then calls armIdle(), which reads producerWord and CASes IDLE
     * in only while claimed == consumed. A producer claims with a CAS (a full fence), then reads
     * the consumers' state. Either the consumer's read sees the claim (and does not sleep), or
     * the producer's CAS finds IDLE set (OK_WAKE) or reads the consumer's published state.
     */

    static final long IDLE = 1L;
    static final int SHIFT = 2;

    private static final int SPINS = 64;

    /**
     * @param size            slots (of the ring, or of each chunk): a power of two, at least 2
     * @param what            what {@code size} is, for the error message
     * @param slots           a ring's slots (read-only, beside the mask), or {@code null}
     * @param sharedConsumers {@code true} if more than one thread may consume at a time
     */
    MpscQueueBase(int size, String what, Object[] slots, boolean sharedConsumers) {
        super(size, what, slots, sharedConsumers);
        // A new queue asks to be woken: a consumer may have gone idle before the queue existed
        // (channels create their buffer on the first send).
        this.producerWord = IDLE;
    }

    /**
     * Takes the oldest item, or returns {@code null} if no index is claimed. An item being written
     * is waited for. Without {@code sharedConsumers}, one thread at a time may call it.
     */
    @Override
    public final E poll() {
        return take(false);
    }

    @Override
    public final E pollReady() {
        return take(true);
    }

    /** poll() ({@code ready} false) or pollReady(), through the consumer lock when consumers compete. */
    private E take(boolean ready) {
        if (!sharedConsumers) {
            return poll0(ready);
        }
        for (int spins = 0; !CONSUMER_LOCK.compareAndSet(this, 0, 1); spins++) {
            pause(spins); // the holder is a few instructions from letting go, unless it lost its CPU
        }
        try {
            return poll0(ready);
        } finally {
            CONSUMER_LOCK.setRelease(this, 0);
        }
    }

    @Override
    public final void awaitReady() {
        for (int spins = 0; !isReady() && !isEmpty(); spins++) {
            pause(spins);
        }
    }

    /** {@link #poll()} for the one consumer of the moment; {@code ready}: {@link #pollReady()}'s. */
    abstract E poll0(boolean ready);

    /**
     * The item in {@code array[i]}, the slot of consumer index {@code c}, or {@code null} if no
     * producer has claimed {@code c}. An item whose index is claimed but not yet written is waited
     * for, unless {@code ready} ({@link #pollReady()}): then {@code null} as soon as the slot is.
     */
    final Object itemAt(Object[] array, int i, long c, boolean ready) {
        Object v = SLOTS.getAcquire(array, i);
        if (v == null) {
            if (ready) {
                return null;
            }
            if (c == (long) PRODUCER_WORD.getVolatile(this) >>> SHIFT) {
                return null;
            }
            for (int spins = 0; (v = SLOTS.getAcquire(array, i)) == null; spins++) {
                pause(spins); // claimed, being written
            }
        }
        return v;
    }

    /**
     * The wait of a few instructions (an item claimed but not yet written, a competing consumer's
     * poll, a chunk being linked): spins, and yields now and then in case the thread we wait for
     * lost its CPU.
     */
    static void pause(int spins) {
        if ((spins & (SPINS - 1)) == SPINS - 1) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }

    /** {@code true} if no index is claimed (an item being written counts as present). */
    @Override
    public final boolean isEmpty() {
        long c = (long) CONSUMER_INDEX.getVolatile(this);
        return ((long) PRODUCER_WORD.getVolatile(this) >>> SHIFT) == c;
    }

    @Override
    public final long taken() {
        return (long) CONSUMER_INDEX.getVolatile(this);
    }

    /** Items claimed and not yet taken. */
    @Override
    public final int size() {
        for (;;) {
            long c = (long) CONSUMER_INDEX.getVolatile(this);
            long p = (long) PRODUCER_WORD.getVolatile(this) >>> SHIFT;
            if (c == (long) CONSUMER_INDEX.getVolatile(this)) {
                return (int) Math.max(0L, Math.min(p - c, Integer.MAX_VALUE));
            }
        }
    }

    /**
     * A consumer that is about to sleep asks to be woken by the next item: called after it
     * published that it sleeps (with a full fence). Sets {@link #IDLE} if the queue is empty.
     *
     * @return {@code true} if an item is there after all (do not sleep); {@code false} once the
     *         next claim will report {@link MpscRing#OK_WAKE}
     */
    @Override
    public final boolean armIdle() {
        for (;;) {
            long w = (long) PRODUCER_WORD.getVolatile(this);
            if ((w >>> SHIFT) != (long) CONSUMER_INDEX.getVolatile(this)) {
                return true;
            }
            if ((w & IDLE) != 0L || PRODUCER_WORD.compareAndSet(this, w, w | IDLE)) {
                return false;
            }
        }
    }

    static final VarHandle PRODUCER_WORD;
    static final VarHandle CONSUMER_INDEX;
    static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle CONSUMER_LOCK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PRODUCER_WORD = l.findVarHandle(MpscQueueBaseProducerWord.class, "producerWord", long.class);
            CONSUMER_INDEX = l.findVarHandle(MpscQueueBaseConsumerFields.class, "consumerIndex", long.class);
            CONSUMER_LOCK = l.findVarHandle(MpscQueueBaseConsumerFields.class, "consumerLock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

// Padding by inheritance (HotSpot lays out a superclass's fields first): the object header (read
// by every type check of the queue) with the read-only fields, the producer word and the
// consumers' fields each sit apart, on their own pair of cache lines; a subclass's fields come
// after the last pad. The first class fills the header's line exactly (12 + 3 x 4 bytes, with
// compressed oops and class pointers), because JDK 15+ puts a subclass's field into any gap a
// superclass leaves: a hole there would draw a hot field (the consumer lock) onto the line that
// every producer reads.

@SuppressWarnings("unused")
abstract class MpscQueueBaseFields {
    final int mask;
    final Object[] slots;
    private int filler;

    MpscQueueBaseFields(int size, String what, Object[] slots) {
        if (size < 2 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException(what + " must be a power of two >= 2, got " + size);
        }
        this.mask = size - 1;
        this.slots = slots;
    }
}

@SuppressWarnings("unused")
abstract class MpscQueueBasePad0 extends MpscQueueBaseFields {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;

    MpscQueueBasePad0(int size, String what, Object[] slots) {
        super(size, what, slots);
    }
}

abstract class MpscQueueBaseProducerWord extends MpscQueueBasePad0 {
    volatile long producerWord;

    MpscQueueBaseProducerWord(int size, String what, Object[] slots) {
        super(size, what, slots);
    }
}

@SuppressWarnings("unused")
abstract class MpscQueueBasePad1 extends MpscQueueBaseProducerWord {
    long p10, p11, p12, p13, p14, p15, p16, p17, p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;

    MpscQueueBasePad1(int size, String what, Object[] slots) {
        super(size, what, slots);
    }
}

abstract class MpscQueueBaseConsumerFields extends MpscQueueBasePad1 {
    volatile long consumerIndex;
    volatile int consumerLock;
    final boolean sharedConsumers;

    MpscQueueBaseConsumerFields(int size, String what, Object[] slots, boolean sharedConsumers) {
        super(size, what, slots);
        this.sharedConsumers = sharedConsumers;
    }
}

@SuppressWarnings("unused")
abstract class MpscQueueBasePad2 extends MpscQueueBaseConsumerFields {
    long p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p2a, p2b, p2c, p2d, p2e, p2f;

    MpscQueueBasePad2(int size, String what, Object[] slots, boolean sharedConsumers) {
        super(size, what, slots, sharedConsumers);
    }
}
