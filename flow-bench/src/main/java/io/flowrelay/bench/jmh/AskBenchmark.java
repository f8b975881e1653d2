package io.flowrelay.bench.jmh;

import io.flowrelay.bench.Scenarios;
import io.flowrelay.bench.Workload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** T5 under JMH: one {@code ask} round trip per invocation, sampled (p50/p99/p99.9 in the JMH report). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AskBenchmark {

    @Param({"T5.ask.flowrelay", "T5.ask.pekko"})
    public String caseId;

    private Workload workload;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        workload = Scenarios.byId().get(caseId).factory().create();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        workload.close();
    }

    @Benchmark
    public void ask() throws Exception {
        workload.run(1);
    }
}
