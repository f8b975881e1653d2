package io.flowrelay.actor;

/** What supervision does with an actor whose message handling failed. */
public enum Directive {
    /** Keep the actor and its state; the failed message goes to dead letters. */
    RESUME,
    /** Replace the actor with a fresh instance from its factory; the mailbox is kept. */
    RESTART,
    /** Stop the actor; the rest of its mailbox goes to dead letters. */
    STOP,
    /** Stop the actor and fail its parent with {@link ActorFailedException}, handled by the parent's own supervision. */
    ESCALATE
}
