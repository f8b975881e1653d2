package io.flowrelay.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The machine's own floor for a hand-off between two threads, without any library: two plain
 * threads bounce a counter through one volatile field, each spinning until it sees the other's
 * write. A round trip is two cache-line transfers between the two cores; it bounds from below
 * what any cross-thread ping-pong (T5) can do on the machine at that moment, and tells which
 * state a noisy virtual machine is in.
 *
 * <pre>{@code java -cp flow-bench/target/flow-bench.jar io.flowrelay.bench.CoreToCore}</pre>
 */
public final class CoreToCore {

    private CoreToCore() {
    }

    /**
     * Runs {@code rounds} rounds of {@code trips} round trips after one warm-up round.
     *
     * @return the nanoseconds per round trip of each measured round
     */
    public static double[] measure(int rounds, int trips) throws InterruptedException {
        AtomicLong flag = new AtomicLong();
        long total = (long) (rounds + 1) * trips;
        Thread echo = new Thread(() -> {
            for (long i = 1; i <= total; i++) {
                long want = 2 * i - 1;
                while (flag.get() != want) {
                    Thread.onSpinWait();
                }
                flag.set(want + 1);
            }
        }, "core-to-core-echo");
        echo.setDaemon(true);
        echo.start();
        double[] nanos = new double[rounds];
        long i = 0;
        for (int r = -1; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < trips; k++) {
                i++;
                flag.set(2 * i - 1);
                while (flag.get() != 2 * i) {
                    Thread.onSpinWait();
                }
            }
            if (r >= 0) {
                nanos[r] = (double) (System.nanoTime() - t0) / trips;
            }
        }
        echo.join();
        return nanos;
    }

    public static void main(String[] args) throws InterruptedException {
        double[] nanos = measure(5, 400_000);
        double[] sorted = nanos.clone();
        Arrays.sort(sorted);
        StringBuilder sb = new StringBuilder();
        for (double n : nanos) {
            sb.append(String.format(" %.3f", n / 1000.0));
        }
        System.out.printf("core-to-core round trip, two plain threads on one volatile field: median %.3f us (rounds:%s)%n",
                sorted[sorted.length / 2] / 1000.0, sb);
    }
}
