package io.flowrelay.bench;

import java.lang.management.ManagementFactory;

/**
 * T8: bytes allocated per operation in steady state, by every thread of the JVM (the producer,
 * the consumer loop's pool threads, timers), from the JVM's per-thread allocation counters — the
 * figure JMH's {@code -prof gc} reports as {@code gc.alloc.rate.norm}. The payload is pre-boxed
 * ({@link Items}), so what is counted is the cost beyond the payload.
 */
final class Allocation {

    private Allocation() {
    }

    /** Warms the workload up, then returns the bytes allocated per operation over one run of {@code n}. */
    static double bytesPerOp(Workload w, int n, int warmups) throws Exception {
        for (int i = 0; i < warmups; i++) {
            w.run(n);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = allocated(mx);
        w.run(n);
        long after = allocated(mx);
        return (double) (after - before) / n;
    }

    private static long allocated(com.sun.management.ThreadMXBean mx) {
        long[] ids = mx.getAllThreadIds();
        long[] bytes = mx.getThreadAllocatedBytes(ids);
        long sum = 0;
        for (long b : bytes) {
            if (b > 0) {
                sum += b;
            }
        }
        return sum;
    }
}
