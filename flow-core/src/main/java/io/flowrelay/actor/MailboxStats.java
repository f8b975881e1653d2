package io.flowrelay.actor;

/**
 * A snapshot of an actor's mailbox.
 *
 * @param depth        messages waiting now
 * @param processed    messages handled without failure; counted when the actor's turn ends (and every
 *                     {@code throughput} messages of a long turn), so it may lag a running turn
 * @param dropped      messages dropped by the overflow policy
 * @param deadLettered messages of this actor that went to dead letters (dropped, refused, failed, after stop)
 */
public record MailboxStats(int depth, long processed, long dropped, long deadLettered) {
}
