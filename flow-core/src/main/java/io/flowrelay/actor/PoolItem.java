package io.flowrelay.actor;

/**
 * A stateful item of a {@link KeyedPool}: it lives on one thread for its whole life, so it may
 * use plain collections, and handles one request at a time.
 *
 * @param <Q> request type
 * @param <R> response type
 */
@FunctionalInterface
public interface PoolItem<Q, R> {

    /** Handles a request; a throw fails that request's future and the item stays. */
    R handle(Q request) throws Exception;

    /** When the item is removed or the pool closes, on the item's thread. */
    default void close() {
    }
}
