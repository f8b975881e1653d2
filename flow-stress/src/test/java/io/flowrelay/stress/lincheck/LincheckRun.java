package io.flowrelay.stress.lincheck;

import io.flowrelay.channel.ChannelClosedException;
import org.jetbrains.kotlinx.lincheck.LinCheckerKt;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How the Lincheck tests run: model checking (thread switches at every shared-memory access,
 * explored systematically), with bounded iterations so that CI stays fast. The long version:
 * {@code -Dflowrelay.lincheck.iterations=50 -Dflowrelay.lincheck.invocations=10000} (what
 * {@code -Pstress-long} sets).
 *
 * <p>Why no test races {@code close()} with sends: by design (ADR 0002) a send that passed the
 * CLOSED check may enqueue after {@code close()} returned, and stays available to {@code poll()}.
 * Lincheck finds that history at once ({@code close(); poll(): null} in one thread, {@code
 * sendAsync(2): OK} in another): it is the documented trade-off, not a bug. So close() runs in
 * the producers' non-parallel group: it races consumers, not sends. The close-vs-send race itself
 * is checked by jcstress (ChannelStress), whose outcomes allow exactly the documented behaviour.
 */
final class LincheckRun {

    /** Scenarios per test class (each a random choice of operations and threads). */
    static final int ITERATIONS = Integer.getInteger("flowrelay.lincheck.iterations", 4);

    /** Interleavings explored per scenario. */
    static final int INVOCATIONS = Integer.getInteger("flowrelay.lincheck.invocations", 500);

    private LincheckRun() {
    }

    /** Model-checks {@code testClass}: 3 threads of 2 operations, 1 operation before and after. */
    static void modelCheck(Class<?> testClass) {
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(ITERATIONS)
                .invocationsPerIteration(INVOCATIONS)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1);
        LinCheckerKt.check(options, testClass);
    }

    /** The status of a sendAsync when it returns: OK, PENDING, CLOSED (or the failure's type). */
    static String status(CompletionStage<Void> stage) {
        CompletableFuture<Void> f = stage.toCompletableFuture();
        if (!f.isDone()) {
            return "PENDING";
        }
        if (!f.isCompletedExceptionally()) {
            return "OK";
        }
        try {
            f.join();
            return "?";
        } catch (RuntimeException e) {
            return e.getCause() instanceof ChannelClosedException ? "CLOSED" : e.getCause().getClass().getSimpleName();
        }
    }
}
