package io.flowrelay.internal;

import java.lang.invoke.VarHandle;

/**
 * The copy-on-write set of delivery loops of a publisher (a channel's competing subscribers, the
 * subscribers of {@code Broadcast}, {@code Watch}, {@code Oneshot}, an actor's turn loop on its
 * mailbox): a {@code volatile Object} field of its owner, reached through a {@link VarHandle} like
 * {@link Demand}'s fields, so that a publisher reads one field on its hot path and subscribing or
 * leaving (rare) pays for the copy.
 *
 * <p>The field holds {@code null} (no loop), the loop itself (one: the common case, a mailbox or a
 * channel with one subscriber, which then costs no array — 24 bytes per idle actor), or a
 * {@code DeliveryLoop<?>[]} of two or more. Sets are immutable values: compare them with {@code ==}.
 *
 * <pre>{@code
 * volatile Object subscribers;                           // null: empty
 * LoopArray.add(SUBSCRIBERS, this, loop);                // subscribe
 * LoopArray.wakeAll(subscribers);                        // publish
 * LoopArray.remove(SUBSCRIBERS, this, loop);             // the loop's onFinished()
 * }</pre>
 */
public final class LoopArray {

    private LoopArray() {
    }

    /** Adds {@code loop} (CAS of a copy, so a full fence). */
    public static void add(VarHandle field, Object owner, DeliveryLoop<?> loop) {
        for (;;) {
            Object a = field.getVolatile(owner);
            Object b;
            if (a == null) {
                b = loop;
            } else if (a instanceof DeliveryLoop<?> one) {
                b = new DeliveryLoop<?>[] {one, loop};
            } else {
                DeliveryLoop<?>[] many = (DeliveryLoop<?>[]) a;
                DeliveryLoop<?>[] c = new DeliveryLoop<?>[many.length + 1];
                System.arraycopy(many, 0, c, 0, many.length);
                c[many.length] = loop;
                b = c;
            }
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
            Object a = field.getVolatile(owner);
            Object b;
            if (a == loop) {
                b = null;
            } else if (a == null || a instanceof DeliveryLoop<?>) {
                return false;
            } else {
                DeliveryLoop<?>[] many = (DeliveryLoop<?>[]) a;
                int i = -1;
                for (int j = 0; j < many.length; j++) {
                    if (many[j] == loop) {
                        i = j;
                        break;
                    }
                }
                if (i < 0) {
                    return false;
                }
                if (many.length == 2) {
                    b = many[1 - i];
                } else {
                    DeliveryLoop<?>[] c = new DeliveryLoop<?>[many.length - 1];
                    System.arraycopy(many, 0, c, 0, i);
                    System.arraycopy(many, i + 1, c, i, many.length - i - 1);
                    b = c;
                }
            }
            if (field.compareAndSet(owner, a, b)) {
                return true;
            }
        }
    }

    /** The number of loops in {@code set}. */
    public static int size(Object set) {
        return set == null ? 0 : set instanceof DeliveryLoop<?> ? 1 : ((DeliveryLoop<?>[]) set).length;
    }

    /** {@code true} if {@code set} holds two or more loops (an exact class check: cheap on a hot path). */
    public static boolean isMany(Object set) {
        return set != null && set.getClass() == DeliveryLoop[].class;
    }

    /** The {@code i}-th loop of {@code set}, {@code 0 <= i < size(set)}. */
    public static DeliveryLoop<?> get(Object set, int i) {
        if (set instanceof DeliveryLoop<?> one) {
            if (i != 0) {
                throw new IndexOutOfBoundsException(i);
            }
            return one;
        }
        return ((DeliveryLoop<?>[]) set)[i];
    }

    /** Makes every loop of {@code set} run again (a terminal event: no demand needed, RS 1.4). */
    public static void scheduleAll(Object set) {
        if (set instanceof DeliveryLoop<?> one) {
            one.schedule();
        } else if (set != null) {
            for (DeliveryLoop<?> s : (DeliveryLoop<?>[]) set) {
                s.schedule();
            }
        }
    }

    /** Wakes every idle loop of {@code set} that has demand (after an item was published and a full fence). */
    public static void wakeAll(Object set) {
        if (set instanceof DeliveryLoop<?> one) {
            one.wakeIfIdle();
        } else if (set != null) {
            for (DeliveryLoop<?> s : (DeliveryLoop<?>[]) set) {
                s.wakeIfIdle();
            }
        }
    }

    /** Wakes the first idle loop of {@code set} that has demand; {@code true} if one was woken. */
    public static boolean wakeOne(Object set) {
        if (set instanceof DeliveryLoop<?> one) {
            return one.wakeIfIdle();
        }
        if (set != null) {
            for (DeliveryLoop<?> s : (DeliveryLoop<?>[]) set) {
                if (s.wakeIfIdle()) {
                    return true;
                }
            }
        }
        return false;
    }
}
