package io.flowrelay.stress.kernel;

import io.flowrelay.internal.StartQueue;
import io.flowrelay.stress.support.QueueLoop;
import io.flowrelay.stress.support.SignalLog;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link StartQueue}: the first turns of new loops (spawned actors) are submitted by one task of
 * the pool. If the pool refuses that task, the queue hands every loop back, to be submitted on
 * its own.
 */
public final class StartQueueStress {

    private StartQueueStress() {
    }

    @JCStressTest
    @Description("A start races the pool's refusal of the queue's task (poolRefused): the loop is submitted exactly once, never left in the queue.")
    @Outcome(id = "1", expect = ACCEPTABLE, desc = "submitted once: by the start itself, or by the refusal's drain")
    @Outcome(id = "0", expect = FORBIDDEN, desc = "stranded: the loop stayed in a queue nobody runs")
    @Outcome(expect = FORBIDDEN, desc = "submitted more than once")
    @State
    public static class StartVsRefusal {
        final AtomicInteger submitted = new AtomicInteger();
        /**
         * Runs nothing: the queue's own task never runs, so only the refusal's drain or the start
         * may hand the loop on; counts the loop's submissions.
         */
        final Executor pool = task -> {
            if (task instanceof QueueLoop) {
                submitted.incrementAndGet();
            }
        };
        final StartQueue queue = new StartQueue(pool);
        final QueueLoop<Integer> loop = new QueueLoop<>(SignalLog.unbounded(), pool, 16);

        @Actor
        public void start() {
            loop.startVia(queue);
        }

        @Actor
        public void refusal() {
            queue.poolRefused();
        }

        @Arbiter
        public void arbiter(I_Result r) {
            r.r1 = submitted.get();
        }
    }
}
