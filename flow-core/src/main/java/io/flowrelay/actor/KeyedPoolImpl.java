package io.flowrelay.actor;

import io.flowrelay.channel.SendResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Items as child actors of one pool actor, each pinned to a thread of the dispatcher at creation;
 * requests carry their own future, so replies need no reply actor.
 */
final class KeyedPoolImpl<K, Q, R> implements KeyedPool<K, Q, R> {

    private final ActorSystemImpl sys;
    private final String name;
    private final ActorOptions itemOptions;
    private final Function<? super K, ? extends PoolItem<Q, R>> factory;
    private final ConcurrentHashMap<K, ActorCell<Object>> items = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private final ActorCell<Object> root;

    KeyedPoolImpl(ActorSystemImpl sys, String name, PinnedDispatcher dispatcher,
                  Function<? super K, ? extends PoolItem<Q, R>> factory) {
        this.sys = sys;
        this.name = name;
        this.factory = factory;
        this.itemOptions = ActorOptions.defaults().dispatcher(dispatcher).supervision(SupervisorStrategy.stop());
        this.root = sys.spawnCell(null, name, () -> (ctx, msg) -> Behaviors.same(), ActorOptions.defaults());
    }

    /** A request and where its response goes. */
    record Request<Q, R>(Q request, CompletableFuture<R> response) {
    }

    /** The actor of one item: the item is created on its pinned thread, in preStart. */
    private final class ItemActor extends Actor<Object> {
        private final K id;
        private PoolItem<Q, R> item;

        ItemActor(K id) {
            this.id = id;
        }

        @Override
        public void preStart(ActorContext<Object> ctx) {
            item = Objects.requireNonNull(factory.apply(id), "pool item factory returned null");
        }

        @Override
        @SuppressWarnings("unchecked")
        public Behavior<Object> receive(ActorContext<Object> ctx, Object message) {
            Request<Q, R> r = (Request<Q, R>) message;
            try {
                r.response().complete(item.handle(r.request()));
            } catch (Exception ex) {
                r.response().completeExceptionally(ex);
            }
            return Behaviors.same();
        }

        @Override
        public void postStop(ActorContext<Object> ctx) {
            if (item != null) {
                item.close();
            }
        }
    }

    @Override
    public boolean create(K id) {
        Objects.requireNonNull(id, "id");
        if (items.containsKey(id)) {
            return false;
        }
        ActorCell<Object> cell = sys.spawnCell(root, "item-" + seq.incrementAndGet(), () -> new ItemActor(id), itemOptions);
        if (items.putIfAbsent(id, cell) != null) {
            cell.closeMailbox(); // lost a race with another create of the same id
            return false;
        }
        return true;
    }

    @Override
    public boolean remove(K id) {
        ActorCell<Object> cell = items.remove(Objects.requireNonNull(id, "id"));
        if (cell == null) {
            return false;
        }
        cell.closeMailbox(); // requests already routed are still answered
        return true;
    }

    @Override
    public boolean contains(K id) {
        return items.containsKey(id);
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public CompletableFuture<R> ask(K id, Q request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        ActorSystemImpl.requirePositive(timeout);
        CompletableFuture<R> f = route(id, request);
        sys.timeout(f, timeout, () -> "pool " + name + " request to " + id);
        return f;
    }

    private CompletableFuture<R> route(K id, Q request) {
        CompletableFuture<R> f = new AskFuture<>();
        ActorCell<Object> cell = items.get(Objects.requireNonNull(id, "id"));
        if (cell == null) {
            f.completeExceptionally(new NoSuchElementException("pool " + name + " has no item " + id));
            return f;
        }
        if (cell.tell(new Request<>(request, f)) != SendResult.OK) {
            f.completeExceptionally(new ActorStoppedException("pool " + name + ": item " + id + " is stopped"));
        }
        return f;
    }

    @Override
    public CompletableFuture<List<R>> sendAndReceive(List<? extends Map.Entry<? extends K, ? extends Q>> requests,
                                                     Duration timeout) {
        Objects.requireNonNull(requests, "requests");
        ActorSystemImpl.requirePositive(timeout);
        List<CompletableFuture<R>> futures = new ArrayList<>(requests.size());
        for (Map.Entry<? extends K, ? extends Q> e : requests) {
            futures.add(route(e.getKey(), Objects.requireNonNull(e.getValue(), "request")));
        }
        Gather<R> g = Gather.all(futures.size());
        for (int i = 0; i < futures.size(); i++) {
            g.add(i, futures.get(i));
        }
        int n = futures.size();
        sys.timeout(g.result, timeout, () -> "pool " + name + " batch of " + n + " (" + g.filled() + " of " + n
                + " responses came)");
        return g.result;
    }

    @Override
    public void close() {
        for (K id : new ArrayList<>(items.keySet())) {
            remove(id);
        }
        root.closeMailbox();
    }

    @Override
    public String toString() {
        return "KeyedPool[" + name + ", items=" + items.size() + "]";
    }
}
