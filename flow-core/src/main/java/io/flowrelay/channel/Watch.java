package io.flowrelay.channel;

import java.util.concurrent.Flow;

/**
 * A single value that changes over time (tokio's {@code watch}): {@link #set} replaces it,
 * {@link #get} reads it without subscribing, and every subscriber gets the current value first
 * (if there is one), then the changes — conflated: a subscriber that is slow or has no demand
 * never gets a backlog, only the newest value it has not seen yet.
 *
 * <pre>{@code
 * Watch<Config> config = Channels.watch(Config.load());
 * config.subscribe(reloader);        // gets the loaded config at once, then every newer one
 * config.set(Config.load());         // never waits; a slow reloader skips straight to the newest
 * Config now = config.get();         // no subscription needed
 * config.close();                    // each subscriber gets the newest value it missed, then onComplete
 * }</pre>
 *
 * <p>Backpressure: a subscriber gets at most as many values as it requested (RS 1.1); while it
 * has no demand, newer values simply replace older ones, and when it requests again it gets the
 * newest one (each value is delivered to a subscriber at most once, by version, and only values
 * newer than the last one it got). {@link #set} never waits and never fails for a slow
 * subscriber. {@code request(n <= 0)} ends the subscriber with
 * {@code onError(IllegalArgumentException)} (RS 3.9).
 *
 * <p>Threading: every method is thread-safe; {@code set} from several threads is linearizable
 * (each gets its own version, and the one with the highest version is the value that stays).
 * Subscribers are signalled on the watch's executor (by default the shared FlowRelay pool), one
 * signal at a time per subscriber.
 *
 * <p>Closing: {@link #close()} and {@link #fail(Throwable)} keep the value ({@link #get} still
 * returns it) and refuse later {@code set}s; each subscriber still gets the newest value it had
 * not seen, then {@code onComplete} / {@code onError}. {@code null} values are refused with
 * {@link NullPointerException} (RS 2.13).
 *
 * @param <T> the value type
 */
public interface Watch<T> extends Flow.Publisher<T>, AutoCloseable {

    /** Shorthand for {@link Channels#watch()}: no value yet. */
    static <T> Watch<T> create() {
        return Channels.watch();
    }

    /** Shorthand for {@link Channels#watch(Object)}. */
    static <T> Watch<T> create(T initial) {
        return Channels.watch(initial);
    }

    /**
     * Replaces the value (a new version, even if equal to the old one) and wakes idle subscribers
     * that have demand.
     *
     * @return {@code true} if set, {@code false} if the watch is closed (nothing changed)
     * @throws NullPointerException if {@code value} is null
     */
    boolean set(T value);

    /** The current value, or {@code null} if none was ever set. Also after close. */
    T get();

    /** The version of the current value: 0 before the first value, then one more per accepted {@code set}. */
    long version();

    /** Closes the watch: no more {@code set}s; subscribers get the newest value they missed, then {@code onComplete}. Idempotent. */
    @Override
    void close();

    /**
     * Closes the watch with an error: subscribers get the newest value they missed, then {@code onError(error)}.
     *
     * @return {@code true} if this call closed the watch
     */
    boolean fail(Throwable error);

    /** {@code true} once closed or failed. */
    boolean isClosed();

    /** The error the watch was failed with, or {@code null}. */
    Throwable error();

    /** Number of subscribers currently attached. */
    int subscriberCount();
}
