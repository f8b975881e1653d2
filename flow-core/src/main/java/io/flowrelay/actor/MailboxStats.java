package io.flowrelay.actor;

/**
 * A snapshot of an actor's mailbox.
 *
 * @param depth        messages waiting now
 * @param processed    messages handled without failure
 * @param dropped      messages dropped by the overflow policy
 * @param deadLettered messages of this actor that went to dead letters (dropped, refused, failed, after stop)
 */
public record MailboxStats(int depth, long processed, long dropped, long deadLettered) {
}
