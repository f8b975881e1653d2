package io.flowrelay.actor;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * What an actor can do besides handling its message. Use it only on the actor's own thread
 * (inside {@code receive} and the lifecycle hooks).
 *
 * @param <M> the actor's message type
 */
public interface ActorContext<M> {

    /** This actor's own reference. */
    ActorRef<M> self();

    /** The system this actor lives in. */
    ActorSystem system();

    /** Spawns a child with default options; it stops when this actor stops. */
    <C> ActorRef<C> spawn(String name, Supplier<? extends Behavior<C>> factory);

    /** Spawns a child; its {@link ActorOptions#supervision() supervision} applies when it fails. */
    <C> ActorRef<C> spawn(String name, Supplier<? extends Behavior<C>> factory, ActorOptions options);

    /** Stops a child of this actor, or this actor itself; the rest of its mailbox goes to dead letters. */
    void stop(ActorRef<?> ref);

    /** When {@code ref} stops, this actor gets a {@link Terminated} signal ({@link Actor#onSignal}). */
    void watch(ActorRef<?> ref);

    /** When {@code ref} stops, this actor gets {@code message}. */
    void watchWith(ActorRef<?> ref, M message);

    /** Cancels a watch. */
    void unwatch(ActorRef<?> ref);

    /** The living children. */
    List<ActorRef<?>> children();

    /** Tells {@code message} to this actor after {@code delay}. */
    void scheduleOnce(Duration delay, M message);
}
