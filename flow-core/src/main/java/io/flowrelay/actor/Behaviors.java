package io.flowrelay.actor;

/** The special behaviors an actor returns to stay as it is or to stop. */
public final class Behaviors {

    private static final Behavior<Object> SAME = (ctx, msg) -> {
        throw new IllegalStateException("Behaviors.same() is a marker, not a behavior to run");
    };
    private static final Behavior<Object> STOPPED = (ctx, msg) -> {
        throw new IllegalStateException("Behaviors.stopped() is a marker, not a behavior to run");
    };

    private Behaviors() {
    }

    /** Keep the current behavior. */
    @SuppressWarnings("unchecked")
    public static <M> Behavior<M> same() {
        return (Behavior<M>) SAME;
    }

    /** Stop after this message: the rest of the mailbox goes to dead letters. */
    @SuppressWarnings("unchecked")
    public static <M> Behavior<M> stopped() {
        return (Behavior<M>) STOPPED;
    }

    static boolean isSame(Behavior<?> b) {
        return b == SAME;
    }

    static boolean isStopped(Behavior<?> b) {
        return b == STOPPED;
    }
}
