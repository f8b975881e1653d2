package io.flowrelay.actor;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A family of actors with shared dispatchers, dead letters and a graceful shutdown.
 *
 * <pre>{@code
 * ActorSystem system = ActorSystem.create("shop");
 * ActorRef<String> greeter = system.spawn("greeter", () -> (ctx, name) -> {
 *     System.out.println("hello " + name);
 *     return Behaviors.same();
 * });
 * greeter.tell("Ada");
 * system.shutdown(Duration.ofSeconds(5)).toCompletableFuture().join();
 * }</pre>
 */
public interface ActorSystem {

    /** A system on the shared dispatcher, with its own timer thread. */
    static ActorSystem create(String name) {
        return builder(name).build();
    }

    /** Options for a system. */
    static Builder builder(String name) {
        return new Builder(name);
    }

    /** The system's name. */
    String name();

    /** Spawns a top-level actor with default options. */
    <M> ActorRef<M> spawn(String name, Supplier<? extends Behavior<M>> factory);

    /**
     * Spawns a top-level actor.
     *
     * @throws IllegalArgumentException if the name is empty, contains '/', or is taken
     * @throws IllegalStateException    if the system is shutting down
     */
    <M> ActorRef<M> spawn(String name, Supplier<? extends Behavior<M>> factory, ActorOptions options);

    /**
     * A {@link Flow.Processor} run by an actor: each input goes to the handler, which may emit
     * 0..n outputs and keep state; a fresh handler comes from {@code factory} at start and at every
     * restart.
     *
     * <p>Backpressure: the stage requests from upstream only while its mailbox (the
     * {@code options} mailbox capacity, bounded; default 256) has room, and handles inputs only
     * while its output buffer (same capacity) has room, so a slow subscriber slows the upstream.
     *
     * <p>Failures follow {@code options.supervision()}: resume skips the element (it goes to dead
     * letters), restart makes a fresh handler, stop (and escalate) signals {@code onError}
     * downstream and cancels upstream.
     *
     * <p>Cancellation: when the last subscriber of the stage cancels, the stage cancels its
     * upstream, sends the inputs still in its mailbox to dead letters and completes; a later
     * subscriber gets what was left in the output buffer, then {@code onComplete}.
     */
    <I, O> Flow.Processor<I, O> stage(String name, Supplier<? extends StageHandler<I, O>> factory, ActorOptions options);

    /** {@link #stage(String, Supplier, ActorOptions)} with a bounded(256) mailbox. */
    <I, O> Flow.Processor<I, O> stage(String name, Supplier<? extends StageHandler<I, O>> factory);

    /**
     * A keyed pool of stateful items pinned to the threads of {@code dispatcher}: each item is
     * created by id, lives on one thread for its whole life and handles the requests routed to its
     * id one at a time.
     */
    <K, Q, R> KeyedPool<K, Q, R> keyedPool(String name, PinnedDispatcher dispatcher,
                                           Function<? super K, ? extends PoolItem<Q, R>> factory);

    /** Every undeliverable message of this system. */
    DeadLetters deadLetters();

    /**
     * Graceful shutdown: no more spawns; every mailbox closes for new messages (a {@code tell}
     * returns {@code CLOSED} and the message goes to dead letters) and drains; stages complete
     * their subscribers. The report comes when all actors have stopped, or when the timeout
     * passes, and then says what was left. Calling it again returns the same stage.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    CompletionStage<ShutdownReport> shutdown(Duration timeout);

    /** {@code true} once shutdown has begun. */
    boolean isShuttingDown();

    /** Options of an {@link ActorSystem}. */
    final class Builder {
        final String name;
        Dispatcher dispatcher = Dispatcher.shared();
        LongSupplier nanoClock = System::nanoTime;
        ScheduledExecutorService timer;

        private Builder(String name) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("system name must not be empty");
            }
            this.name = name;
        }

        /** Default dispatcher of the system's actors. */
        public Builder dispatcher(Dispatcher dispatcher) {
            this.dispatcher = java.util.Objects.requireNonNull(dispatcher, "dispatcher");
            return this;
        }

        /**
         * The clock of restart windows and of ask and pool deadlines ({@link System#nanoTime()} by
         * default); for tests. A deadline that passes on this clock fails its ask at the next timeout
         * sweep (every 10 ms while asks wait), however much real time went by.
         */
        public Builder clock(LongSupplier nanoClock) {
            this.nanoClock = java.util.Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /** The timer for ask timeouts, backoffs and scheduled messages; by default one daemon thread of the system's own. */
        public Builder timer(ScheduledExecutorService timer) {
            this.timer = java.util.Objects.requireNonNull(timer, "timer");
            return this;
        }

        public ActorSystem build() {
            return new ActorSystemImpl(this);
        }
    }
}
