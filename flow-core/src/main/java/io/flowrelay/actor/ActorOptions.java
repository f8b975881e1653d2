package io.flowrelay.actor;

import java.util.Objects;

/**
 * How an actor (or an actor stage) is run: its mailbox, its dispatcher and its supervision.
 * Immutable; the setters return copies.
 *
 * <pre>{@code
 * ActorOptions opts = ActorOptions.defaults()
 *         .mailbox(Mailbox.bounded(1024, Overflow.DROP_OLDEST))
 *         .dispatcher(Dispatcher.pinned(4))
 *         .supervision(SupervisorStrategy.resume());
 * }</pre>
 */
public final class ActorOptions {

    private static final ActorOptions DEFAULTS = new ActorOptions(Mailbox.unbounded(), null, SupervisorStrategy.restart());

    private final Mailbox mailbox;
    private final Dispatcher dispatcher;
    private final SupervisorStrategy supervision;

    private ActorOptions(Mailbox mailbox, Dispatcher dispatcher, SupervisorStrategy supervision) {
        this.mailbox = mailbox;
        this.dispatcher = dispatcher;
        this.supervision = supervision;
    }

    /** Unbounded mailbox, the system's default dispatcher, {@link SupervisorStrategy#restart()}. */
    public static ActorOptions defaults() {
        return DEFAULTS;
    }

    public ActorOptions mailbox(Mailbox mailbox) {
        return new ActorOptions(Objects.requireNonNull(mailbox, "mailbox"), dispatcher, supervision);
    }

    public ActorOptions dispatcher(Dispatcher dispatcher) {
        return new ActorOptions(mailbox, Objects.requireNonNull(dispatcher, "dispatcher"), supervision);
    }

    public ActorOptions supervision(SupervisorStrategy supervision) {
        return new ActorOptions(mailbox, dispatcher, Objects.requireNonNull(supervision, "supervision"));
    }

    public Mailbox mailbox() {
        return mailbox;
    }

    /** The dispatcher, or {@code null} for the system's default. */
    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public SupervisorStrategy supervision() {
        return supervision;
    }

    @Override
    public String toString() {
        return "ActorOptions[" + mailbox + ", " + (dispatcher == null ? "default dispatcher" : dispatcher) + ", " + supervision + "]";
    }
}
