package io.flowrelay.actor;

import java.util.concurrent.Flow;

/**
 * Every message of the system that could not be delivered, as a hot {@link Flow.Publisher}: each
 * subscriber gets every dead letter published after it subscribed, through its own bounded buffer
 * (the oldest letters are dropped, and counted, if it falls behind). Completes when the system
 * has shut down; a subscriber that comes after that gets {@code onError(IllegalStateException)}.
 *
 * <pre>{@code
 * system.deadLetters().subscribe(subscriber);   // e.g. log them
 * }</pre>
 */
public interface DeadLetters extends Flow.Publisher<DeadLetter> {

    /** Dead letters published so far. */
    long count();

    /** Letters that subscribers missed because their buffer was full. */
    long missedBySubscribers();
}
