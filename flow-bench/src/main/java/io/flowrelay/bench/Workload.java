package io.flowrelay.bench;

import org.HdrHistogram.Histogram;

/**
 * One subject (FlowRelay or a peer) set up for one scenario. The runner and the JMH benchmarks
 * both call {@link #run(int)}: it performs {@code n} operations and returns when every one of them
 * has completed (the last item received, the last reply in).
 */
public interface Workload extends AutoCloseable {

    /** Performs {@code n} operations and waits for all of them to complete. */
    void run(int n) throws Exception;

    /** For latency workloads: the per-operation latencies (ns) recorded by the last run, else {@code null}. */
    default Histogram latencies() {
        return null;
    }

    /** Operations actually delivered per {@code run(n)} call, when they differ from {@code n} (fan-out). */
    default long deliveries(int n) {
        return n;
    }

    @Override
    default void close() throws Exception {
    }
}
