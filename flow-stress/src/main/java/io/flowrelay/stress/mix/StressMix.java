package io.flowrelay.stress.mix;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs rounds of the random mix on targets until a time budget is spent. Each round gets a fresh
 * object, a fresh ledger and a seed derived from the run's seed, so a failing round can be told
 * apart (its seed is in the violation).
 */
public final class StressMix {

    /** Threads per round, as the issue asks. */
    public static final int THREADS = 8;

    private final long seed;
    private final long roundNanos;
    private final Stats stats = new Stats();
    private final List<String> violations = new ArrayList<>();
    private long violationCount;

    /**
     * @param seed       the run's seed
     * @param roundNanos how long the threads of one round run before it ends
     */
    public StressMix(long seed, long roundNanos) {
        this.seed = seed;
        this.roundNanos = roundNanos;
    }

    /** Runs rounds on {@code target} for about {@code nanos}; returns the rounds run. */
    public long run(StressTarget target, long nanos) {
        SplittableRandom random = new SplittableRandom(seed ^ target.name().hashCode());
        long end = System.nanoTime() + nanos;
        long rounds = 0;
        do {
            long roundSeed = random.nextLong();
            Ledger ledger = new Ledger();
            target.round(new SplittableRandom(roundSeed), THREADS, roundNanos, ledger, stats);
            stats.rounds.increment();
            rounds++;
            if (ledger.violationCount() != 0) {
                synchronized (violations) {
                    violationCount += ledger.violationCount();
                    for (String v : ledger.violations()) {
                        if (violations.size() < 50) {
                            violations.add("[" + target.name() + " seed " + roundSeed + "] " + v);
                        }
                    }
                }
            }
        } while (System.nanoTime() - end < 0L);
        return rounds;
    }

    public Stats stats() {
        return stats;
    }

    public long violationCount() {
        synchronized (violations) {
            return violationCount;
        }
    }

    public List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }
}
