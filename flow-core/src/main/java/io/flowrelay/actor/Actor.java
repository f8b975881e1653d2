package io.flowrelay.actor;

/**
 * A behavior with lifecycle hooks and state of its own. The factory given to {@code spawn} makes
 * a fresh instance at start and at every restart, so state is reset by a restart.
 *
 * <pre>{@code
 * final class Counter extends Actor<Counter.Command> {
 *     sealed interface Command permits Add, Get {}
 *     record Add(int n) implements Command {}
 *     record Get(ActorRef<Integer> replyTo) implements Command {}
 *
 *     private int total;
 *
 *     public Behavior<Command> receive(ActorContext<Command> ctx, Command cmd) {
 *         switch (cmd) {
 *             case Add a -> total += a.n();
 *             case Get g -> g.replyTo().tell(total);
 *         }
 *         return Behaviors.same();
 *     }
 * }
 * }</pre>
 *
 * <p>Threading: every method runs on the actor's dispatcher, one at a time, so fields need no
 * synchronisation.
 *
 * @param <M> the message type
 */
public abstract class Actor<M> implements Behavior<M> {

    /** Before the first message, and after each restart on the fresh instance. A throw is a failure. */
    public void preStart(ActorContext<M> ctx) throws Exception {
    }

    /** After the actor stopped (or before its instance is replaced by a restart: see {@link #preRestart}). */
    public void postStop(ActorContext<M> ctx) {
    }

    /** On the failed instance before it is replaced; children are stopped after it. */
    public void preRestart(ActorContext<M> ctx, Throwable cause) {
    }

    /** A signal such as {@link Terminated} of a watched actor; by default ignored. */
    public Behavior<M> onSignal(ActorContext<M> ctx, Signal signal) throws Exception {
        return Behaviors.same();
    }
}
