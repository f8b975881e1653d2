package io.flowrelay.stress.mix;

import java.util.List;

/**
 * Everything the random stress mix drives. A new primitive joins the mix, the stress tests and
 * the soak runner with one line here (and its {@link StressTarget}).
 */
public final class StressTargets {

    private StressTargets() {
    }

    public static List<StressTarget> all() {
        return List.of(
                new ChannelTarget(),
                new ActorTarget(),
                new StageTarget()
                // Broadcast, Watch, Oneshot, Select, Broker, AckQueue: one line each as they land
        );
    }

    /** The target called {@code name}. */
    public static StressTarget named(String name) {
        return all().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stress target " + name));
    }
}
