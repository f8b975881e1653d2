package io.flowrelay.actor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The parts of an actor made on first use race with its end: a termination future asked for while
 * the actor ends, and a watch registered while the watched actor stops, must each still see the
 * end, exactly once (ActorCell: CAS install of the termination future vs getAndSet(ENDED); put
 * into the lazily made watcher map vs the end's read of it).
 */
class LazyPartsRaceTest {

    private static final int ROUNDS = 300;

    private final ActorSystem system = ActorSystem.create("lazy-race");

    @AfterEach
    void tearDown() {
        system.shutdown(Duration.ofSeconds(5)).toCompletableFuture().join();
    }

    @Test
    void terminationAskedForWhileTheActorEndsCompletes() {
        for (int i = 0; i < ROUNDS; i++) {
            ActorRef<String> ref = system.spawn("t" + i, () -> (ctx, m) -> Behaviors.stopped());
            ActorTestKit.race(2, id -> {
                if (id == 0) {
                    ref.tell("stop");
                } else {
                    ActorTestKit.get(((ActorCell<?>) ref).termination());
                }
            });
            ActorTestKit.awaitTerminated(ref);
        }
    }

    @Test
    void aWatchRegisteredWhileTheTargetStopsSignalsOnce() {
        for (int i = 0; i < ROUNDS; i++) {
            ActorRef<String> target = system.spawn("target" + i, () -> (ctx, m) -> Behaviors.stopped());
            AtomicInteger signals = new AtomicInteger();
            CountDownLatch terminated = new CountDownLatch(1);
            ActorRef<Object> watcher = system.spawn("watcher" + i, () -> new Actor<Object>() {
                @Override
                @SuppressWarnings("unchecked")
                public Behavior<Object> receive(ActorContext<Object> ctx, Object message) {
                    if (message instanceof ActorRef<?> replyTo) {
                        ((ActorRef<Object>) replyTo).tell(Boolean.TRUE); // a round trip behind any signal already queued
                    } else {
                        ctx.watch(target);
                    }
                    return Behaviors.same();
                }

                @Override
                public Behavior<Object> onSignal(ActorContext<Object> ctx, Signal signal) {
                    if (signal instanceof Terminated t && t.ref() == target) {
                        signals.incrementAndGet();
                        terminated.countDown();
                    }
                    return Behaviors.same();
                }
            });
            ActorTestKit.race(2, id -> {
                if (id == 0) {
                    target.tell("stop");
                } else {
                    watcher.tell("watch");
                }
            });
            ActorTestKit.await(terminated, "Terminated of " + target.path());
            // a second signal would come through the same system queue: a round trip through the
            // watcher after the first one makes it visible before we count
            ActorTestKit.get(watcher.<Boolean>ask(r -> r, Duration.ofSeconds(5)));
            assertEquals(1, signals.get(), "Terminated signals for " + target.path());
        }
    }
}
