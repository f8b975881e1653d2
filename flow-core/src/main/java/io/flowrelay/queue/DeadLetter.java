package io.flowrelay.queue;

/**
 * A job of an {@link AckQueue} that failed {@link AckQueue#maxAttempts()} times, as published by
 * {@link AckQueue#deadLetters()}.
 *
 * @param id       the job's id
 * @param payload  the job's payload
 * @param attempts how many times it was delivered
 * @param reason   how the last attempt ended
 * @param <T>      the payload type
 */
public record DeadLetter<T>(long id, T payload, int attempts, Reason reason) {

    /** How the last attempt of a dead job ended. */
    public enum Reason {
        /** Not acknowledged within the visibility timeout. */
        TIMED_OUT,
        /** Nacked by its consumer. */
        NACKED
    }
}
