package io.flowrelay.internal;

/**
 * Where a channel keeps its items: {@link MpscRing} for a bounded channel, {@link MpscChunkQueue}
 * for an unbounded one. Producers may call {@link #offer} concurrently; consumers call
 * {@link #poll} one at a time unless the buffer serialises them itself.
 *
 * @param <T> the item type
 */
interface ChannelBuffer<T> {

    /**
     * Puts {@code item} in, or reports that there is no room. After an offer that succeeded, the
     * channel must look at its consumers (wake one that sleeps) if the result is
     * {@link MpscRing#OK_WAKE}; an {@link MpscRing#OK} result guarantees that the single consumer
     * that arms ({@link #armIdle()}) is awake or will see the item.
     *
     * @return {@link MpscRing#FULL}, {@link MpscRing#OK} or {@link MpscRing#OK_WAKE}
     */
    int offer(T item);

    /** The oldest item, or {@code null} if there is none. */
    T poll();

    /**
     * For the one consumer of the moment that will look again (a delivery loop): the oldest item,
     * or {@code null} if none can be taken now. Unlike {@link #poll()} it does not wait for an item
     * that is being written, and does not read what every send writes to tell "empty" from "being
     * written": a consumer that has caught up with its producers would otherwise pull their line
     * on every look. Before it sleeps, the consumer must look with {@link #armIdle()}.
     */
    T pollReady();

    /**
     * For the one consumer of the moment that takes with {@link #pollReady()}: returns once the
     * oldest item's slot holds it, or nothing is there. An index a producer has claimed is
     * written a few instructions later (or once it gets its CPU back): waited for with
     * {@code pause}, as {@link #poll()} waits.
     */
    void awaitReady();

    /** {@code true} if nothing is there (non-consuming). */
    boolean isEmpty();

    /**
     * {@code true} if the oldest item can be taken now: a cheap look for a consumer that spins
     * (it may miss an item that is being written, which {@link #isEmpty()} counts).
     */
    boolean isReady();

    /** Items in the buffer. */
    int size();

    /** Items taken from the buffer since it was made (a producer waiting for room watches it move). */
    long taken();

    /**
     * A consumer about to sleep (it published that, with a full fence) asks to be woken by the
     * next offer.
     *
     * @return {@code true} if an item is there (do not sleep), {@code false} if the next offer
     *         will return {@link MpscRing#OK_WAKE}
     */
    boolean armIdle();
}
