package io.flowrelay.bench;

import com.typesafe.config.ConfigFactory;
import io.reactivex.rxjava3.core.Flowable;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.JavaFlowSupport;
import org.apache.pekko.stream.javadsl.Source;
import org.reactivestreams.FlowAdapters;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The peers of the actor scenarios: Pekko typed actors and Pekko Streams, Reactor and RxJava pipelines. */
final class PeerCases {

    private PeerCases() {
    }

    /** A Pekko typed system with default settings (quiet logging), its guardian doing nothing. */
    static ActorSystem<Void> pekko(String name) {
        return ActorSystem.create(Behaviors.empty(), name, ConfigFactory.parseString(
                "pekko.loglevel = WARNING\npekko.log-dead-letters = off\npekko.log-dead-letters-during-shutdown = off")
                .withFallback(ConfigFactory.load()));
    }

    static void terminate(ActorSystem<Void> system) throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ T3

    static Behavior<Integer> counter(long n, CountDownLatch done) {
        return Behaviors.setup(ctx -> {
            long[] state = {n, 0L}; // left, sum
            return Behaviors.receiveMessage(m -> {
                state[1] += m;
                if (--state[0] == 0) {
                    done.countDown();
                    return Behaviors.stopped();
                }
                return Behaviors.same();
            });
        });
    }

    /** One thread {@code tell}s {@code n} messages to one Pekko typed actor (default dispatcher and mailbox). */
    static final class PekkoTell implements Workload {
        private final ActorSystem<Void> system = pekko("bench-tell-pekko");
        private int runs;

        @Override
        public void run(int n) throws Exception {
            CountDownLatch done = new CountDownLatch(1);
            ActorRef<Integer> ref = system.systemActorOf(counter(n, done), "counter-" + runs++, Props.empty());
            for (int i = 0; i < n; i++) {
                ref.tell(Items.get(i));
            }
            ActorCases.await(done, "pekko tell");
        }

        @Override
        public void close() throws Exception {
            terminate(system);
        }
    }

    // ------------------------------------------------------------------ T4

    /** {@code Flux.range -> (publishOn(parallel) + map) x 4 -> subscriber}. */
    static final class ReactorPipeline implements Workload {
        @Override
        public void run(int n) throws Exception {
            Flux<Integer> f = Flux.range(0, n);
            for (int k = 0; k < ActorCases.FlowRelayPipeline.STAGES; k++) {
                f = f.publishOn(Schedulers.parallel()).map(x -> x + 1);
            }
            CountingSubscriber sub = new CountingSubscriber(n, 1024);
            JdkFlowAdapter.publisherToFlowPublisher(f).subscribe(sub);
            sub.await();
        }
    }

    /** {@code Flowable.range -> (observeOn(computation) + map) x 4 -> subscriber}. */
    static final class RxJavaPipeline implements Workload {
        @Override
        public void run(int n) throws Exception {
            Flowable<Integer> f = Flowable.range(0, n);
            for (int k = 0; k < ActorCases.FlowRelayPipeline.STAGES; k++) {
                f = f.observeOn(io.reactivex.rxjava3.schedulers.Schedulers.computation()).map(x -> x + 1);
            }
            CountingSubscriber sub = new CountingSubscriber(n, 1024);
            FlowAdapters.toFlowPublisher(f).subscribe(sub);
            sub.await();
        }
    }

    /** {@code Source.range -> (map + async) x 4 -> subscriber}, Pekko Streams defaults. */
    static final class PekkoStreamsPipeline implements Workload {
        private final ActorSystem<Void> system = pekko("bench-streams-pekko");
        private final Materializer mat = Materializer.createMaterializer(system);

        @Override
        public void run(int n) throws Exception {
            Source<Integer, ?> s = Source.range(0, n - 1);
            for (int k = 0; k < ActorCases.FlowRelayPipeline.STAGES; k++) {
                s = s.map(x -> x + 1).async();
            }
            CountingSubscriber sub = new CountingSubscriber(n, 1024);
            s.runWith(JavaFlowSupport.Sink.fromSubscriber(sub), mat);
            sub.await();
        }

        @Override
        public void close() throws Exception {
            mat.shutdown();
            terminate(system);
        }
    }

    // ------------------------------------------------------------------ T5

    record PekkoPing(ActorRef<Integer> replyTo, Integer value) {
    }

    /** {@code AskPattern.ask} from a plain thread to a Pekko echo actor, one at a time. */
    static final class PekkoAsk implements Workload {
        private final ActorSystem<Void> system = pekko("bench-ask-pekko");
        private final ActorRef<PekkoPing> echo = system.systemActorOf(Behaviors.receiveMessage(p -> {
            p.replyTo().tell(p.value());
            return Behaviors.same();
        }), "echo", Props.empty());
        private final Histogram histogram = ActorCases.newHistogram();

        @Override
        public void run(int n) throws Exception {
            histogram.reset();
            Duration timeout = Duration.ofSeconds(10);
            for (int i = 0; i < n; i++) {
                Integer v = Items.get(i);
                long t0 = System.nanoTime();
                Integer r = AskPattern.<PekkoPing, Integer>ask(echo, replyTo -> new PekkoPing(replyTo, v), timeout,
                        system.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
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
        public void close() throws Exception {
            terminate(system);
        }
    }

    /** Two Pekko typed actors playing ping-pong (a reference for the FlowRelay figure). */
    static final class PekkoPingPong implements Workload {
        private final ActorSystem<Void> system = pekko("bench-pingpong-pekko");
        private final ActorRef<ActorRef<Object>> ponger = system.systemActorOf(Behaviors.<ActorRef<Object>>receiveMessage(r -> {
            r.tell("pong");
            return Behaviors.same();
        }), "ponger", Props.empty());
        private final Histogram histogram = ActorCases.newHistogram();
        private final ActorRef<Object> pinger = system.systemActorOf(Behaviors.setup(ctx -> {
            Object[] job = new Object[1];
            long[] st = new long[2]; // left, sentAt
            return Behaviors.receiveMessage(m -> {
                if (m instanceof ActorCases.Start s) {
                    job[0] = s;
                    st[0] = s.n();
                } else {
                    ActorCases.Start s = (ActorCases.Start) job[0];
                    s.histogram().recordValue(System.nanoTime() - st[1]);
                    if (--st[0] == 0) {
                        s.done().countDown();
                        return Behaviors.same();
                    }
                }
                st[1] = System.nanoTime();
                ponger.tell(ctx.getSelf());
                return Behaviors.same();
            });
        }), "pinger", Props.empty());

        @Override
        public void run(int n) throws Exception {
            histogram.reset();
            CountDownLatch done = new CountDownLatch(1);
            pinger.tell(new ActorCases.Start(n, histogram, done));
            ActorCases.await(done, "pekko ping-pong");
        }

        @Override
        public Histogram latencies() {
            return histogram;
        }

        @Override
        public void close() throws Exception {
            terminate(system);
        }
    }
}
