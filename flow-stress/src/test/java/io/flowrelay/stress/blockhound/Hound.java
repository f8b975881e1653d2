package io.flowrelay.stress.blockhound;

import reactor.blockhound.BlockHound;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * BlockHound, installed once for this JVM (its own Surefire execution: see the pom), watching
 * FlowRelay's dispatcher threads: the shared pool's {@code flowrelay-N} and pinned dispatchers'
 * {@code flowrelay-<name>-i} (not the timer thread {@code flowrelay-timer-*}, which waits by
 * design). Every blocking call on them is recorded here with its stack (and, as BlockHound does,
 * thrown at the caller).
 *
 * <p>Allowed: the dispatcher's own idle wait (ForkJoinPool.awaitWork, PinnedExecutor.loop), but
 * not inside a delivery loop or actor turn they run (DeliveryLoop.run is disallowed again); and
 * DeliveryLoop.idleSpin: BlockHound counts {@code Thread.onSpinWait()} as blocking, and the loop's
 * idle spin is CPU pause hints before it leaves its thread (at most 50 µs, and only while no other
 * task waits for the thread), bounded and without a park: a deliberate trade (an executor
 * hand-off and an unpark cost far more), not a wait. Likewise the waits of a few instructions of
 * MpscRing and MpscChunkQueue (MpscQueueBase.pause): for an item whose producer has claimed its
 * slot but not yet written it, for a competing consumer's poll to finish, for a producer that
 * links a chunk (they spin, and yield only if that thread lost its CPU). And ActorNames.lock: an
 * actor that ends on a dispatcher thread leaves the registry of names, whose writers take turns
 * by a CAS lock held for a few probes (or, as a table of many actors grows or shrinks, one
 * resize); a waiter spins and yields, never parks (ADR 0009, addendum).
 */
final class Hound {

    /** Blocking calls seen on dispatcher threads: "method on thread\n stack". */
    static final List<String> CALLS = new CopyOnWriteArrayList<>();

    static {
        BlockHound.builder()
                .nonBlockingThreadPredicate(p -> p.or(Hound::isDispatcherThread))
                .allowBlockingCallsInside("java.util.concurrent.ForkJoinPool", "awaitWork")
                .allowBlockingCallsInside("io.flowrelay.internal.PinnedExecutor", "loop")
                .disallowBlockingCallsInside("io.flowrelay.internal.DeliveryLoop", "run")
                .allowBlockingCallsInside("io.flowrelay.internal.DeliveryLoop", "idleSpin")
                .allowBlockingCallsInside("io.flowrelay.internal.MpscQueueBase", "pause")
                .allowBlockingCallsInside("io.flowrelay.actor.ActorNames", "lock")
                .blockingMethodCallback(m -> {
                    StringBuilder sb = new StringBuilder(m + " on " + Thread.currentThread().getName());
                    for (StackTraceElement e : new Throwable().getStackTrace()) {
                        sb.append("\n\tat ").append(e);
                    }
                    CALLS.add(sb.toString());
                    throw new Error("Blocking call! " + m);
                })
                .install();
    }

    private Hound() {
    }

    static boolean isDispatcherThread(Thread t) {
        String n = t.getName();
        return n.startsWith("flowrelay-") && !n.startsWith("flowrelay-timer-");
    }

    /** Makes sure BlockHound is installed: calling it runs the static initializer, once per JVM. */
    static void install() {
        // nothing more to do
    }
}
