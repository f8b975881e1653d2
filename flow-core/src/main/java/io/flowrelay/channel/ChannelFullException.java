package io.flowrelay.channel;

/** Thrown by {@code send} (or fails {@code sendAsync}) on a full channel whose overflow policy is {@link Overflow#FAIL}. */
public class ChannelFullException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public ChannelFullException(String message) {
        super(message);
    }
}
