package io.flowrelay.actor;

import io.flowrelay.channel.SendResult;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The address of an actor: the only way to talk to it.
 *
 * <pre>{@code
 * ActorRef<Counter.Command> counter = system.spawn("counter", Counter::new);
 * counter.tell(new Counter.Add(5));
 * CompletableFuture<Integer> total = counter.ask(Counter.Get::new, Duration.ofSeconds(1));
 * }</pre>
 *
 * <p>Threading: every method is thread-safe. Messages from one sender are processed in the order
 * it sent them.
 *
 * @param <M> the messages the actor accepts
 */
public interface ActorRef<M> {

    /** The actor's path, e.g. {@code /orders/worker-3}; unique in its system while it lives. */
    String path();

    /**
     * Puts a message in the actor's mailbox.
     *
     * <p>Backpressure: a bounded mailbox applies its overflow policy: {@code BLOCK} waits for room,
     * {@code DROP_*} drops a message to dead letters and reports {@code OK}, {@code FAIL} reports
     * {@code FULL} and the message goes to dead letters.
     *
     * @return {@code OK}; {@code FULL} (policy {@code FAIL}, or interrupted while waiting);
     *         {@code CLOSED} if the actor is stopped or its system is shutting down — the message
     *         then goes to {@link DeadLetters}
     * @throws NullPointerException if {@code message} is null
     */
    SendResult tell(M message);

    /**
     * Request-reply: builds a message around a one-shot reply handle and tells it.
     *
     * <p>The future fails with {@link java.util.concurrent.TimeoutException} if no reply comes
     * within {@code timeout}, and at once with {@link ActorStoppedException} if the actor is
     * stopped. A reply that comes too late goes to dead letters, never to another asker. A
     * thread that blocks on the future ({@code get}, {@code join}) waits briefly without parking
     * before it parks (never past a timed {@code get}'s timeout).
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    <R> CompletableFuture<R> ask(Function<ActorRef<R>, ? extends M> request, Duration timeout);

    /** Mailbox depth and counters, readable at any time. */
    MailboxStats stats();

    /** {@code true} once the actor has stopped for good. */
    boolean isTerminated();
}
