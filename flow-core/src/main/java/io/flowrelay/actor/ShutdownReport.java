package io.flowrelay.actor;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of {@link ActorSystem#shutdown(Duration)}.
 *
 * @param completed    {@code true} if every actor and stage finished before the timeout
 * @param took         how long the shutdown took
 * @param processed    messages processed by the system's actors over its whole life
 * @param dropped      messages dropped by mailbox overflow policies
 * @param deadLettered dead letters published over the system's life
 * @param remaining    messages still in mailboxes when the report was made (0 if completed)
 * @param unfinished   actors and stages that had not finished, with their mailbox depth
 */
public record ShutdownReport(boolean completed, Duration took, long processed, long dropped, long deadLettered,
                             long remaining, List<String> unfinished) {
}
