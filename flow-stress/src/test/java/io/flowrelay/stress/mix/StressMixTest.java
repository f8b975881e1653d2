package io.flowrelay.stress.mix;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.DynamicTest;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The random stress mix, one test per target ({@link StressTargets}): rounds of 8 threads doing
 * random operations, each round's invariants checked at its end. Short by default
 * ({@code flowrelay.stress.seconds}, 3 s per target in {@code mvn verify}); long with
 * {@code -Pstress-long} (60 s per target) or {@code -Dflowrelay.stress.seconds=N}; longer still
 * with the soak runner ({@link Soak}).
 */
@Tag("stress")
class StressMixTest {

    static final long SECONDS = Long.getLong("flowrelay.stress.seconds", 3L);
    static final long SEED = Long.getLong("flowrelay.stress.seed", System.nanoTime());

    @TestFactory
    Stream<DynamicTest> everyTargetKeepsItsInvariantsUnderTheRandomMix() {
        return StressTargets.all().stream().map(target -> DynamicTest.dynamicTest(target.name(), () -> {
            StressMix mix = new StressMix(SEED, 100_000_000L);
            long rounds = mix.run(target, SECONDS * 1_000_000_000L);
            System.out.println(target.name() + ": " + rounds + " rounds in " + SECONDS + " s, seed " + SEED + ": " + mix.stats());
            assertEquals(0, mix.violationCount(), () -> "seed " + SEED + ": " + String.join("\n", mix.violations()));
            assertTrue(mix.stats().delivered.sum() > 0, "the mix delivered nothing: it did not run");
        }));
    }
}
