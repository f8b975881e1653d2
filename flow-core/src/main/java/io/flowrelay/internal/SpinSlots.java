package io.flowrelay.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many waits of one kind may spin long at once, process-wide: half the cores, at least one,
 * for idle delivery loops ({@link #LOOPS}) and as many for blocked senders ({@link #SENDERS}).
 * Long spins save the tens of microseconds that parking and waking cost here, but each holds a
 * core; with more waiting threads than cores they would take the CPU from the very threads they
 * wait for (a consumer, a producer outside the pool). So on two cores one consumer and one
 * producer may spin, never two producers. A wait that gets no slot spins briefly, yields, and
 * sleeps.
 *
 * <pre>{@code
 * boolean slot = SpinSlots.SENDERS.tryAcquire();
 * try { ...spin long if slot, briefly if not... } finally { if (slot) SpinSlots.SENDERS.release(); }
 * }</pre>
 */
public final class SpinSlots {

    /** Slots of each kind: half the cores, at least one. */
    public static final int MAX = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    /** For idle delivery loops waiting for their next item. */
    public static final SpinSlots LOOPS = new SpinSlots();

    /** For blocking sends waiting for room. */
    public static final SpinSlots SENDERS = new SpinSlots();

    private final AtomicInteger used = new AtomicInteger();

    private SpinSlots() {
    }

    /** Takes a slot if one is free; pair with {@link #release()}. */
    public boolean tryAcquire() {
        for (;;) {
            int n = used.get();
            if (n >= MAX) {
                return false;
            }
            if (used.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back a slot taken by {@link #tryAcquire()}. */
    public void release() {
        used.getAndDecrement();
    }
}
