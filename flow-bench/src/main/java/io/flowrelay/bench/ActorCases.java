package io.flowrelay.bench;

import io.flowrelay.actor.ActorRef;
import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Behavior;
import io.flowrelay.actor.Behaviors;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/** FlowRelay's actor scenarios: T3 (tell), T4 (a pipeline of actor stages), T5 (ask, ping-pong). */
final class ActorCases {

    private static final Duration SHUTDOWN = Duration.ofSeconds(10);

    private ActorCases() {
    }

    static void await(CountDownLatch latch, String what) throws InterruptedException, TimeoutException {
        if (!latch.await(120, TimeUnit.SECONDS)) {
            throw new TimeoutException(what + " did not finish within 120 s");
        }
    }

    /** Latencies up to 10 s, three significant digits. */
    static Histogram newHistogram() {
        return new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    }

    // ------------------------------------------------------------------ T3

    /** Counts {@code n} messages, then opens the latch and stops. */
    static final class Counter implements Behavior<Integer> {
        private final CountDownLatch done;
        private long left;
        private long sum;

        Counter(long n, CountDownLatch done) {
            this.left = n;
            this.done = done;
        }

        @Override
        public Behavior<Integer> receive(io.flowrelay.actor.ActorContext<Integer> ctx, Integer message) {
            sum += message;
            if (--left == 0) {
                done.countDown();
                return Behaviors.stopped();
            }
            return Behaviors.same();
        }
    }

    /** One thread {@code tell}s {@code n} messages to one actor (shared dispatcher). */
    static final class FlowRelayTell implements Workload {
        private final ActorSystem system = ActorSystem.create("bench-tell");
        private final io.flowrelay.actor.ActorOptions options;
        private int runs;

        /** @param mailbox 0 for the default (unbounded) mailbox, else a bounded one of that capacity (BLOCK) */
        FlowRelayTell(int mailbox) {
            this.options = mailbox == 0 ? io.flowrelay.actor.ActorOptions.defaults()
                    : io.flowrelay.actor.ActorOptions.defaults().mailbox(io.flowrelay.actor.Mailbox.bounded(mailbox));
        }

        @Override
        public void run(int n) throws Exception {
            CountDownLatch done = new CountDownLatch(1);
            ActorRef<Integer> ref = system.spawn("counter-" + runs++, () -> new Counter(n, done), options);
            for (int i = 0; i < n; i++) {
                ref.tell(Items.get(i));
            }
            await(done, "tell");
        }

        @Override
        public void close() {
            system.shutdown(SHUTDOWN).toCompletableFuture().join();
        }
    }

    /** A {@link Counter} that publishes how many messages it has handled. */
    static final class ProgressCounter implements Behavior<Integer> {
        private final Counter counter;
        private final AtomicLong handled;

        ProgressCounter(long n, CountDownLatch done, AtomicLong handled) {
            this.counter = new Counter(n, done);
            this.handled = handled;
        }

        @Override
        public Behavior<Integer> receive(io.flowrelay.actor.ActorContext<Integer> ctx, Integer message) {
            handled.lazySet(handled.get() + 1); // only this actor writes it
            return counter.receive(ctx, message);
        }
    }

    /**
     * T8's steady state for the default (unbounded) mailbox: one thread {@code tell}s {@code n}
     * messages but stays at most {@code ahead} messages ahead of the actor, so that the backlog
     * stays bounded (in a flood it grows for as long as the sender outpaces the actor, and an
     * unbounded queue must store it).
     */
    static final class FlowRelayPacedTell implements Workload {
        private final ActorSystem system = ActorSystem.create("bench-paced-tell");
        private final int ahead;
        private int runs;

        FlowRelayPacedTell(int ahead) {
            this.ahead = ahead;
        }

        @Override
        public void run(int n) throws Exception {
            CountDownLatch done = new CountDownLatch(1);
            AtomicLong handled = new AtomicLong();
            ActorRef<Integer> ref = system.spawn("paced-" + runs++, () -> new ProgressCounter(n, done, handled));
            for (int i = 0; i < n; i++) {
                while (i - handled.get() >= ahead) {
                    Thread.onSpinWait();
                }
                ref.tell(Items.get(i));
            }
            await(done, "paced tell");
        }

        @Override
        public void close() {
            system.shutdown(SHUTDOWN).toCompletableFuture().join();
        }
    }

    // ------------------------------------------------------------------ T4

    /** The same source for FlowRelay and Reactor: Reactor's {@code Flux.range}, seen as a Flow.Publisher. */
    static Flow.Publisher<Integer> range(int n) {
        return reactor.adapter.JdkFlowAdapter.publisherToFlowPublisher(reactor.core.publisher.Flux.range(0, n));
    }

    /** {@code range -> 4 actor stages (each maps x -> x + 1) -> subscriber}. */
    static final class FlowRelayPipeline implements Workload {
        static final int STAGES = 4;
        private final ActorSystem system = ActorSystem.create("bench-pipeline");
        private int runs;

        @Override
        public void run(int n) throws Exception {
            int run = runs++;
            Flow.Publisher<Integer> upstream = range(n);
            for (int k = 0; k < STAGES; k++) {
                Flow.Processor<Integer, Integer> stage = system.stage("map-" + k + "-" + run,
                        () -> (x, out) -> out.emit(x + 1));
                upstream.subscribe(stage);
                upstream = stage;
            }
            CountingSubscriber sub = new CountingSubscriber(n, 1024);
            upstream.subscribe(sub);
            sub.await();
        }

        @Override
        public void close() {
            system.shutdown(SHUTDOWN).toCompletableFuture().join();
        }
    }

    // ------------------------------------------------------------------ T5

    /** A request: reply {@code value} to {@code replyTo}. */
    record Ping(ActorRef<Integer> replyTo, Integer value) {
    }

    /** {@code ask} from a plain thread to an echo actor, one at a time; records each round trip. */
    static final class FlowRelayAsk implements Workload {
        private final ActorSystem system = ActorSystem.create("bench-ask");
        private final ActorRef<Ping> echo = system.spawn("echo", () -> (ctx, p) -> {
            p.replyTo().tell(p.value());
            return Behaviors.same();
        });
        private final Histogram histogram = newHistogram();

        @Override
        public void run(int n) throws Exception {
            histogram.reset();
            for (int i = 0; i < n; i++) {
                Integer v = Items.get(i);
                long t0 = System.nanoTime();
                Integer r = echo.<Integer>ask(replyTo -> new Ping(replyTo, v), Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
                histogram.recordValue(System.nanoTime() - t0);
                if (r != v) {
                    throw new IllegalStateException("wrong reply " + r + " for " + v);
                }
            }
        }

        @Override
        public Histogram latencies() {
            return histogram;
        }

        @Override
        public void close() {
            system.shutdown(SHUTDOWN).toCompletableFuture().join();
        }
    }

    /** What the pinger is told to do: {@code n} round trips, then open the latch. */
    record Start(int n, Histogram histogram, CountDownLatch done) {
    }

    /**
     * Two actors on the shared dispatcher: the pinger sends its own reference to the ponger, which
     * answers; the pinger records each round trip and sends the next ping from within its turn.
     */
    static final class FlowRelayPingPong implements Workload {
        private static final Object PONG = "pong";
        private final ActorSystem system = ActorSystem.create("bench-pingpong");
        private final ActorRef<ActorRef<Object>> ponger = system.spawn("ponger", () -> (ctx, replyTo) -> {
            replyTo.tell(PONG);
            return Behaviors.same();
        });
        private final ActorRef<Object> pinger = system.spawn("pinger", () -> new Behavior<>() {
            private Start job;
            private int left;
            private long sentAt;

            @Override
            public Behavior<Object> receive(io.flowrelay.actor.ActorContext<Object> ctx, Object message) {
                if (message instanceof Start s) {
                    job = s;
                    left = s.n();
                } else {
                    job.histogram().recordValue(System.nanoTime() - sentAt);
                    if (--left == 0) {
                        job.done().countDown();
                        return Behaviors.same();
                    }
                }
                sentAt = System.nanoTime();
                ponger.tell(ctx.self());
                return Behaviors.same();
            }
        });
        private final Histogram histogram = newHistogram();

        @Override
        public void run(int n) throws Exception {
            histogram.reset();
            CountDownLatch done = new CountDownLatch(1);
            pinger.tell(new Start(n, histogram, done));
            await(done, "ping-pong");
        }

        @Override
        public Histogram latencies() {
            return histogram;
        }

        @Override
        public void close() {
            system.shutdown(SHUTDOWN).toCompletableFuture().join();
        }
    }
}
