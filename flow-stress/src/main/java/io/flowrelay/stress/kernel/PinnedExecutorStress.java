package io.flowrelay.stress.kernel;

import io.flowrelay.internal.PinnedExecutor;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

import java.util.concurrent.RejectedExecutionException;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link PinnedExecutor}: the thread of a pinned dispatcher. A task submitted while it shuts down
 * either runs or is refused with {@link RejectedExecutionException} (which a delivery loop turns
 * into onError, and an actor into dead letters); it is never accepted and then dropped, which
 * would strand the actor whose turn it was, its wip held forever.
 */
public final class PinnedExecutorStress {

    private PinnedExecutorStress() {
    }

    @JCStressTest
    @Description("execute() races shutdown(): an accepted task runs, a refused one was refused.")
    @Outcome(id = "true, true", expect = ACCEPTABLE, desc = "accepted before the shutdown and run")
    @Outcome(id = "false, false", expect = ACCEPTABLE, desc = "refused with RejectedExecutionException")
    @Outcome(id = "true, false", expect = FORBIDDEN, desc = "accepted, then dropped: the task never runs")
    @Outcome(expect = FORBIDDEN, desc = "impossible")
    @State
    public static class ExecuteVsShutdown {
        final PinnedExecutor executor = new PinnedExecutor("flowrelay-jcstress-0");
        volatile boolean ran;

        @Actor
        public void submit(ZZ_Result r) {
            try {
                executor.execute(() -> ran = true);
                r.r1 = true;
            } catch (RejectedExecutionException ex) {
                r.r1 = false;
            }
        }

        @Actor
        public void shutdown() {
            executor.shutdown();
        }

        @Arbiter
        public void arbiter(ZZ_Result r) {
            try {
                executor.thread().join(10_000L); // it ends once what it accepted has run
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            r.r2 = ran && !executor.thread().isAlive();
        }
    }
}
