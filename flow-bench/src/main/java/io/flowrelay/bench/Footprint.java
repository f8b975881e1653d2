package io.flowrelay.bench;

import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Behavior;
import io.flowrelay.actor.Behaviors;

import org.apache.pekko.actor.typed.Props;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * T7: spawns {@code n} idle actors and measures the time to spawn them, the time until all have
 * started, and the heap they retain (heap in use after full GCs, before and after, divided by
 * {@code n}). What is counted is everything an idle actor keeps alive: its cell and turn loop
 * (its mailbox is made by its first message), its entry in the system's registry, its name
 * ("a" + index, about 48 bytes) and its factory lambda (24 bytes).
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
                  double coldSpawnSeconds) {

        /** This (warm) round's times with the cold round's bytes and spawn time. */
        Result afterColdRound(Result cold) {
            return new Result(actors, spawnSeconds, startedSeconds, cold.bytesPerActor, cold.spawnSeconds);
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
            long before = measureBytes ? usedAfterGc() : 0L;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                system.spawn("a" + i, () -> {
                    started.countDown();
                    return idle;
                });
            }
            long spawned = System.nanoTime();
            if (!started.await(300, TimeUnit.SECONDS)) {
                throw new IllegalStateException(started.getCount() + " actors did not start within 300 s");
            }
            long allStarted = System.nanoTime();
            double bytes = measureBytes ? (double) (usedAfterGc() - before) / n : Double.NaN;
            return new Result(n, (spawned - t0) / 1e9, (allStarted - t0) / 1e9, bytes, Double.NaN);
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
            long before = measureBytes ? usedAfterGc() : 0L;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                system.systemActorOf(org.apache.pekko.actor.typed.javadsl.Behaviors.setup(ctx -> {
                    started.countDown();
                    return idle;
                }), "a" + i, Props.empty());
            }
            long spawned = System.nanoTime();
            if (!started.await(300, TimeUnit.SECONDS)) {
                throw new IllegalStateException(started.getCount() + " Pekko actors did not start within 300 s");
            }
            long allStarted = System.nanoTime();
            double bytes = measureBytes ? (double) (usedAfterGc() - before) / n : Double.NaN;
            return new Result(n, (spawned - t0) / 1e9, (allStarted - t0) / 1e9, bytes, Double.NaN);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(120, TimeUnit.SECONDS);
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
