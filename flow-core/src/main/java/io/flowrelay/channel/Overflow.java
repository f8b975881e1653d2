package io.flowrelay.channel;

/**
 * What a bounded channel does with a send while its buffer is full.
 *
 * <p>A dropped item is always handed to the channel's {@code onDrop} callback: nothing is lost
 * silently.
 */
public enum Overflow {
    /** The sender waits: {@code send} blocks, {@code sendAsync} completes later, {@code trySend} returns {@code FULL}. */
    BLOCK,
    /** The new item is dropped (handed to {@code onDrop}); the send reports {@code OK}. */
    DROP_NEWEST,
    /** The oldest buffered item is dropped (handed to {@code onDrop}) to make room for the new one. */
    DROP_OLDEST,
    /** The send fails: {@code trySend} returns {@code FULL}, {@code send} and {@code sendAsync} fail with {@link ChannelFullException}. */
    FAIL
}
