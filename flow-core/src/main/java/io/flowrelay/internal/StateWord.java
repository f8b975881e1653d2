package io.flowrelay.internal;

import java.lang.invoke.VarHandle;

/**
 * The one terminal-state word: an {@code int} field of bit flags (CLOSED, FAILED, DONE,
 * CANCELLED ...) that is only ever set, never cleared, through a {@link VarHandle}. Each owner
 * names its own bits; this class makes "exactly once" mean the same everywhere.
 */
public final class StateWord {

    private StateWord() {
    }

    /** Sets {@code bits}; returns the previous word. */
    public static int set(VarHandle field, Object owner, int bits) {
        return (int) field.getAndBitwiseOr(owner, bits);
    }

    /** Sets {@code bit}; {@code true} for the one call that set it first. */
    public static boolean setOnce(VarHandle field, Object owner, int bit) {
        return (set(field, owner, bit) & bit) == 0;
    }

    /**
     * Sets {@code bits} only if none of {@code unless} is set yet.
     *
     * @return {@code true} if this call changed the word
     */
    public static boolean setUnless(VarHandle field, Object owner, int bits, int unless) {
        for (;;) {
            int s = (int) field.getVolatile(owner);
            if ((s & unless) != 0) {
                return false;
            }
            if (field.compareAndSet(owner, s, s | bits)) {
                return true;
            }
        }
    }

    /** {@code true} if every bit of {@code bits} is set in {@code word}. */
    public static boolean has(int word, int bits) {
        return (word & bits) == bits;
    }
}
