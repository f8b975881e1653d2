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
 * small lock so that competing consumers can share the queue (all of which is
 * {@link MpscQueueBase}'s, shared with the ring).
 *
 * @param <E> the item type
 */
public final class MpscChunkQueue<E> extends MpscChunkQueueFields<E> {

    /*
     * Implementation notes (the producer word, the consumer index and lock, and why no wake-up is
     * lost: MpscQueueBase)
     *
     * A chunk is an Object[chunkSize + 1]: slots 0..mask hold items, slot chunkSize the next chunk.
     *
     * LINKING       — bit 1 of the producer word. The producer that claims the last slot of a
     *                 chunk (p & mask == mask) sets it in the same CAS: until it clears it, other
     *                 producers wait (a few instructions) and nothing else writes the word (no
     *                 producer claims, and no consumer arms, as claimed > consumed while slot p is
     *                 not taken).
     * producerChunk — the chunk of the next claim; written only by the linking producer, before
     *                 its volatile store of the word, read by producers after their read of the
     *                 word (a producer that read an older word fails its CAS).
     * slots         — slot i of a chunk: written (release) by the producer that claimed its index;
     *                 nulled by the consumer that took it. The linking producer stores the next
     *                 chunk in slot chunkSize before it publishes the last item, so the consumer
     *                 that takes that item finds the next chunk.
     * consumerChunk — written only by the consumer of the moment, before its release store of the
     *                 consumer index; the next consumer reads the index with acquire first (or
     *                 takes the lock, or runs after a loop's hand-off).
     * spare         — a chunk the consumer emptied (every slot null, link null), published with a
     *                 release store after the nulls; the linking producer takes it with a
     *                 getAndSet. A producer cannot still write into it: every index of a chunk was
     *                 claimed and written before the consumer could empty it, and a producer that
     *                 read it as producerChunk read an old word and fails its CAS (indexes only
     *                 grow, so a word never comes back).
     */

    static final long LINKING = 2L;

    /**
     * @param chunkSize       slots per chunk, a power of two, at least 2
     * @param sharedConsumers {@code true} if more than one thread may consume at a time
     */
    public MpscChunkQueue(int chunkSize, boolean sharedConsumers) {
        super(chunkSize, sharedConsumers);
        Object[] first = new Object[chunkSize + 1];
        this.producerChunk = first;
        this.consumerChunk = first;
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

    @Override
    @SuppressWarnings("unchecked")
    E poll0(boolean ready) {
        long c = (long) CONSUMER_INDEX.getAcquire(this);
        Object[] chunk = consumerChunk;
        int i = (int) c & mask;
        Object v = itemAt(chunk, i, c, ready);
        if (v == null) {
            return null;
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

    private static final VarHandle SPARE;

    static {
        try {
            SPARE = MethodHandles.lookup().findVarHandle(MpscChunkQueueFields.class, "spare", Object[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

// After MpscQueueBase's padded fields, unpadded (a mailbox is per actor): the chunk pointers, each
// written once per chunk.

abstract class MpscChunkQueueFields<E> extends MpscQueueBase<E> {
    Object[] producerChunk;
    Object[] consumerChunk;
    volatile Object[] spare;

    MpscChunkQueueFields(int chunkSize, boolean sharedConsumers) {
        super(chunkSize, "chunkSize", null, sharedConsumers);
    }
}
