package io.flowrelay.queue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A job of an {@link AckQueue}: its payload and one state word, the stamp, that holds the current
 * attempt and its phase together, so that settling an attempt is one CAS that fails for any other
 * attempt (a stale delivery).
 *
 * @param <T> the payload type
 */
final class Job<T> {

    /*
     * Implementation notes
     *
     * stamp = attempt << 3 | phase. Transitions, each one CAS by whoever makes it:
     *   (a, READY)    -> (a, IN_FLIGHT)   the tracking subscriber, as it hands the delivery over
     *   (a, IN_FLIGHT)-> (a, ACKED)       ack()
     *   (a, IN_FLIGHT)-> (a + 1, READY)   nack() or the sweep (timeout), when a < maxAttempts
     *   (a, IN_FLIGHT)-> (a, DELAYED)     nack(delay), when a < maxAttempts
     *   (a, DELAYED)  -> (a + 1, READY)   the sweep, once the delay has passed
     *   (a, IN_FLIGHT)-> (a, DEAD)        nack() or the sweep, when a == maxAttempts
     * ACKED and DEAD are final. Whoever wins a transition out of IN_FLIGHT/DELAYED also removes
     * the delivery from the in-flight set, before any new delivery of the job exists.
     */

    static final int READY = 0;
    static final int IN_FLIGHT = 1;
    static final int DELAYED = 2;
    static final int ACKED = 3;
    static final int DEAD = 4;

    final long id;
    final T payload;
    private volatile long stamp;

    Job(long id, T payload) {
        this.id = id;
        this.payload = payload;
        this.stamp = stamp(1, READY);
    }

    static long stamp(int attempt, int phase) {
        return ((long) attempt << 3) | phase;
    }

    long stamp() {
        return stamp;
    }

    boolean casStamp(long expect, long update) {
        return STAMP.compareAndSet(this, expect, update);
    }

    private static final VarHandle STAMP;

    static {
        try {
            STAMP = MethodHandles.lookup().findVarHandle(Job.class, "stamp", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
