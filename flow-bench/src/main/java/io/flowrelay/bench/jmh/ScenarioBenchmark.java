package io.flowrelay.bench.jmh;

import io.flowrelay.bench.Scenarios;
import io.flowrelay.bench.Workload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The throughput scenarios (T1-T4, T6) of {@link Scenarios} under JMH: each invocation moves
 * {@value #OPS} items through the case's workload (for T6 each item reaches 10 subscribers).
 * T8's allocation figures come from this benchmark with {@code -prof gc} ({@code gc.alloc.rate.norm}
 * divided by {@value #OPS}):
 *
 * <pre>
 * java -jar flow-bench/target/flow-bench.jar --jmh ScenarioBenchmark -p caseId=T1.flowrelay,T3.flowrelay -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class ScenarioBenchmark {

    /** Items per invocation. */
    public static final int OPS = 1_000_000;

    @Param({"T1.flowrelay", "T1.submission-publisher", "T1.array-blocking-queue", "T1.jctools-spsc-spin",
            "T1.jctools-mpsc-spin", "T2.flowrelay", "T2.array-blocking-queue", "T3.flowrelay", "T3.flowrelay-bounded", "T3.flowrelay-paced", "T3.pekko",
            "T4.flowrelay", "T4.reactor", "T4.rxjava", "T4.pekko-streams", "T6.flowrelay", "T6.submission-publisher"})
    public String caseId;

    private Workload workload;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Scenarios.Case c = Scenarios.byId().get(caseId);
        if (c == null || c.skipped()) {
            throw new IllegalStateException("case " + caseId + (c == null ? " is unknown" : " is skipped: " + c.skipReason()));
        }
        workload = c.factory().create();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        workload.close();
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void run() throws Exception {
        workload.run(OPS);
    }
}
