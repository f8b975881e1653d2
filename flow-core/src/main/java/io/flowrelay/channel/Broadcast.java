package io.flowrelay.channel;

import java.util.concurrent.Flow;

/**
 * A fan-out channel (tokio's {@code broadcast}): every subscriber receives every item published
 * after it subscribed, in publication order, through one bounded ring buffer shared by all of
 * them; each subscriber only keeps its own position in the ring.
 *
 * <pre>{@code
 * Broadcast<Quote> quotes = Channels.broadcast(1024);            // policy HOLD
 * quotes.subscribe(chartView);
 * quotes.subscribe(auditLog);
 * quotes.send(new Quote("ACME", 42.0));   // both get it; waits while the slowest is a ring behind
 * quotes.close();                         // each gets the rest, then onComplete
 *
 * Broadcast<Tick> ticks = Channels.broadcast(256, Broadcast.Policy.LAG);
 * ticks.subscribe(new TickView());        // implements Flow.Subscriber<Tick> and Broadcast.LagListener
 * }</pre>
 *
 * <p>Backpressure: chosen at creation by the {@link Policy}. Under {@link Policy#HOLD} (the
 * default) a publisher is held back by the slowest subscriber: an item is accepted only while it
 * is at most {@link #capacity()} items ahead of every subscriber's position, and a subscriber
 * advances only as far as its demand; {@code send} waits, {@code sendAsync} completes later and
 * {@code trySend} returns {@link SendResult#FULL}. Under {@link Policy#LAG} a publisher never
 * waits: it overwrites the oldest slot, and a subscriber that fell more than {@code capacity}
 * items behind skips ahead to the oldest item still in the ring and is told how many it
 * missed, never silently: a subscriber that implements {@link LagListener} gets
 * {@link LagListener#onLagged(long)} right before its next {@code onNext}; any other subscriber
 * is ended with {@code onError(}{@link LaggedException}{@code )}. Either way a subscriber gets at
 * most as many items as it requested (RS 1.1), and {@code request(n <= 0)} ends it with
 * {@code onError(IllegalArgumentException)} (RS 3.9). With no subscriber, items are accepted
 * and reach nobody.
 *
 * <p>Threading: every method is thread-safe; items sent from one thread reach every subscriber
 * in the order sent. Subscribers are signalled on the broadcast's executor (by default the
 * shared FlowRelay pool), one signal at a time per subscriber; a slow subscriber delays only
 * itself (and, under {@code HOLD}, the publishers). Publishing costs one write into the ring
 * plus, per subscriber, a check that wakes it only if it is idle with demand.
 *
 * <p>Closing: {@link #close()} and {@link #fail(Throwable)} are graceful: each subscriber still
 * gets the items published before, then {@code onComplete} / {@code onError}; senders waiting
 * for room fail with {@link ChannelClosedException}. A subscriber that comes after the end gets
 * {@code onSubscribe} and the terminal signal at once. {@code null} items are refused with
 * {@link NullPointerException} (RS 2.13).
 *
 * @param <T> the item type
 */
public interface Broadcast<T> extends Sender<T>, Flow.Publisher<T> {

    /** Shorthand for {@link Channels#broadcast(int)}: policy {@link Policy#HOLD}. */
    static <T> Broadcast<T> create(int capacity) {
        return Channels.broadcast(capacity);
    }

    /** Shorthand for {@link Channels#broadcast(int, Policy)}. */
    static <T> Broadcast<T> create(int capacity, Policy policy) {
        return Channels.broadcast(capacity, policy);
    }

    /** What a broadcast does about a subscriber that falls a whole ring behind. */
    enum Policy {
        /**
         * Hold the publishers back: an item is accepted only when every subscriber is less than
         * {@code capacity} items behind. No subscriber ever misses an item; one that does not
         * request stalls the publishers (until it cancels).
         */
        HOLD,
        /**
         * Let the laggard skip: publishers never wait; a subscriber that fell behind jumps to the
         * oldest item still buffered and is told how many it missed ({@link LagListener}, or
         * {@link LaggedException} if it does not listen).
         */
        LAG
    }

    /**
     * Implemented by a {@link Flow.Subscriber} of a {@link Policy#LAG} broadcast that wants to
     * keep going after it fell behind (tokio's {@code RecvError::Lagged}). Called on the
     * subscriber's delivery thread, serially with its other signals, immediately before the
     * {@code onNext} of the first item after the gap. If it throws, the subscription is
     * cancelled and the subscriber gets {@code onError} with what it threw.
     */
    interface LagListener {
        /** {@code missed > 0} items published after this subscriber subscribed were overwritten before it could take them. */
        void onLagged(long missed);
    }

    /**
     * Closes the broadcast with an error: no more sends; subscribers get the items published
     * before, then {@code onError(error)}.
     *
     * @return {@code true} if this call closed the broadcast
     */
    boolean fail(Throwable error);

    /** The error the broadcast was failed with, or {@code null}. */
    Throwable error();

    /** The ring's capacity: the requested capacity rounded up to a power of two, at least 2. */
    int capacity();

    /** The slow-subscriber policy chosen at creation. */
    Policy policy();

    /** Number of subscribers currently attached. */
    int subscriberCount();

    /** Items accepted so far (with or without subscribers). */
    long published();

    /**
     * Under {@link Policy#LAG}: the total number of items that lagging subscribers skipped, over
     * all subscribers so far (each skip was also reported to its subscriber). Always 0 under
     * {@link Policy#HOLD}.
     */
    long laggedCount();
}
