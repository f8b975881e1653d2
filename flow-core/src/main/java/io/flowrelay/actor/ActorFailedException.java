package io.flowrelay.actor;

/** The failure a parent gets when a child escalates; the child's exception is the cause. */
public class ActorFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String childPath;

    public ActorFailedException(String childPath, Throwable cause) {
        super("child " + childPath + " failed: " + cause, cause);
        this.childPath = childPath;
    }

    /** Path of the child that escalated. */
    public String childPath() {
        return childPath;
    }
}
