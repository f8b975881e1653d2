package io.flowrelay.channel;

/**
 * The error that ends a subscriber of a {@link Broadcast.Policy#LAG} broadcast when it fell a
 * whole ring behind and does not implement {@link Broadcast.LagListener}: rather than a silent
 * gap, the stream ends and says how many items were lost. Items before the gap were delivered.
 */
public class LaggedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final long missed;

    public LaggedException(long missed) {
        super("subscriber lagged behind the broadcast and missed " + missed
                + " item(s); implement Broadcast.LagListener to skip ahead instead of failing");
        this.missed = missed;
    }

    /** How many items the subscriber missed. */
    public long missed() {
        return missed;
    }
}
