package io.flowrelay.channel;

/**
 * The outcome of {@link Sender#trySend(Object)}: a status, not an exception, so that hot paths
 * can branch on it (as Reactor's {@code Sinks.EmitResult}).
 */
public enum SendResult {
    /** The channel accepted the item (under a drop policy, an item may have gone to {@code onDrop} in its place). */
    OK,
    /** The channel could not take the item without waiting; nothing changed. */
    FULL,
    /** The channel is closed for sending; nothing changed. */
    CLOSED;

    /** {@code true} for {@link #OK}. */
    public boolean isOk() {
        return this == OK;
    }
}
