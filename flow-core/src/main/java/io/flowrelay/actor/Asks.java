package io.flowrelay.actor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Scatter-gather: ask many actors at once, within one timeout.
 *
 * <pre>{@code
 * List<Quote> quotes = Asks.all(suppliers, Quote.Request::new, Duration.ofMillis(200)).join();
 * List<Quote> fastest = Asks.first(2, suppliers, Quote.Request::new, Duration.ofMillis(200)).join();
 * }</pre>
 */
public final class Asks {

    private Asks() {
    }

    /**
     * Asks every target and completes with all replies, in the order of {@code targets}. Fails
     * with the first failure, or a {@link java.util.concurrent.TimeoutException} that says how
     * many replies came within {@code timeout}. Replies after that go to dead letters.
     */
    public static <M, R> CompletableFuture<List<R>> all(Collection<? extends ActorRef<M>> targets,
                                                        Function<ActorRef<R>, ? extends M> request, Duration timeout) {
        List<ActorRef<M>> list = check(targets, request, timeout);
        Gather<R> g = Gather.all(list.size());
        scatter(g, list, request, timeout);
        return g.result;
    }

    /**
     * Asks every target and completes with the first {@code n} replies, in arrival order. Fails
     * once so many asks failed or timed out that {@code n} replies can no longer come.
     *
     * @throws IllegalArgumentException if {@code n} is negative or more than the targets
     */
    public static <M, R> CompletableFuture<List<R>> first(int n, Collection<? extends ActorRef<M>> targets,
                                                          Function<ActorRef<R>, ? extends M> request, Duration timeout) {
        List<ActorRef<M>> list = check(targets, request, timeout);
        if (n < 0 || n > list.size()) {
            throw new IllegalArgumentException("n must be in [0, " + list.size() + "], got " + n);
        }
        Gather<R> g = Gather.first(list.size(), n);
        scatter(g, list, request, timeout);
        return g.result;
    }

    private static <M, R> void scatter(Gather<R> g, List<ActorRef<M>> targets, Function<ActorRef<R>, ? extends M> request,
                                       Duration timeout) {
        for (int i = 0; i < targets.size(); i++) {
            g.add(i, targets.get(i).ask(request, timeout));
        }
    }

    private static <M> List<ActorRef<M>> check(Collection<? extends ActorRef<M>> targets, Object request, Duration timeout) {
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(request, "request");
        ActorSystemImpl.requirePositive(timeout);
        List<ActorRef<M>> list = new ArrayList<>(targets.size());
        for (ActorRef<M> t : targets) {
            list.add(Objects.requireNonNull(t, "target"));
        }
        return list;
    }
}
