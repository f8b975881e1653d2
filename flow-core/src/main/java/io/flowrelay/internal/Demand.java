package io.flowrelay.internal;

import java.lang.invoke.VarHandle;

/**
 * The one place where Reactive Streams demand arithmetic lives.
 *
 * <p>Demand is a {@code long} field of its owner, reached through a {@link VarHandle}, so that no
 * extra object is allocated per subscription. The field holds the outstanding demand (zero or
 * more); {@link Long#MAX_VALUE} means unbounded (RS 3.17: it is never decremented again), and any
 * negative value means the subscription has ended and the field never changes again:
 * {@link #CANCELLED} by a cancel, or a mark ({@link #endWithBadRequest}) of the non-positive
 * {@code request(n)} that ended it (RS 3.9), from which {@link #endError} makes the error. So a
 * subscription needs no second field to remember why it ended, and the first of a cancel and a
 * bad request decides (RS 3.6: a bad request after a cancel is a no-op).
 *
 * <pre>{@code
 * volatile long requested;
 * static final VarHandle REQUESTED = ...;
 *
 * public void request(long n) {
 *     if (n <= 0L ? Demand.endWithBadRequest(REQUESTED, this, n) : Demand.add(REQUESTED, this, n) >= 0L) drain();
 * }
 * }</pre>
 */
public final class Demand {

    /** The value of a demand field once its subscription is cancelled. */
    public static final long CANCELLED = Long.MIN_VALUE;

    /** The bad-request mark nearest to {@link #CANCELLED} (see {@link #endWithBadRequest}). */
    private static final long LOWEST_MARK = Long.MIN_VALUE + 1L;

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
     * @return the previous value: negative if the subscription has ended (nothing was added)
     */
    public static long add(VarHandle field, Object owner, long n) {
        for (;;) {
            long r = (long) field.getVolatile(owner);
            if (r < 0L || r == Long.MAX_VALUE) {
                return r;
            }
            if (field.compareAndSet(owner, r, addCap(r, n))) {
                return r;
            }
        }
    }

    /**
     * Subtracts {@code n} delivered items from the demand field with a floor of zero; unbounded
     * ({@link Long#MAX_VALUE}) and ended (negative) demand are left as they are.
     *
     * @return the demand that remains
     */
    public static long produced(VarHandle field, Object owner, long n) {
        for (;;) {
            long r = (long) field.getVolatile(owner);
            if (r < 0L || r == Long.MAX_VALUE) {
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
     * Marks the demand field cancelled, unless the subscription has already ended.
     *
     * @return {@code true} for the one call that ended it, {@code false} if it had ended
     */
    public static boolean cancel(VarHandle field, Object owner) {
        return end(field, owner, CANCELLED);
    }

    /**
     * Ends the subscription for a non-positive {@code request(n)} (RS 3.9), unless it has already
     * ended: the field keeps a mark of {@code n}, {@code n - 1}, a negative value above
     * {@link #CANCELLED} (the three lowest longs share the lowest mark, which reads back as
     * {@link Long#MIN_VALUE}).
     *
     * @return {@code true} for the one call that ended it, {@code false} if it had ended
     */
    public static boolean endWithBadRequest(VarHandle field, Object owner, long n) {
        if (n > 0L) {
            throw new IllegalArgumentException("not a bad request: " + n);
        }
        return end(field, owner, Math.max(n, LOWEST_MARK + 1L) - 1L);
    }

    private static boolean end(VarHandle field, Object owner, long mark) {
        for (;;) {
            long r = (long) field.getVolatile(owner);
            if (r < 0L) {
                return false;
            }
            if (field.compareAndSet(owner, r, mark)) {
                return true;
            }
        }
    }

    /**
     * For an ended demand field's value: {@code null} after a cancel, else the RS 3.9 error for
     * the request that ended it.
     */
    public static IllegalArgumentException endError(long ended) {
        if (ended >= 0L) {
            throw new IllegalArgumentException("not an ended demand: " + ended);
        }
        return ended == CANCELLED ? null : badRequest(ended == LOWEST_MARK ? Long.MIN_VALUE : ended + 1L);
    }

    /** The error that RS 3.9 requires for a non-positive {@code request(n)}. */
    public static IllegalArgumentException badRequest(long n) {
        return new IllegalArgumentException("§3.9 violated: request(n) needs n > 0, got " + n);
    }
}
