/**
 * Actors as Flow stages: {@link io.flowrelay.actor.ActorSystem}, typed
 * {@link io.flowrelay.actor.ActorRef}s with tell and ask, mailboxes, dispatchers (shared, pinned,
 * any executor), supervision, dead letters, keyed pools, and actor stages that are
 * {@link java.util.concurrent.Flow.Processor}s.
 */
package io.flowrelay.actor;
