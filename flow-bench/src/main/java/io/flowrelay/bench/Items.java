package io.flowrelay.bench;

/**
 * The payload every subject moves: the same 1024 pre-boxed {@code Integer}s, cycled, so that no
 * subject allocates its payload and every one pays the same for it. Sources that make their own
 * items (Reactor's and Pekko's {@code range}) are fed the same way to FlowRelay where it matters
 * (see the pipeline scenario).
 */
public final class Items {

    private static final Integer[] BOXED = new Integer[1024];

    static {
        for (int i = 0; i < BOXED.length; i++) {
            BOXED[i] = 1_000_000 + i; // outside the Integer cache: real objects, like user payloads
        }
    }

    private Items() {
    }

    /** The {@code i}-th item. */
    public static Integer get(int i) {
        return BOXED[i & 1023];
    }
}
