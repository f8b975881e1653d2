package io.flowrelay.internal;

import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The copy-on-write set of delivery loops of a publisher (a channel's competing subscribers, the
 * subscribers of {@code Broadcast}, {@code Watch}, {@code Oneshot}): a {@code volatile DeliveryLoop<?>[]} field of its owner, reached through a
 * {@link VarHandle} like {@link Demand}'s fields, so that a publisher walks a plain array on its
 * hot path and subscribing or leaving (rare) pays for the copy.
 *
 * <pre>{@code
 * volatile DeliveryLoop<?>[] subscribers = LoopArray.EMPTY;
 * LoopArray.add(SUBSCRIBERS, this, loop);          // subscribe
 * for (DeliveryLoop<?> s : subscribers) s.wakeIfIdle();   // publish
 * LoopArray.remove(SUBSCRIBERS, this, loop);       // the loop's onFinished()
 * }</pre>
 */
public final class LoopArray {

    /** The empty set. */
    public static final DeliveryLoop<?>[] EMPTY = new DeliveryLoop<?>[0];

    private LoopArray() {
    }

    /** Adds {@code loop} (CAS of a copy, so a full fence). */
    public static void add(VarHandle field, Object owner, DeliveryLoop<?> loop) {
        for (;;) {
            DeliveryLoop<?>[] a = (DeliveryLoop<?>[]) field.getVolatile(owner);
            DeliveryLoop<?>[] b = Arrays.copyOf(a, a.length + 1);
            b[a.length] = loop;
            if (field.compareAndSet(owner, a, b)) {
                return;
            }
        }
    }

    /**
     * Removes {@code loop} if present.
     *
     * @return {@code true} if this call removed it
     */
    public static boolean remove(VarHandle field, Object owner, DeliveryLoop<?> loop) {
        for (;;) {
            DeliveryLoop<?>[] a = (DeliveryLoop<?>[]) field.getVolatile(owner);
            int i = -1;
            for (int j = 0; j < a.length; j++) {
                if (a[j] == loop) {
                    i = j;
                    break;
                }
            }
            if (i < 0) {
                return false;
            }
            DeliveryLoop<?>[] b;
            if (a.length == 1) {
                b = EMPTY;
            } else {
                b = new DeliveryLoop<?>[a.length - 1];
                System.arraycopy(a, 0, b, 0, i);
                System.arraycopy(a, i + 1, b, i, a.length - i - 1);
            }
            if (field.compareAndSet(owner, a, b)) {
                return true;
            }
        }
    }

    /** Makes every loop of {@code loops} run again (a terminal event: no demand needed, RS 1.4). */
    public static void scheduleAll(DeliveryLoop<?>[] loops) {
        for (DeliveryLoop<?> s : loops) {
            s.schedule();
        }
    }

    /** Wakes every idle loop of {@code loops} that has demand (after an item was published and a full fence). */
    public static void wakeAll(DeliveryLoop<?>[] loops) {
        for (DeliveryLoop<?> s : loops) {
            s.wakeIfIdle();
        }
    }
}
