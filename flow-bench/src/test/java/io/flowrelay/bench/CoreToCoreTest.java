package io.flowrelay.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The machine's baseline probe runs to completion and reports one positive figure per round (no speed asserted). */
class CoreToCoreTest {

    @Test
    void reportsOnePositiveFigurePerRound() throws Exception {
        double[] nanos = CoreToCore.measure(3, 2_000);
        assertEquals(3, nanos.length);
        for (double n : nanos) {
            assertTrue(n > 0.0, "a round trip takes time: " + n);
        }
    }
}
