package io.flowrelay.actor;

import io.flowrelay.internal.Waiter;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future of an {@code ask}: a {@link CompletableFuture} whose blocking waits ({@code get},
 * timed or not, and {@code join}) first wait a little without parking, as a blocked send does
 * ({@link Waiter#backOff}: spins with a yield every so often, then yields), and only then park.
 * A reply from an actor that is running comes within a microsecond or so, while parking and
 * being unparked cost both threads a system call and, on virtual machines, tens of
 * microseconds of wake-up latency; the yields give the CPU to the replying actor when the two
 * share one. A timed wait never spins past its timeout, and an interrupted thread does not spin
 * (it goes straight to the park, which throws). Everything else is the plain
 * {@code CompletableFuture}'s (dependent stages are plain {@code CompletableFuture}s).
 *
 * @param <R> the reply type
 */
final class AskFuture<R> extends CompletableFuture<R> {

    @Override
    public R get() throws InterruptedException, ExecutionException {
        awaitBriefly(false, 0L);
        return super.get();
    }

    @Override
    public R get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = unit.toNanos(timeout);
        if (nanos <= 0L) {
            return super.get(timeout, unit);
        }
        long start = System.nanoTime();
        awaitBriefly(true, start + nanos);
        return super.get(Math.max(0L, nanos - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
    }

    @Override
    public R join() {
        awaitBriefly(false, 0L);
        return super.join();
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    /**
     * Waits without parking until done, or the back-off is over, or the thread is interrupted
     * (the park that follows throws at once), or (if {@code timed}) the deadline passes.
     */
    private void awaitBriefly(boolean timed, long deadline) {
        Thread t = Thread.currentThread();
        for (int i = 0; !isDone() && !t.isInterrupted() && Waiter.backOff(i, false); i++) {
            if (timed && System.nanoTime() - deadline >= 0L) {
                return;
            }
        }
    }
}
