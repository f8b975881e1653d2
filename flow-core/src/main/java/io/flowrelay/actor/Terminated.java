package io.flowrelay.actor;

/**
 * A watched actor has stopped.
 *
 * @param ref   the actor that stopped
 * @param cause the failure that stopped it, or {@code null} for a normal stop
 */
public record Terminated(ActorRef<?> ref, Throwable cause) implements Signal {
}
