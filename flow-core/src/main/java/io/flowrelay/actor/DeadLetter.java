package io.flowrelay.actor;

/**
 * A message that could not be delivered or handled.
 *
 * @param recipient the actor it was meant for (may be a reply handle), never null
 * @param message   the message
 * @param reason    why it is here
 * @param cause     the exception, for {@link Reason#FAILED}; otherwise usually null
 */
public record DeadLetter(ActorRef<?> recipient, Object message, Reason reason, Throwable cause) {

    /** Why a message is a dead letter. */
    public enum Reason {
        /** Told to an actor that had stopped (or was stopping). */
        STOPPED,
        /** Told while the system was shutting down. */
        SHUTDOWN,
        /** Dropped by a {@code DROP_NEWEST}/{@code DROP_OLDEST} mailbox. */
        DROPPED,
        /** Refused by a full {@code FAIL} mailbox, or a {@code BLOCK} wait was interrupted. */
        REJECTED,
        /** Its handler threw; {@link DeadLetter#cause()} is the exception. */
        FAILED,
        /** A reply that came after its ask had completed (timed out, or a second reply). */
        LATE_REPLY
    }
}
