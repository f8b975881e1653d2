package io.flowrelay.channel;

import io.flowrelay.internal.DeliveryLoop;
import io.flowrelay.internal.LoopArray;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@link Oneshot}: one CAS decides the outcome; a private {@link CompletableFuture} carries it to
 * stage dependents and a kernel {@link DeliveryLoop} per subscriber carries it to subscribers.
 *
 * @param <T> the value type
 */
final class FutureOneshot<T> implements Oneshot<T> {

    /*
     * Implementation notes
     *
     * result      — null while pending; then, set once by the CAS of complete()/fail(): the value,
     *               EMPTY (complete(null)) or a Failure. Everything else follows the winner.
     * future      — completed only by the CAS winner, after the CAS; never handed out (callers
     *               get dependents or copies), so nobody can complete it behind our back.
     * subscribers — copy-on-write (LoopArray): added by subscribe(), removed by a finished loop.
     * OneshotSubscription.taken — only its loop reads and writes it.
     *
     * No lost wake-up: the winner CASes result (volatile), then reads the loop set and schedules
     * every loop; subscribe() adds its loop (CAS), then starts it, and the loop reads result.
     */

    private static final Object EMPTY = new Object();

    private final CompletableFuture<T> future = new CompletableFuture<>();
    private final Executor executor;

    private volatile Object result;
    private volatile Object subscribers; // a LoopArray set: null, one loop or an array

    FutureOneshot(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    // ------------------------------------------------------------------ producing

    @Override
    public boolean complete(T value) {
        if (!RESULT.compareAndSet(this, null, value == null ? EMPTY : value)) {
            return false;
        }
        future.complete(value);
        LoopArray.scheduleAll(subscribers);
        return true;
    }

    @Override
    public boolean fail(Throwable error) {
        Objects.requireNonNull(error, "error");
        if (!RESULT.compareAndSet(this, null, new Failure(error))) {
            return false;
        }
        future.completeExceptionally(error);
        LoopArray.scheduleAll(subscribers);
        return true;
    }

    @Override
    public boolean isDone() {
        return result != null;
    }

    @Override
    public int subscriberCount() {
        return LoopArray.size(subscribers);
    }

    // ------------------------------------------------------------------ Flow.Publisher

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
        OneshotSubscription<T> s = new OneshotSubscription<>(this, subscriber);
        LoopArray.add(SUBSCRIBERS, this, s);
        s.start();
    }

    /** The outcome as an error, once failed. */
    private record Failure(Throwable error) {
    }

    /** One subscriber: the value once (with demand), then the end. */
    static final class OneshotSubscription<T> extends DeliveryLoop<T> {
        private final FutureOneshot<T> parent;
        private boolean taken; // loop thread only

        OneshotSubscription(FutureOneshot<T> parent, Flow.Subscriber<? super T> subscriber) {
            super(subscriber, parent.executor, 1);
            this.parent = parent;
        }

        private boolean hasValue(Object r) {
            return r != null && r != EMPTY && !(r instanceof Failure) && !taken;
        }

        @Override
        @SuppressWarnings("unchecked")
        protected T pollNext() {
            Object r = parent.result;
            if (hasValue(r)) {
                taken = true;
                return (T) r;
            }
            return null;
        }

        @Override
        protected boolean hasMore() {
            return hasValue(parent.result);
        }

        @Override
        protected boolean isExhausted() {
            Object r = parent.result;
            return r != null && !hasValue(r);
        }

        @Override
        protected Throwable terminalError() {
            return parent.result instanceof Failure f ? f.error() : null;
        }

        @Override
        protected void onFinished() {
            LoopArray.remove(SUBSCRIBERS, parent, this);
        }
    }

    // ------------------------------------------------------------------ CompletionStage: all delegated

    @Override
    public CompletableFuture<T> toCompletableFuture() {
        return future.copy();
    }

    @Override
    public <U> CompletionStage<U> thenApply(Function<? super T, ? extends U> fn) {
        return future.thenApply(fn);
    }

    @Override
    public <U> CompletionStage<U> thenApplyAsync(Function<? super T, ? extends U> fn) {
        return future.thenApplyAsync(fn);
    }

    @Override
    public <U> CompletionStage<U> thenApplyAsync(Function<? super T, ? extends U> fn, Executor executor) {
        return future.thenApplyAsync(fn, executor);
    }

    @Override
    public CompletionStage<Void> thenAccept(Consumer<? super T> action) {
        return future.thenAccept(action);
    }

    @Override
    public CompletionStage<Void> thenAcceptAsync(Consumer<? super T> action) {
        return future.thenAcceptAsync(action);
    }

    @Override
    public CompletionStage<Void> thenAcceptAsync(Consumer<? super T> action, Executor executor) {
        return future.thenAcceptAsync(action, executor);
    }

    @Override
    public CompletionStage<Void> thenRun(Runnable action) {
        return future.thenRun(action);
    }

    @Override
    public CompletionStage<Void> thenRunAsync(Runnable action) {
        return future.thenRunAsync(action);
    }

    @Override
    public CompletionStage<Void> thenRunAsync(Runnable action, Executor executor) {
        return future.thenRunAsync(action, executor);
    }

    @Override
    public <U, V> CompletionStage<V> thenCombine(CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        return future.thenCombine(other, fn);
    }

    @Override
    public <U, V> CompletionStage<V> thenCombineAsync(CompletionStage<? extends U> other,
                                                      BiFunction<? super T, ? super U, ? extends V> fn) {
        return future.thenCombineAsync(other, fn);
    }

    @Override
    public <U, V> CompletionStage<V> thenCombineAsync(CompletionStage<? extends U> other,
                                                      BiFunction<? super T, ? super U, ? extends V> fn, Executor executor) {
        return future.thenCombineAsync(other, fn, executor);
    }

    @Override
    public <U> CompletionStage<Void> thenAcceptBoth(CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        return future.thenAcceptBoth(other, action);
    }

    @Override
    public <U> CompletionStage<Void> thenAcceptBothAsync(CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        return future.thenAcceptBothAsync(other, action);
    }

    @Override
    public <U> CompletionStage<Void> thenAcceptBothAsync(CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action,
                                                         Executor executor) {
        return future.thenAcceptBothAsync(other, action, executor);
    }

    @Override
    public CompletionStage<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        return future.runAfterBoth(other, action);
    }

    @Override
    public CompletionStage<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action) {
        return future.runAfterBothAsync(other, action);
    }

    @Override
    public CompletionStage<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        return future.runAfterBothAsync(other, action, executor);
    }

    @Override
    public <U> CompletionStage<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return future.applyToEither(other, fn);
    }

    @Override
    public <U> CompletionStage<U> applyToEitherAsync(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return future.applyToEitherAsync(other, fn);
    }

    @Override
    public <U> CompletionStage<U> applyToEitherAsync(CompletionStage<? extends T> other, Function<? super T, U> fn, Executor executor) {
        return future.applyToEitherAsync(other, fn, executor);
    }

    @Override
    public CompletionStage<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return future.acceptEither(other, action);
    }

    @Override
    public CompletionStage<Void> acceptEitherAsync(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return future.acceptEitherAsync(other, action);
    }

    @Override
    public CompletionStage<Void> acceptEitherAsync(CompletionStage<? extends T> other, Consumer<? super T> action, Executor executor) {
        return future.acceptEitherAsync(other, action, executor);
    }

    @Override
    public CompletionStage<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        return future.runAfterEither(other, action);
    }

    @Override
    public CompletionStage<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action) {
        return future.runAfterEitherAsync(other, action);
    }

    @Override
    public CompletionStage<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        return future.runAfterEitherAsync(other, action, executor);
    }

    @Override
    public <U> CompletionStage<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        return future.thenCompose(fn);
    }

    @Override
    public <U> CompletionStage<U> thenComposeAsync(Function<? super T, ? extends CompletionStage<U>> fn) {
        return future.thenComposeAsync(fn);
    }

    @Override
    public <U> CompletionStage<U> thenComposeAsync(Function<? super T, ? extends CompletionStage<U>> fn, Executor executor) {
        return future.thenComposeAsync(fn, executor);
    }

    @Override
    public <U> CompletionStage<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        return future.handle(fn);
    }

    @Override
    public <U> CompletionStage<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn) {
        return future.handleAsync(fn);
    }

    @Override
    public <U> CompletionStage<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn, Executor executor) {
        return future.handleAsync(fn, executor);
    }

    @Override
    public CompletionStage<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        return future.whenComplete(action);
    }

    @Override
    public CompletionStage<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action) {
        return future.whenCompleteAsync(action);
    }

    @Override
    public CompletionStage<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action, Executor executor) {
        return future.whenCompleteAsync(action, executor);
    }

    @Override
    public CompletionStage<T> exceptionally(Function<Throwable, ? extends T> fn) {
        return future.exceptionally(fn);
    }

    @Override
    public CompletionStage<T> exceptionallyAsync(Function<Throwable, ? extends T> fn) {
        return future.exceptionallyAsync(fn);
    }

    @Override
    public CompletionStage<T> exceptionallyAsync(Function<Throwable, ? extends T> fn, Executor executor) {
        return future.exceptionallyAsync(fn, executor);
    }

    @Override
    public CompletionStage<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return future.exceptionallyCompose(fn);
    }

    @Override
    public CompletionStage<T> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return future.exceptionallyComposeAsync(fn);
    }

    @Override
    public CompletionStage<T> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<T>> fn, Executor executor) {
        return future.exceptionallyComposeAsync(fn, executor);
    }

    @Override
    public String toString() {
        Object r = result;
        String state = r == null ? "pending" : r == EMPTY ? "completed empty" : r instanceof Failure f ? "failed: " + f.error()
                : "completed";
        return "Oneshot[" + state + ", subscribers=" + LoopArray.size(subscribers) + "]";
    }

    private static final VarHandle RESULT;
    private static final VarHandle SUBSCRIBERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RESULT = l.findVarHandle(FutureOneshot.class, "result", Object.class);
            SUBSCRIBERS = l.findVarHandle(FutureOneshot.class, "subscribers", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
