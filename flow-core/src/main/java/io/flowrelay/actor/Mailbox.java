package io.flowrelay.actor;

import io.flowrelay.channel.Overflow;

import java.util.Objects;

/**
 * The shape of an actor's mailbox: unbounded (default) or bounded with an overflow policy, both
 * on JCTools MPSC queues. Messages dropped by the policy go to {@link DeadLetters}.
 */
public final class Mailbox {

    private static final Mailbox UNBOUNDED = new Mailbox(Integer.MAX_VALUE, Overflow.BLOCK);

    private final int capacity;
    private final Overflow overflow;

    private Mailbox(int capacity, Overflow overflow) {
        this.capacity = capacity;
        this.overflow = overflow;
    }

    /** No limit: {@code tell} never waits. */
    public static Mailbox unbounded() {
        return UNBOUNDED;
    }

    /** At most {@code capacity} messages (rounded up to a power of two, at least 2); {@code tell} waits while full. */
    public static Mailbox bounded(int capacity) {
        return bounded(capacity, Overflow.BLOCK);
    }

    /** At most {@code capacity} messages (rounded up to a power of two, at least 2), with an overflow policy. */
    public static Mailbox bounded(int capacity, Overflow overflow) {
        if (capacity < 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("mailbox capacity must be in [1, 2^30], got " + capacity);
        }
        return new Mailbox(capacity, Objects.requireNonNull(overflow, "overflow"));
    }

    /** The requested capacity, {@link Integer#MAX_VALUE} if unbounded. */
    public int capacity() {
        return capacity;
    }

    public Overflow overflow() {
        return overflow;
    }

    public boolean isBounded() {
        return capacity != Integer.MAX_VALUE;
    }

    @Override
    public String toString() {
        return isBounded() ? "Mailbox.bounded(" + capacity + ", " + overflow + ")" : "Mailbox.unbounded()";
    }
}
