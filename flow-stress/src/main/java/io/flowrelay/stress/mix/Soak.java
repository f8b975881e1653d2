package io.flowrelay.stress.mix;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.Locale;

/**
 * The soak runner (not in CI): the random stress mix on every target, round robin, for N
 * minutes; prints throughput and a heap reading (after GC) every minute and the invariant check
 * at the end. Exits 1 if any invariant was broken or the heap grew without bound.
 *
 * <pre>
 * mvn -B -o -pl flow-stress -am package -DskipTests
 * nice java -Xmx1g -cp flow-stress/target/flow-stress.jar io.flowrelay.stress.mix.Soak --minutes 10
 * </pre>
 *
 * Options: {@code --minutes N} (default 10), {@code --seed S}, {@code --round-millis M} (how long
 * the 8 threads of one round run, default 200), {@code --target channel|actor|stage} (all by default).
 */
public final class Soak {

    private Soak() {
    }

    public static void main(String[] args) {
        double minutes = 10;
        long seed = System.nanoTime();
        long roundMillis = 200;
        List<StressTarget> targets = StressTargets.all();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--round-millis" -> roundMillis = Long.parseLong(args[++i]);
                case "--target" -> targets = List.of(StressTargets.named(args[++i]));
                default -> {
                    System.err.println("usage: Soak [--minutes N] [--seed S] [--round-millis M] [--target NAME]");
                    System.exit(2);
                }
            }
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapStart = memory.getHeapMemoryUsage().getUsed();
        long heapMax = heapStart;
        System.out.printf(Locale.ROOT, "soak: %s min, seed %d, %d threads, rounds of %d ms, targets %s, heap after GC %.1f MB%n",
                fmt(minutes), seed, StressMix.THREADS, roundMillis, targets.stream().map(StressTarget::name).toList(), mb(heapStart));
        StressMix mix = new StressMix(seed, roundMillis * 1_000_000L);
        long start = System.nanoTime();
        long end = start + (long) (minutes * 60e9);
        long nextReport = start + 60_000_000_000L;
        long lastOps = 0;
        long lastItems = 0;
        long lastTime = start;
        int turn = 0;
        while (System.nanoTime() - end < 0L) {
            StressTarget t = targets.get(turn++ % targets.size());
            mix.run(t, 0L); // one round
            long now = System.nanoTime();
            if (now - nextReport >= 0L || now - end >= 0L) {
                System.gc();
                long heap = memory.getHeapMemoryUsage().getUsed();
                heapMax = Math.max(heapMax, heap);
                Stats s = mix.stats();
                long ops = s.operations.sum();
                long items = s.delivered.sum();
                double secs = (now - lastTime) / 1e9;
                System.out.printf(Locale.ROOT, "%5.1f min: %,d rounds, %,.0f ops/s, %,.0f deliveries/s, heap after GC %.1f MB, violations %d%n",
                        (now - start) / 60e9, s.rounds.sum(), (ops - lastOps) / secs, (items - lastItems) / secs, mb(heap),
                        mix.violationCount());
                lastOps = ops;
                lastItems = items;
                lastTime = now;
                nextReport = now + 60_000_000_000L;
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.gc();
        long heapEnd = memory.getHeapMemoryUsage().getUsed();
        Stats s = mix.stats();
        System.out.printf(Locale.ROOT, "totals after %.1f s: %s%n", secs, s);
        System.out.printf(Locale.ROOT, "throughput: %,.0f ops/s, %,.0f deliveries/s%n", s.operations.sum() / secs, s.delivered.sum() / secs);
        boolean heapOk = heapEnd - heapStart < 64L << 20;
        System.out.printf(Locale.ROOT, "heap after GC: start %.1f MB, max %.1f MB, end %.1f MB: %s%n", mb(heapStart), mb(heapMax),
                mb(heapEnd), heapOk ? "bounded" : "GREW");
        List<String> violations = mix.violations();
        System.out.println("invariants: " + (mix.violationCount() == 0 ? "all held (at most once, accounted for, per-producer order, "
                + "one terminal signal, no overlap, no hang, shutdown reports agree)" : mix.violationCount() + " violations"));
        for (String v : violations) {
            System.out.println("  " + v);
        }
        System.exit(mix.violationCount() == 0 && heapOk ? 0 : 1);
    }

    private static double mb(long bytes) {
        return bytes / 1048576.0;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
