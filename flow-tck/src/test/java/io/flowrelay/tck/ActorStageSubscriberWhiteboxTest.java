package io.flowrelay.tck;

import io.flowrelay.actor.ActorOptions;
import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Mailbox;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.SubscriberPuppet;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.WhiteboxSubscriberProbe;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberWhiteboxVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The subscriber side of an actor stage, watched through the TCK's whitebox probe.
 *
 * <p>What the stage does with demand, and how the puppet drives it honestly:
 * <ul>
 *   <li>The stage requests from upstream only the free room of its mailbox (here 16), at
 *       {@code onSubscribe} and again as its loop consumes inputs; it takes an input only while
 *       its output channel has room. So it does not wait for a {@code triggerRequest} before it
 *       asks upstream for items: the TCK's {@code expectRequest()} sees the mailbox window.</li>
 *   <li>{@code triggerRequest(n)}: a downstream subscriber wired to the stage's output requests
 *       {@code n}; the items then flow through the stage to it, which frees output room, which lets
 *       the loop take more inputs, which replenishes upstream — the real demand chain.</li>
 *   <li>{@code signalCancel()}: that downstream subscriber cancels. It is the stage's only
 *       subscriber, so the stage stops and cancels its upstream (a stage whose last consumer
 *       cancelled has nobody to produce for); this is the path a real pipeline takes when its
 *       sink gives up, not a test-only hook.</li>
 * </ul>
 * The wrapper reports each signal to the probe after the stage has accepted it (a {@code null}
 * argument throws first, RS 2.13), and registers the puppet only for the first
 * {@code onSubscribe}: the stage cancels a second subscription itself (RS 2.5).
 */
public class ActorStageSubscriberWhiteboxTest extends FlowSubscriberWhiteboxVerification<Integer> {

    private final AtomicInteger ids = new AtomicInteger();
    private ActorSystem system;
    private ExecutorService helperExecutor;

    public ActorStageSubscriberWhiteboxTest() {
        super(new TestEnvironment(ActorStageProcessorTest.TIMEOUT_MILLIS));
    }

    @BeforeClass
    public void startSystem() {
        system = ActorSystem.create("tck-stage-whitebox");
        helperExecutor = Executors.newFixedThreadPool(4);
    }

    @AfterClass(alwaysRun = true)
    public void stopSystem() throws Exception {
        if (system != null) {
            system.shutdown(Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (helperExecutor != null) {
            helperExecutor.shutdownNow();
        }
    }

    @Override
    protected Flow.Subscriber<Integer> createFlowSubscriber(WhiteboxSubscriberProbe<Integer> probe) {
        Flow.Processor<Integer, Integer> stage = system.stage("identity-" + ids.incrementAndGet(),
                () -> (x, out) -> out.emit(x), ActorOptions.defaults().mailbox(Mailbox.bounded(16)));
        Sink sink = new Sink();
        stage.subscribe(sink);
        return new ProbedStage(stage, sink, probe);
    }

    @Override
    public ExecutorService publisherExecutorService() {
        return helperExecutor;
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }

    /** The downstream of the stage: requests only what the puppet asks for. */
    static final class Sink implements Flow.Subscriber<Integer> {
        final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.complete(s);
        }

        @Override
        public void onNext(Integer item) {
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }
    }

    /** The stage as the subscriber under test, reporting to the probe. */
    static final class ProbedStage implements Flow.Subscriber<Integer> {
        private final Flow.Processor<Integer, Integer> stage;
        private final Sink sink;
        private final WhiteboxSubscriberProbe<Integer> probe;
        private final AtomicBoolean registered = new AtomicBoolean();

        ProbedStage(Flow.Processor<Integer, Integer> stage, Sink sink, WhiteboxSubscriberProbe<Integer> probe) {
            this.stage = stage;
            this.sink = sink;
            this.probe = probe;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            stage.onSubscribe(s);
            if (registered.compareAndSet(false, true)) {
                probe.registerOnSubscribe(new SubscriberPuppet() {
                    @Override
                    public void triggerRequest(long elements) {
                        sink.subscription.thenAccept(d -> d.request(elements));
                    }

                    @Override
                    public void signalCancel() {
                        sink.subscription.thenAccept(Flow.Subscription::cancel);
                    }
                });
            }
        }

        @Override
        public void onNext(Integer item) {
            stage.onNext(item);
            probe.registerOnNext(item);
        }

        @Override
        public void onError(Throwable throwable) {
            stage.onError(throwable);
            probe.registerOnError(throwable);
        }

        @Override
        public void onComplete() {
            stage.onComplete();
            probe.registerOnComplete();
        }
    }
}
