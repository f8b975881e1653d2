package io.flowrelay.actor;

/** An {@code ask} to an actor that is stopped (or whose system is shutting down). */
public class ActorStoppedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public ActorStoppedException(String message) {
        super(message);
    }
}
