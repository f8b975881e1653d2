package io.flowrelay.bench;

import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Behavior;
import io.flowrelay.actor.Behaviors;

import org.apache.pekko.actor.typed.Props;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * T7: spawns {@code n} idle actors and measures the time to spawn them, the time until all have
 * started, and the heap they retain (heap in use after full GCs, before and after, divided by
 * {@code n}). What the target counts is everything an idle actor keeps alive: its cell and turn
 * loop (its mailbox is made by its first message), its entry in the system's registry, its name
 * ("a" + index, 48 bytes) and its factory lambda (24 bytes).
 *
 * <p>A second figure, for reference, leaves out what the caller made and hands to {@code spawn}:
 * the names and the factories are made first, and the heap is measured once they exist; what the
 * spawns add after that is what the library itself keeps per actor (as T8 counts bytes beyond the
 * payload). Both come from the same spawns: the own bytes while the arrays of names and factories
 * are still held, the total once they are dropped (the actors still hold each name and factory).
 *
 * <p>Each measurement takes two rounds, in a fresh actor system each time. The first warms the JIT
 * up, as every other scenario's warm-up iterations do; it gives the retained bytes and the cold
 * spawn time. The second gives the spawn times checked against T7, and is not preceded by the
 * full GCs that measure the bytes: after them G1 shrinks the heap to little more than what is
 * live, and the timed spawn would spend its time growing it again through a score of young
 * collections, which no application that holds a million actors does.
 *
 * <p>The same for Pekko typed, as a reference (T7 has no peer target): {@code n} actors spawned
 * from a plain thread with {@code systemActorOf} (the typed API's spawn from outside an actor),
 * each {@code Behaviors.setup} counting itself started, with the same names.
 */
final class Footprint {

    /** The result of one measurement. */
    record Result(int actors, double spawnSeconds, double startedSeconds, double bytesPerActor,
                  double ownBytesPerActor, double coldSpawnSeconds) {

        /** This (warm) round's times with the cold round's bytes and spawn time. */
        Result afterColdRound(Result cold) {
            return new Result(actors, spawnSeconds, startedSeconds, cold.bytesPerActor, cold.ownBytesPerActor, cold.spawnSeconds);
        }
    }

    private Footprint() {
    }

    static Result measure(int n) throws Exception {
        Result cold = flowRelayRound(n, true);
        return flowRelayRound(n, false).afterColdRound(cold);
    }

    static Result measurePekko(int n) throws Exception {
        Result cold = pekkoRound(n, true);
        return pekkoRound(n, false).afterColdRound(cold);
    }

    private static Result flowRelayRound(int n, boolean measureBytes) throws Exception {
        ActorSystem system = ActorSystem.create("bench-footprint");
        try {
            Behavior<Object> idle = (ctx, m) -> Behaviors.same();
            CountDownLatch started = new CountDownLatch(n);
            if (measureBytes) {
                Callers<Supplier<Behavior<Object>>> made = Callers.make(n, i -> () -> {
                    started.countDown();
                    return idle;
                });
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    system.spawn(made.name(i), made.factory(i));
                }
                long spawned = System.nanoTime();
                awaitStarted(started, "actors");
                return made.measured(n, t0, spawned, System.nanoTime());
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                system.spawn("a" + i, () -> {
                    started.countDown();
                    return idle;
                });
            }
            long spawned = System.nanoTime();
            awaitStarted(started, "actors");
            long allStarted = System.nanoTime();
            return new Result(n, (spawned - t0) / 1e9, (allStarted - t0) / 1e9, Double.NaN, Double.NaN, Double.NaN);
        } finally {
            system.shutdown(Duration.ofSeconds(120)).toCompletableFuture().join();
        }
    }

    private static Result pekkoRound(int n, boolean measureBytes) throws Exception {
        org.apache.pekko.actor.typed.ActorSystem<Void> system = PeerCases.pekko("bench-footprint-pekko");
        try {
            org.apache.pekko.actor.typed.Behavior<Object> idle =
                    org.apache.pekko.actor.typed.javadsl.Behaviors.receiveMessage(m -> org.apache.pekko.actor.typed.javadsl.Behaviors.same());
            CountDownLatch started = new CountDownLatch(n);
            if (measureBytes) {
                Callers<org.apache.pekko.actor.typed.Behavior<Object>> made = Callers.make(n,
                        i -> org.apache.pekko.actor.typed.javadsl.Behaviors.setup(ctx -> {
                            started.countDown();
                            return idle;
                        }));
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    system.systemActorOf(made.factory(i), made.name(i), Props.empty());
                }
                long spawned = System.nanoTime();
                awaitStarted(started, "Pekko actors");
                return made.measured(n, t0, spawned, System.nanoTime());
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                system.systemActorOf(org.apache.pekko.actor.typed.javadsl.Behaviors.setup(ctx -> {
                    started.countDown();
                    return idle;
                }), "a" + i, Props.empty());
            }
            long spawned = System.nanoTime();
            awaitStarted(started, "Pekko actors");
            long allStarted = System.nanoTime();
            return new Result(n, (spawned - t0) / 1e9, (allStarted - t0) / 1e9, Double.NaN, Double.NaN, Double.NaN);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(120, TimeUnit.SECONDS);
        }
    }

    private static void awaitStarted(CountDownLatch started, String what) throws InterruptedException {
        if (!started.await(300, TimeUnit.SECONDS)) {
            throw new IllegalStateException(started.getCount() + " " + what + " did not start within 300 s");
        }
    }

    /**
     * The names and factories of a measured round, made before its spawns, and the heap in use
     * before them ({@code before}) and once they exist ({@code made}).
     */
    private static final class Callers<F> {
        private String[] names;
        private Object[] factories;
        private final long before;
        private final long made;

        private Callers(int n, IntFunction<F> factory) {
            before = usedAfterGc();
            names = new String[n];
            factories = new Object[n];
            for (int i = 0; i < n; i++) {
                names[i] = "a" + i;
                factories[i] = factory.apply(i);
            }
            made = usedAfterGc();
        }

        static <F> Callers<F> make(int n, IntFunction<F> factory) {
            return new Callers<>(n, factory);
        }

        String name(int i) {
            return names[i];
        }

        @SuppressWarnings("unchecked")
        F factory(int i) {
            return (F) factories[i];
        }

        /** Measures the heap with the arrays held (the own bytes), then without them (the total). */
        Result measured(int n, long t0, long spawned, long allStarted) {
            double own = (double) (usedAfterGc() - made) / n;
            names = null; // each actor still holds its own name and factory
            factories = null;
            double total = (double) (usedAfterGc() - before) / n;
            return new Result(n, (spawned - t0) / 1e9, (allStarted - t0) / 1e9, total, own, Double.NaN);
        }
    }

    static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
