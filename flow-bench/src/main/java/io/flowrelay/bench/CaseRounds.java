package io.flowrelay.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One case of {@link Scenarios}, alone, round after round in one JVM, with each round's figure
 * printed: for A/B runs of two builds of FlowRelay (no peer runs beside it, no warm-up beyond the
 * first rounds, which the reader discounts). Throughput cases print millions of items (or
 * deliveries) per second; latency cases print p50/p99 in microseconds.
 *
 * <pre>{@code
 * java -cp flow-bench/target/flow-bench.jar io.flowrelay.bench.CaseRounds T4.flowrelay 10
 * java -cp flow-bench/target/flow-bench.jar io.flowrelay.bench.CaseRounds T5.ask.flowrelay 8 200000
 * }</pre>
 */
public final class CaseRounds {

    private CaseRounds() {
    }

    /**
     * Runs {@code rounds} rounds of {@code ops} operations of the case.
     *
     * @return one figure per round: M/s for throughput, {p50, p99} in µs flattened for latency
     */
    public static List<double[]> run(Scenarios.Case c, int rounds, int ops) throws Exception {
        if (c.skipped()) {
            throw new IllegalArgumentException(c.id() + " cannot run here: " + c.skipReason());
        }
        List<double[]> figures = new ArrayList<>();
        try (AutoCloseableWorkload w = new AutoCloseableWorkload(c.factory().create())) {
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                w.workload.run(ops);
                long nanos = System.nanoTime() - t0;
                if (c.kind() == Scenarios.Kind.THROUGHPUT) {
                    figures.add(new double[] {w.workload.deliveries(ops) * 1_000.0 / nanos});
                } else {
                    var h = w.workload.latencies();
                    figures.add(new double[] {h.getValueAtPercentile(50) / 1_000.0, h.getValueAtPercentile(99) / 1_000.0});
                }
            }
        }
        return figures;
    }

    /** Closes the workload (its pools and actor systems) at the end. */
    private record AutoCloseableWorkload(Workload workload) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            workload.close();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: CaseRounds <case id> [rounds, default 10] [operations per round, default the full run's]");
            System.err.println("cases: " + Scenarios.byId().keySet());
            System.exit(2);
        }
        Scenarios.Case c = Scenarios.byId().get(args[0]);
        if (c == null) {
            System.err.println("no case " + args[0] + "; cases: " + Scenarios.byId().keySet());
            System.exit(2);
        }
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int ops = args.length > 2 ? Integer.parseInt(args[2]) : c.fullOps();
        StringBuilder sb = new StringBuilder();
        for (double[] f : run(c, rounds, ops)) {
            sb.append(f.length == 1 ? String.format(Locale.ROOT, " %.2f", f[0]) : String.format(Locale.ROOT, " %.2f/%.1f", f[0], f[1]));
        }
        System.out.println(c.id() + " (" + ops + " per round), " + (c.kind() == Scenarios.Kind.THROUGHPUT ? "M/s" : "p50/p99 us")
                + " per round:" + sb);
        System.exit(0); // peers' libraries may leave non-daemon threads behind
    }
}
