package io.flowrelay.channel;

import java.util.Iterator;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * A multi-producer, multi-consumer channel that is also a {@link Flow.Processor}: the ideas of
 * Rust's {@code std::sync::mpsc}, crossbeam and Go channels, with Reactive Streams backpressure.
 *
 * <pre>{@code
 * Channel<String> jobs = Channels.bounded(1024);
 * jobs.subscribe(worker1);            // competing consumers: each item goes to one of them
 * jobs.subscribe(worker2);
 * jobs.send("resize:42");             // blocks while the channel is full
 * jobs.close();                       // workers get the rest, then onComplete
 * }</pre>
 *
 * <p>Kinds: {@linkplain Channels#bounded(int) bounded}, {@linkplain Channels#unbounded()
 * unbounded} and {@linkplain Channels#rendezvous() rendezvous} (a send completes only when a
 * receiver or subscriber takes the item).
 *
 * <p>Consumers: {@link #receive()}, {@link #poll()}, iteration, or {@link #subscribe}. Several
 * consumers compete: each item goes to exactly one of them (the worker-pool pattern), and each
 * consumer sees the items of one producer in the order they were sent.
 *
 * <p>Backpressure: a subscriber gets at most as many items as it requested; as a
 * {@link Flow.Subscriber}, the channel requests from its upstream only as many items as it has
 * free room for, and asks again as consumers drain it. When its last subscriber cancels, a
 * channel fed by an upstream subscription closes, which cancels the upstream (RS 2.6): items
 * already buffered can still be taken, then consumers see completion.
 *
 * <p>Threading: every method is thread-safe. Subscribers are signalled on the channel's
 * executor (by default a shared FlowRelay pool), one signal at a time per subscriber.
 *
 * @param <T> the item type
 */
public interface Channel<T> extends Sender<T>, Flow.Processor<T, T>, Iterable<T> {

    /** Shorthand for {@link Channels#bounded(int)}. */
    static <T> Channel<T> bounded(int capacity) {
        return Channels.bounded(capacity);
    }

    /** Shorthand for {@link Channels#unbounded()}. */
    static <T> Channel<T> unbounded() {
        return Channels.unbounded();
    }

    /** Shorthand for {@link Channels#rendezvous()}. */
    static <T> Channel<T> rendezvous() {
        return Channels.rendezvous();
    }

    /**
     * Closes the channel with an error: no more sends; items already sent are still delivered,
     * then subscribers get {@code onError(error)} and receivers a {@link ChannelClosedException}
     * whose cause is {@code error}.
     *
     * @return {@code true} if this call closed the channel
     */
    boolean fail(Throwable error);

    /**
     * A new producer handle. The channel closes when the last handle created is closed, so a
     * consumer never waits forever on a channel that nobody can send to (Rust's {@code Sender}).
     * Closing the channel itself still closes it at once.
     */
    Sender<T> producer();

    /**
     * Takes the next item, waiting for one. Waits spin briefly, then park.
     *
     * @throws ChannelClosedException once the channel is closed and drained
     * @throws InterruptedException   if interrupted while waiting
     */
    T receive() throws InterruptedException;

    /**
     * Takes the next item, waiting at most {@code timeout}.
     *
     * @return the item, or {@code null} if none came in time
     * @throws ChannelClosedException once the channel is closed and drained
     * @throws InterruptedException   if interrupted while waiting
     */
    T receive(long timeout, TimeUnit unit) throws InterruptedException;

    /** Takes the next item if one is available now, else {@code null}; never blocks or throws. */
    T poll();

    /**
     * A blocking iterator: {@code hasNext()} waits for the next item and returns {@code false}
     * once the channel is closed and drained. If the channel failed, {@code hasNext()} throws
     * the {@link ChannelClosedException}; an interrupt ends with a {@link ChannelClosedException}
     * whose cause is the {@link InterruptedException}, and the interrupt status is restored.
     */
    @Override
    Iterator<T> iterator();

    /** {@code true} once the channel is closed and every item has been taken. */
    boolean isTerminated();

    /** The error the channel was failed with, or {@code null}. */
    Throwable error();

    /** Items buffered now (a snapshot). */
    int size();

    /**
     * The capacity of the buffer: 0 for a rendezvous channel, {@link Integer#MAX_VALUE} for an
     * unbounded one. A bounded channel's requested capacity is rounded up to a power of two, and
     * is at least 2 ({@code bounded(1)} holds two items; use {@link Channels#rendezvous()} for none).
     */
    int capacity();

    /** The overflow policy of a full buffer. */
    Overflow overflow();

    /** Number of subscribers currently attached. */
    int subscriberCount();
}
