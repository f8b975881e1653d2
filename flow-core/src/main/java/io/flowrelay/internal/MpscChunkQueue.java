package io.flowrelay.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The buffer of an unbounded channel or mailbox: a multi-producer queue of linked chunks (arrays
 * of {@code chunkSize} slots) whose producer word carries the consumers' wake-up request, as
 * {@link MpscRing}'s does (ADR 0008), and which recycles its chunks: the consumer hands the chunk
 * it has emptied back (one spare), and the producer that needs a new chunk takes it. So a queue
 * whose backlog stays within about a chunk allocates nothing in steady state (a linked queue
 * allocates a node per item, JCTools' {@code MpscUnboundedArrayQueue} a chunk every
 * {@code chunkSize} items), and a send needs no fence of its own: the claim CAS is the fence.
 *
 * <p>As in {@link MpscRing}: a CAS claims an index, a release store publishes the item; an item
 * whose index is claimed but not yet written counts as present ({@link #isEmpty()},
 * {@link #size()}), and {@link #poll()} waits for it; with {@code sharedConsumers}, polls take a
 * small lock so that competing consumers can share the queue.
 *
 * @param <E> the item type
 */
public final class MpscChunkQueue<E> extends MpscChunkQueuePad2 implements ChannelBuffer<E> {

    /*
     * Implementation notes
     *
     * A chunk is an Object[chunkSize + 1]: slots 0..mask hold items, slot chunkSize the next chunk.
     *
     * producerWord  — (claimed index << 2) | LINKING | IDLE. Producers CAS it to claim index p
     *                 (clearing IDLE); consumers CAS IDLE in only when claimed == consumed. The
     *                 producer that claims the last slot of a chunk (p & mask == mask) sets LINKING
     *                 in the same CAS: until it clears it, other producers wait (a few
     *                 instructions) and nothing else writes the word (no producer claims, and no
     *                 consumer arms, as claimed > consumed while slot p is not taken).
     * producerChunk — the chunk of the next claim; written only by the linking producer, before
     *                 its volatile store of the word, read by producers after their read of the
     *                 word (a producer that read an older word fails its CAS).
     * slots         — slot i of a chunk: written (release) by the producer that claimed its index;
     *                 nulled by the consumer that took it. The linking producer stores the next
     *                 chunk in slot chunkSize before it publishes the last item, so the consumer
     *                 that takes that item finds the next chunk.
     * consumerIndex, consumerChunk — written only by the consumer of the moment (the chunk before
     *                 the release store of the index); the next consumer reads the index with
     *                 acquire first (or takes the lock, or runs after a loop's hand-off).
     * spare         — a chunk the consumer emptied (every slot null, link null), published with a
     *                 release store after the nulls; the linking producer takes it with a
     *                 getAndSet. A producer cannot still write into it: every index of a chunk was
     *                 claimed and written before the consumer could empty it, and a producer that
     *                 read it as producerChunk read an old word and fails its CAS (indexes only
     *                 grow, so a word never comes back).
     *
     * No lost wake-up: as MpscRing (a consumer that will sleep publishes that with a full fence,
     * then arms; a producer claims with a CAS, then looks at the consumers).
     */

    static final long IDLE = 1L;
    static final long LINKING = 2L;
    private static final int SHIFT = 2;

    private static final int SPINS = 64;

    /**
     * @param chunkSize       slots per chunk, a power of two, at least 2
     * @param sharedConsumers {@code true} if more than one thread may consume at a time
     */
    public MpscChunkQueue(int chunkSize, boolean sharedConsumers) {
        super(chunkSize, sharedConsumers);
        Object[] first = new Object[chunkSize + 1];
        this.producerChunk = first;
        this.consumerChunk = first;
        // A new queue asks to be woken: a consumer may have gone idle before the queue existed
        // (channels create their buffer on the first send).
        this.producerWord = IDLE;
    }

    // ------------------------------------------------------------------ producers (any thread)

    /**
     * Puts {@code item} in (an unbounded queue is never full).
     *
     * @return {@link MpscRing#OK} or {@link MpscRing#OK_WAKE}
     */
    @Override
    public int offer(E item) {
        Objects.requireNonNull(item, "item");
        for (int spins = 0;; spins++) {
            long w = (long) PRODUCER_WORD.getVolatile(this);
            if ((w & LINKING) != 0L) {
                pause(spins); // another producer is linking the next chunk
                continue;
            }
            long p = w >>> SHIFT;
            Object[] chunk = producerChunk;
            int i = (int) p & mask;
            if (i != mask) {
                if (PRODUCER_WORD.compareAndSet(this, w, (p + 1L) << SHIFT)) {
                    SLOTS.setRelease(chunk, i, item);
                    return (w & IDLE) != 0L ? MpscRing.OK_WAKE : MpscRing.OK;
                }
            } else if (PRODUCER_WORD.compareAndSet(this, w, ((p + 1L) << SHIFT) | LINKING)) {
                link(chunk, w);
                SLOTS.setRelease(chunk, i, item);
                return (w & IDLE) != 0L ? MpscRing.OK_WAKE : MpscRing.OK;
            }
        }
    }

    /** By the producer that claimed the last slot of {@code chunk} (LINKING set): appends a chunk. */
    private void link(Object[] chunk, long w) {
        Object[] next;
        try {
            next = (Object[]) SPARE.getAndSet(this, null);
            if (next == null) {
                next = new Object[mask + 2];
            }
        } catch (Throwable t) { // OutOfMemoryError: give the claim back, or every producer would wait forever
            PRODUCER_WORD.setRelease(this, w);
            throw t;
        }
        SLOTS.setRelease(chunk, mask + 1, next);
        producerChunk = next;
        // LINKING and IDLE clear. A volatile store (once a chunk): a producer may read the word
        // from a later claim CAS, and still needs to see producerChunk.
        PRODUCER_WORD.setVolatile(this, ((w >>> SHIFT) + 1L) << SHIFT);
    }

    // ------------------------------------------------------------------ consumers

    /**
     * Takes the oldest item, or returns {@code null} if no index is claimed. An item being written
     * is waited for. Without {@code sharedConsumers}, one thread at a time may call it.
     */
    @Override
    public E poll() {
        if (!sharedConsumers) {
            return poll0();
        }
        for (int spins = 0; !CONSUMER_LOCK.compareAndSet(this, 0, 1); spins++) {
            pause(spins); // the holder is a few instructions from letting go, unless it lost its CPU
        }
        try {
            return poll0();
        } finally {
            CONSUMER_LOCK.setRelease(this, 0);
        }
    }

    @SuppressWarnings("unchecked")
    private E poll0() {
        long c = (long) CONSUMER_INDEX.getAcquire(this);
        Object[] chunk = consumerChunk;
        int i = (int) c & mask;
        Object v = SLOTS.getAcquire(chunk, i);
        if (v == null) {
            if (c == (long) PRODUCER_WORD.getVolatile(this) >>> SHIFT) {
                return null;
            }
            for (int spins = 0; (v = SLOTS.getAcquire(chunk, i)) == null; spins++) {
                pause(spins); // claimed, being written
            }
        }
        chunk[i] = null;
        if (i == mask) {
            Object[] next = (Object[]) chunk[mask + 1]; // stored before the item we read with acquire
            chunk[mask + 1] = null;
            consumerChunk = next;
            SPARE.setRelease(this, chunk); // after the nulls: the producer that takes it sees it empty
        }
        CONSUMER_INDEX.setRelease(this, c + 1L);
        return (E) v;
    }

    private static void pause(int spins) {
        if ((spins & (SPINS - 1)) == SPINS - 1) {
            Thread.yield(); // the thread we wait for may have lost its CPU
        } else {
            Thread.onSpinWait();
        }
    }

    /** {@code true} if no index is claimed (an item being written counts as present). */
    @Override
    public boolean isEmpty() {
        long c = (long) CONSUMER_INDEX.getVolatile(this);
        return ((long) PRODUCER_WORD.getVolatile(this) >>> SHIFT) == c;
    }

    /**
     * {@code true} if the slot of the oldest item holds it. For the consumer that spins (another
     * thread may read a chunk the consumer already gave back: a hint, as documented by
     * {@link ChannelBuffer#isReady()}).
     */
    @Override
    public boolean isReady() {
        long c = (long) CONSUMER_INDEX.getAcquire(this);
        return SLOTS.getAcquire(consumerChunk, (int) c & mask) != null;
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
    public boolean armIdle() {
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

    private static final VarHandle PRODUCER_WORD;
    private static final VarHandle CONSUMER_INDEX;
    private static final VarHandle CONSUMER_LOCK;
    private static final VarHandle SPARE;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PRODUCER_WORD = l.findVarHandle(MpscChunkQueueProducerFields.class, "producerWord", long.class);
            CONSUMER_INDEX = l.findVarHandle(MpscChunkQueueConsumerFields.class, "consumerIndex", long.class);
            CONSUMER_LOCK = l.findVarHandle(MpscChunkQueueConsumerFields.class, "consumerLock", int.class);
            SPARE = l.findVarHandle(MpscChunkQueueConsumerFields.class, "spare", Object[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

// Padding by inheritance (HotSpot lays out a superclass's fields first): the producers' fields and
// the consumers' fields sit apart, each on its own pair of cache lines. Lighter than MpscRing's
// (no padding in front of the read-only fields): a mailbox is per actor.

abstract class MpscChunkQueueFields {
    final int mask;
    final boolean sharedConsumers;

    MpscChunkQueueFields(int chunkSize, boolean sharedConsumers) {
        if (chunkSize < 2 || Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("chunkSize must be a power of two >= 2, got " + chunkSize);
        }
        this.mask = chunkSize - 1;
        this.sharedConsumers = sharedConsumers;
    }
}

abstract class MpscChunkQueueProducerFields extends MpscChunkQueueFields {
    volatile long producerWord;
    Object[] producerChunk;

    MpscChunkQueueProducerFields(int chunkSize, boolean sharedConsumers) {
        super(chunkSize, sharedConsumers);
    }
}

@SuppressWarnings("unused")
abstract class MpscChunkQueuePad1 extends MpscChunkQueueProducerFields {
    long p10, p11, p12, p13, p14, p15, p16, p17, p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;

    MpscChunkQueuePad1(int chunkSize, boolean sharedConsumers) {
        super(chunkSize, sharedConsumers);
    }
}

abstract class MpscChunkQueueConsumerFields extends MpscChunkQueuePad1 {
    volatile long consumerIndex;
    Object[] consumerChunk;
    volatile int consumerLock;
    volatile Object[] spare;

    MpscChunkQueueConsumerFields(int chunkSize, boolean sharedConsumers) {
        super(chunkSize, sharedConsumers);
    }
}

@SuppressWarnings("unused")
abstract class MpscChunkQueuePad2 extends MpscChunkQueueConsumerFields {
    long p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p2a, p2b, p2c, p2d, p2e, p2f;

    MpscChunkQueuePad2(int chunkSize, boolean sharedConsumers) {
        super(chunkSize, sharedConsumers);
    }
}
