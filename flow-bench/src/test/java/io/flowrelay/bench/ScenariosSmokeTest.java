package io.flowrelay.bench;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case of every scenario, FlowRelay's and its peers', runs to completion on a few thousand
 * items: the workloads deliver everything they are asked to (each one checks its own count). No
 * speed is asserted here; speed lives in the runner.
 */
class ScenariosSmokeTest {

    @TestFactory
    Stream<DynamicTest> everyCaseCompletes() {
        return Scenarios.all().stream().filter(c -> !c.skipped()).map(c -> DynamicTest.dynamicTest(c.id(), () -> {
            int n = c.kind() == Scenarios.Kind.LATENCY ? 200 : 5_000;
            try (Workload w = c.factory().create()) {
                w.run(n);
                w.run(n);
                if (c.kind() == Scenarios.Kind.LATENCY) {
                    assertNotNull(w.latencies(), c.id());
                    assertTrue(w.latencies().getTotalCount() == n, c.id() + " recorded " + w.latencies().getTotalCount());
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> skippedCasesSayWhy() {
        return Scenarios.all().stream().filter(Scenarios.Case::skipped).map(c -> DynamicTest.dynamicTest(c.id(),
                () -> assertTrue(c.skipReason() != null && !c.skipReason().isEmpty(), c.id())));
    }
}
