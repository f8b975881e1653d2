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
 * {@code n}). What is counted is everything an idle actor keeps alive: its cell, mailbox, turn
 * loop, its entry in the system's registry and its name ("a" + index, about 48 bytes).
 *
 * <p>Each measurement is taken twice, in a fresh actor system each time: the first round warms
 * the JIT (and the heap) up, as every other scenario's warm-up iterations do, and its spawn time
 * is reported as the cold figure; the second round gives the figures checked against T7.
 *
 * <p>The same for Pekko typed, as a reference (T7 has no peer target): {@code n} actors spawned
 * from a plain thread with {@code systemActorOf} (the typed API's spawn from outside an actor),
 * each {@code Behaviors.setup} counting itself started, with the same names.
 */
final class Footprint {

    /** The result of one measurement. */
    record Result(int actors, double spawnSeconds, double startedSeconds, double bytesPerActor,
                  double coldSpawnSeconds) {

        Result afterColdRound(Result cold) {
            return new Result(actors, spawnSeconds, startedSeconds, bytesPerActor, cold.spawnSeconds);
        }
    }

    private Footprint() {
    }

    static Result measure(int n) throws Exception {
        Result cold = flowRelayRound(n);
        return flowRelayRound(n).afterColdRound(cold);
    }

    static Result measurePekko(int n) throws Exception {
        Result cold = pekkoRound(n);
        return pekkoRound(n).afterColdRound(cold);
    }

    private static Result flowRelayRound(int n) throws Exception {
        ActorSystem system = ActorSystem.create("bench-footprint");
        try {
            Behavior<Object> idle = (ctx, m) -> Behaviors.same();
            CountDownLatch started = new CountDownLatch(n);
            long before = usedAfterGc();
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
            long after = usedAfterGc();
            return new Result(n, (spawned - t0) / 1e9, (allStarted - t0) / 1e9, (double) (after - before) / n,
                    Double.NaN);
        } finally {
            system.shutdown(Duration.ofSeconds(120)).toCompletableFuture().join();
        }
    }

    private static Result pekkoRound(int n) throws Exception {
        org.apache.pekko.actor.typed.ActorSystem<Void> system = PeerCases.pekko("bench-footprint-pekko");
        try {
            org.apache.pekko.actor.typed.Behavior<Object> idle =
                    org.apache.pekko.actor.typed.javadsl.Behaviors.receiveMessage(m -> org.apache.pekko.actor.typed.javadsl.Behaviors.same());
            CountDownLatch started = new CountDownLatch(n);
            long before = usedAfterGc();
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
            long after = usedAfterGc();
            return new Result(n, (spawned - t0) / 1e9, (allStarted - t0) / 1e9, (double) (after - before) / n,
                    Double.NaN);
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
