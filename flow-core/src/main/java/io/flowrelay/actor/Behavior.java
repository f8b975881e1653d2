package io.flowrelay.actor;

/**
 * How an actor handles its next message, and what it becomes afterwards: return
 * {@link Behaviors#same()} to stay, {@link Behaviors#stopped()} to stop, or another behavior to
 * switch to it (become). Returning {@code null} is a failure ({@link IllegalStateException})
 * handled by the actor's supervision.
 *
 * <pre>{@code
 * Behavior<String> echo = (ctx, msg) -> {
 *     System.out.println(ctx.self().path() + " got " + msg);
 *     return Behaviors.same();
 * };
 * }</pre>
 *
 * @param <M> the message type
 */
@FunctionalInterface
public interface Behavior<M> {

    /** Handles one message; runs on the actor's dispatcher, never concurrently with itself. */
    Behavior<M> receive(ActorContext<M> ctx, M message) throws Exception;
}
