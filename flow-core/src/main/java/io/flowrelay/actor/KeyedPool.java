package io.flowrelay.actor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Stateful items by id, each pinned to one thread of a {@link PinnedDispatcher} (the "messaging
 * thread pool"): requests to an id are routed to its item's thread and handled there in order.
 *
 * <pre>{@code
 * try (PinnedDispatcher threads = Dispatcher.pinned(4)) {
 *     KeyedPool<String, String, Integer> sessions = system.keyedPool("sessions", threads, id -> new Session(id));
 *     sessions.create("alice");
 *     int n = sessions.ask("alice", "hello", Duration.ofSeconds(1)).join();
 *     List<Integer> all = sessions.sendAndReceive(List.of(Map.entry("alice", "a"), Map.entry("bob", "b")),
 *             Duration.ofSeconds(1)).join();
 * }
 * }</pre>
 *
 * @param <K> id type
 * @param <Q> request type
 * @param <R> response type
 */
public interface KeyedPool<K, Q, R> extends AutoCloseable {

    /** Creates the item of {@code id}; {@code false} if it exists already. */
    boolean create(K id);

    /** Removes the item of {@code id} (its {@link PoolItem#close()} runs on its thread); {@code false} if absent. */
    boolean remove(K id);

    boolean contains(K id);

    int size();

    /** Routes one request; fails with {@link java.util.NoSuchElementException} for an unknown id. */
    CompletableFuture<R> ask(K id, Q request, Duration timeout);

    /**
     * Routes a batch of requests (id → request entries, ids may repeat) and gathers the responses
     * in request order, within one timeout; fails with the first failure or a
     * {@link java.util.concurrent.TimeoutException} that says how many responses came.
     */
    CompletableFuture<List<R>> sendAndReceive(List<? extends Map.Entry<? extends K, ? extends Q>> requests, Duration timeout);

    /** Removes every item. The dispatcher stays open: it belongs to the caller. */
    @Override
    void close();
}
