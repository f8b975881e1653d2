package io.flowrelay.channel;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * One value or one error, set once (tokio's {@code oneshot}), readable both as a
 * {@link Flow.Publisher} of at most one item and as a {@link CompletionStage}.
 *
 * <pre>{@code
 * Oneshot<Report> report = Channels.oneshot();
 * worker.submit(() -> report.complete(buildReport()));   // or report.fail(ex)
 *
 * report.thenAccept(r -> log.info("done: {}", r));       // as a CompletionStage
 * report.subscribe(uploader);                             // as a Publisher: onNext(r), onComplete()
 * boolean again = report.complete(other);                 // false: the first outcome stays
 * }</pre>
 *
 * <p>Outcomes: {@link #complete(Object) complete(value)} — subscribers get {@code onNext(value)}
 * then {@code onComplete}, the stage completes with {@code value};
 * {@code complete(null)} — completes empty: subscribers get only {@code onComplete} (a
 * {@code Flow.Publisher} has no null items), the stage completes with {@code null} (as a
 * {@code CompletableFuture<Void>}); {@link #fail(Throwable) fail(error)} — subscribers get
 * {@code onError(error)}, the stage completes exceptionally with {@code error}. The first call
 * wins, atomically, for every subscriber and every dependent stage alike; later calls return
 * {@code false} and change nothing.
 *
 * <p>Backpressure: a subscriber gets the value only after it requested at least one item;
 * {@code onComplete}/{@code onError} need no demand (RS 1.4). {@code request(n <= 0)} ends the
 * subscriber with {@code onError(IllegalArgumentException)} (RS 3.9). Any number of
 * subscribers, before or after the outcome, each get the same outcome.
 *
 * <p>Threading: every method is thread-safe. Subscribers are signalled on the oneshot's
 * executor (by default the shared FlowRelay pool), never on the completing thread. Stage
 * dependents follow {@link CompletableFuture}'s rules: a non-{@code Async} dependent runs on
 * the thread that completes the oneshot, or on the caller if it is already complete.
 * {@link #toCompletableFuture()} returns a new dependent copy each time: completing or
 * cancelling it does not touch the oneshot (only {@link #complete}/{@link #fail} do).
 *
 * @param <T> the value type
 */
public interface Oneshot<T> extends Flow.Publisher<T>, CompletionStage<T> {

    /** Shorthand for {@link Channels#oneshot()}. */
    static <T> Oneshot<T> create() {
        return Channels.oneshot();
    }

    /**
     * Sets the value, if no outcome was set yet; {@code null} completes empty (see above).
     *
     * @return {@code true} if this call decided the outcome
     */
    boolean complete(T value);

    /**
     * Sets the error, if no outcome was set yet.
     *
     * @return {@code true} if this call decided the outcome
     * @throws NullPointerException if {@code error} is null
     */
    boolean fail(Throwable error);

    /** {@code true} once an outcome is set. */
    boolean isDone();

    /** Number of subscribers currently waiting for the outcome or its delivery. */
    int subscriberCount();

    /**
     * A new {@link CompletableFuture} that completes like this oneshot (a dependent copy: if the
     * oneshot failed, it completes exceptionally with a {@link java.util.concurrent.CompletionException}
     * whose cause is the error, as {@link CompletableFuture#copy()}). Completing, obtruding or
     * cancelling the copy does not affect the oneshot.
     */
    @Override
    CompletableFuture<T> toCompletableFuture();
}
