package io.flowrelay.channel;

/**
 * Thrown by a blocking operation on a closed channel: {@code send} after {@code close()}, or
 * {@code receive} once the channel is closed and drained. If the channel was closed by
 * {@code fail(Throwable)}, that error is the cause.
 */
public class ChannelClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public ChannelClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
