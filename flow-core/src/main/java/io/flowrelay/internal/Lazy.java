package io.flowrelay.internal;

import java.lang.invoke.VarHandle;
import java.util.function.Supplier;

/**
 * A field made on first use, by whichever thread needs it first: one CAS from {@code null} to the
 * new value decides, a loser uses the winner's value. The field must be volatile and never reset
 * to {@code null}. Readers that only look (is there a queue, is it empty) read the field and treat
 * {@code null} as empty; the CAS is a full fence, so the Dekker pairs that read the field instead
 * of the object behind it hold as before.
 */
public final class Lazy {

    private Lazy() {
    }

    /** The value of {@code field} in {@code owner}, made by {@code factory} and installed if it was {@code null}. */
    @SuppressWarnings("unchecked")
    public static <V> V get(VarHandle field, Object owner, Supplier<? extends V> factory) {
        V v = (V) field.getVolatile(owner);
        if (v != null) {
            return v;
        }
        V made = factory.get();
        V witness = (V) field.compareAndExchange(owner, (Object) null, (Object) made);
        return witness == null ? made : witness;
    }
}
