package io.flowrelay.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One case alone, round after round: one positive figure per round (no speed asserted). */
class CaseRoundsTest {

    @Test
    void aThroughputCaseGivesOneRatePerRound() throws Exception {
        List<double[]> f = CaseRounds.run(Scenarios.byId().get("T1.flowrelay"), 2, 10_000);
        assertEquals(2, f.size());
        for (double[] r : f) {
            assertEquals(1, r.length);
            assertTrue(r[0] > 0.0, "M/s " + r[0]);
        }
    }

    @Test
    void aLatencyCaseGivesP50AndP99PerRound() throws Exception {
        List<double[]> f = CaseRounds.run(Scenarios.byId().get("T5.ask.flowrelay"), 2, 1_000);
        assertEquals(2, f.size());
        for (double[] r : f) {
            assertEquals(2, r.length);
            assertTrue(r[0] > 0.0 && r[1] >= r[0], "p50 " + r[0] + ", p99 " + r[1]);
        }
    }

    @Test
    void aCaseThatCannotRunHereSaysWhy() {
        Scenarios.Case skipped = Scenarios.all().stream().filter(Scenarios.Case::skipped).findFirst().orElse(null);
        if (skipped != null) { // jox on JDK 17
            assertThrows(IllegalArgumentException.class, () -> CaseRounds.run(skipped, 1, 10));
        }
    }
}
