package io.flowrelay.stress.channel;

import io.flowrelay.channel.Channels;
import io.flowrelay.channel.Oneshot;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** {@link Oneshot}: set once; racing completions have exactly one winner, and the value is the winner's. */
public final class OneshotStress {

    private OneshotStress() {
    }

    @JCStressTest
    @Description("complete(1) races complete(2): exactly one returns true, and the value is its value.")
    @Outcome(id = "true, false, 1", expect = ACCEPTABLE, desc = "the first completion won")
    @Outcome(id = "false, true, 2", expect = ACCEPTABLE, desc = "the second completion won")
    @Outcome(expect = FORBIDDEN, desc = "both or neither won, or the value is not the winner's")
    @State
    public static class CompleteVsComplete {
        final Oneshot<Integer> shot = Channels.oneshot();

        @Actor
        public void first(ZZI_Result r) {
            r.r1 = shot.complete(1);
        }

        @Actor
        public void second(ZZI_Result r) {
            r.r2 = shot.complete(2);
        }

        @Arbiter
        public void value(ZZI_Result r) {
            r.r3 = shot.toCompletableFuture().getNow(-1);
        }
    }

    @JCStressTest
    @Description("complete(1) races fail(e): exactly one returns true, and the outcome is the winner's.")
    @Outcome(id = "true, false, 1", expect = ACCEPTABLE, desc = "the completion won")
    @Outcome(id = "false, true, 0", expect = ACCEPTABLE, desc = "the failure won")
    @Outcome(expect = FORBIDDEN, desc = "both or neither won, or the outcome is not the winner's")
    @State
    public static class CompleteVsFail {
        final Oneshot<Integer> shot = Channels.oneshot();

        @Actor
        public void complete(ZZI_Result r) {
            r.r1 = shot.complete(1);
        }

        @Actor
        public void fail(ZZI_Result r) {
            r.r2 = shot.fail(new IllegalStateException("boom"));
        }

        @Arbiter
        public void outcome(ZZI_Result r) {
            java.util.concurrent.CompletableFuture<Integer> f = shot.toCompletableFuture();
            r.r3 = f.isCompletedExceptionally() ? 0 : f.getNow(-1);
        }
    }
}
