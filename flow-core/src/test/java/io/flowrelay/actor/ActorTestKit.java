package io.flowrelay.actor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the actor tests share: systems, dispatchers and executors that are always shut down, gates
 * that an actor waits on, and waits with upper bounds (never a sleep that hopes something happened).
 *
 * <p>Use one kit per test ({@code new ActorTestKit()} in a field, {@link #close()} in
 * {@code @AfterEach}): closing opens every gate, shuts every system down and waits for the report,
 * then closes the dispatchers and executors.
 */
final class ActorTestKit implements AutoCloseable {

    /** Upper bound of every wait: generous, because other builds share this machine. */
    static final long WAIT_SECONDS = 30;
    static final Duration WAIT = Duration.ofSeconds(WAIT_SECONDS);

    private final List<ActorSystem> systems = new CopyOnWriteArrayList<>();
    private final List<Gate> gates = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> dispatchers = new CopyOnWriteArrayList<>();
    private final List<ExecutorService> executors = new CopyOnWriteArrayList<>();
    private final AtomicInteger threadIds = new AtomicInteger();
    private Dispatcher blocking;

    // ------------------------------------------------------------------ resources

    /** A system with default options, shut down by {@link #close()}. */
    ActorSystem system(String name) {
        return register(ActorSystem.create(name));
    }

    /** A system from a builder, shut down by {@link #close()}. */
    ActorSystem system(ActorSystem.Builder builder) {
        return register(builder.build());
    }

    private ActorSystem register(ActorSystem system) {
        systems.add(system);
        return system;
    }

    /** A pinned dispatcher, closed by {@link #close()} after the systems are shut down. */
    PinnedDispatcher pinned(String name, int threads) {
        PinnedDispatcher d = Dispatcher.pinned(name, threads, Dispatcher.DEFAULT_THROUGHPUT);
        dispatchers.add(d);
        return d;
    }

    /** An executor service shut down by {@link #close()}. */
    <E extends ExecutorService> E executor(E executor) {
        executors.add(executor);
        return executor;
    }

    /**
     * A dispatcher on a cached thread pool of its own, for actors that block on a {@link Gate}: a
     * blocked actor must not hold one of the two threads of the shared pool on this machine.
     */
    synchronized Dispatcher blocking() {
        if (blocking == null) {
            ExecutorService pool = executor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "actor-test-blocking-" + threadIds.incrementAndGet());
                t.setDaemon(true);
                return t;
            }));
            blocking = Dispatcher.fromExecutor(pool);
        }
        return blocking;
    }

    /** Options for an actor that may block on a gate. */
    ActorOptions blockingOptions() {
        return ActorOptions.defaults().dispatcher(blocking());
    }

    /** A closed gate, opened at the latest by {@link #close()}. */
    Gate gate() {
        Gate g = new Gate();
        gates.add(g);
        return g;
    }

    /** Subscribes a new collector to the system's dead letters. */
    static DeadLetterCollector deadLetters(ActorSystem system) {
        DeadLetterCollector c = new DeadLetterCollector();
        system.deadLetters().subscribe(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        for (Gate g : gates) {
            g.open();
        }
        List<Throwable> problems = new ArrayList<>();
        for (ActorSystem s : systems) {
            try {
                s.shutdown(WAIT).toCompletableFuture().get(WAIT_SECONDS + 5, TimeUnit.SECONDS);
            } catch (Exception ex) {
                problems.add(new AssertionError("shutdown of " + s.name() + " failed", ex));
            }
        }
        for (AutoCloseable d : dispatchers) {
            d.close();
        }
        for (ExecutorService e : executors) {
            e.shutdownNow();
        }
        if (!problems.isEmpty()) {
            AssertionError e = new AssertionError("closing the test kit failed");
            problems.forEach(e::addSuppressed);
            throw e;
        }
    }

    // ------------------------------------------------------------------ waiting

    /** Waits for the latch, failing the test after {@link #WAIT}. */
    static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                fail("timed out waiting for " + what + " (count " + latch.getCount() + ")");
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, ex);
        }
    }

    /** The value of a future that must succeed within {@link #WAIT}. */
    static <T> T get(Future<T> f) {
        try {
            return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        } catch (ExecutionException ex) {
            throw new AssertionError("future failed: " + ex.getCause(), ex.getCause());
        } catch (TimeoutException ex) {
            throw new AssertionError("future not complete after " + WAIT, ex);
        }
    }

    /** The exception of a future that must fail within {@link #WAIT}. */
    static Throwable failure(Future<?> f) {
        try {
            Object v = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + v);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        } catch (ExecutionException ex) {
            return ex.getCause();
        } catch (TimeoutException ex) {
            throw new AssertionError("future not complete after " + WAIT, ex);
        }
    }

    /** Waits until the actor has stopped for good (its turn loop ended). */
    static void awaitTerminated(ActorRef<?> ref) {
        get(((ActorCell<?>) ref).termination());
        if (!ref.isTerminated()) {
            fail(ref.path() + " ended its loop but is not terminated");
        }
    }

    /**
     * Polls a condition that becomes true by itself (a counter written with release semantics, a
     * thread's state), failing after {@link #WAIT}. Not for timing: the condition is the event.
     */
    static void waitUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0L) {
                fail("timed out waiting until " + what);
            }
            LockSupport.parkNanos(100_000L);
        }
    }

    /**
     * Runs {@code body(i)} on {@code threads} new threads released together by a latch, and waits
     * for all of them; the first failure of a thread fails the test.
     */
    static void race(int threads, IntConsumer body) {
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int id = i;
            CompletableFuture<Void> f = new CompletableFuture<>();
            done.add(f);
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    body.accept(id);
                    f.complete(null);
                } catch (Throwable ex) {
                    f.completeExceptionally(ex);
                }
            }, "race-" + i);
            t.setDaemon(true);
            started.add(t);
            t.start();
        }
        start.countDown();
        get(CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])));
    }

    // ------------------------------------------------------------------ held timer

    /**
     * A timer (for {@link ActorSystem.Builder#timer}) whose tasks wait for {@link #fire} before
     * they run, so that a test lets timeouts expire exactly when it wants them to; {@link #ran}
     * counts the tasks that ran (cancelled ones do not).
     */
    static final class HeldTimer extends java.util.concurrent.ScheduledThreadPoolExecutor {
        final CountDownLatch fire = new CountDownLatch(1);
        final AtomicInteger ran = new AtomicInteger();

        HeldTimer() {
            super(1, r -> {
                Thread t = new Thread(r, "held-timer");
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        public java.util.concurrent.ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            return super.schedule(() -> {
                await(fire, "the test to let timeouts fire");
                command.run();
                ran.incrementAndGet();
            }, delay, unit);
        }
    }

    // ------------------------------------------------------------------ gate

    /** A one-shot barrier an actor waits on, so that a test knows exactly what is queued behind it. */
    static final class Gate {
        private final CountDownLatch open = new CountDownLatch(1);
        private final CountDownLatch arrived = new CountDownLatch(1);

        /** Called by the actor: says it arrived, then waits for {@link #open()} (at most {@link #WAIT}). */
        void pass() {
            arrived.countDown();
            try {
                if (!open.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new AssertionError("gate never opened");
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted at a gate", ex);
            }
        }

        /** Waits until an actor is at the gate. */
        void awaitArrival() {
            await(arrived, "an actor at the gate");
        }

        void open() {
            open.countDown();
        }
    }
}
