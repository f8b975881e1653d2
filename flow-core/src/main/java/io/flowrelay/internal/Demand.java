package io.flowrelay.internal;

import java.lang.invoke.VarHandle;

/**
 * The one place where Reactive Streams demand arithmetic lives.
 *
 * <p>Demand is a {@code long} field of its owner, reached through a {@link VarHandle}, so that no
 * extra object is allocated per subscription. The field holds the outstanding demand, with two
 * special values: {@link Long#MAX_VALUE} means unbounded (RS 3.17: it is never decremented again),
 * and {@link #CANCELLED} means the subscription was cancelled (it never changes again).
 *
 * <pre>{@code
 * volatile long requested;
 * static final VarHandle REQUESTED = ...;
 *
 * public void request(long n) {
 *     if (Demand.add(REQUESTED, this, n) != Demand.CANCELLED) drain();
 * }
 * }</pre>
 */
public final class Demand {

    /** The value of a demand field once its subscription is cancelled. */
    public static final long CANCELLED = Long.MIN_VALUE;

    private Demand() {
    }

    /** {@code a + b} capped at {@link Long#MAX_VALUE}; both must be non-negative. */
    public static long addCap(long a, long b) {
        long r = a + b;
        return r < 0L ? Long.MAX_VALUE : r;
    }

    /**
     * Adds {@code n > 0} to the demand field, capping at {@link Long#MAX_VALUE} (RS 3.17).
     *
     * @return the previous value: {@link #CANCELLED} if cancelled (nothing was added)
     */
    public static long add(VarHandle field, Object owner, long n) {
        for (;;) {
            long r = (long) field.getVolatile(owner);
            if (r == CANCELLED || r == Long.MAX_VALUE) {
                return r;
            }
            if (field.compareAndSet(owner, r, addCap(r, n))) {
                return r;
            }
        }
    }

    /**
     * Subtracts {@code n} delivered items from the demand field with a floor of zero; unbounded
     * ({@link Long#MAX_VALUE}) and cancelled demand are left as they are.
     *
     * @return the demand that remains
     */
    public static long produced(VarHandle field, Object owner, long n) {
        for (;;) {
            long r = (long) field.getVolatile(owner);
            if (r == CANCELLED || r == Long.MAX_VALUE) {
                return r;
            }
            long u = r - n;
            if (u < 0L) {
                u = 0L;
            }
            if (field.compareAndSet(owner, r, u)) {
                return u;
            }
        }
    }

    /**
     * Marks the demand field cancelled.
     *
     * @return {@code true} for the one call that cancelled it, {@code false} if already cancelled
     */
    public static boolean cancel(VarHandle field, Object owner) {
        return (long) field.getAndSet(owner, CANCELLED) != CANCELLED;
    }

    /** The error that RS 3.9 requires for a non-positive {@code request(n)}. */
    public static IllegalArgumentException badRequest(long n) {
        return new IllegalArgumentException("§3.9 violated: request(n) needs n > 0, got " + n);
    }
}
