package io.flowrelay.tck;

import io.flowrelay.actor.ActorOptions;
import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Mailbox;
import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.IdentityFlowProcessorVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TCK against an identity actor stage ({@link ActorSystem#stage}): its subscriber side (the
 * mailbox), its publisher side (the output channel) and the processor rules in between.
 *
 * <p>The output of a stage is a channel: several subscribers may subscribe, but they compete for
 * items (each item goes to one of them), so the tests that assume every subscriber sees every item
 * do not apply: {@link #maxSupportedSubscribers()} is 1. One {@code @Subscribers(2)} test does not
 * assume multicast — RS 1.4, an upstream error reaches every subscriber — so it runs with two
 * competing subscribers (see {@link #required_spec104_mustCallOnErrorOnAllItsSubscribersIfItEncountersANonRecoverableError()}).
 * {@code required_mustRequestFromUpstreamForElementsThatHaveBeenRequestedLongAgo} stays skipped:
 * it expects the second subscriber to get the element the first one already got.
 */
public class ActorStageProcessorTest extends IdentityFlowProcessorVerification<Integer> {

    static final long TIMEOUT_MILLIS = 500;

    private final AtomicInteger ids = new AtomicInteger();
    private volatile long subscribers = 1;
    private ActorSystem system;
    private ExecutorService helperExecutor;

    public ActorStageProcessorTest() {
        super(new TestEnvironment(TIMEOUT_MILLIS), TIMEOUT_MILLIS);
    }

    @BeforeClass
    public void startSystem() {
        system = ActorSystem.create("tck-stage");
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
    protected Flow.Processor<Integer, Integer> createIdentityFlowProcessor(int bufferSize) {
        return system.stage("identity-" + ids.incrementAndGet(), () -> (x, out) -> out.emit(x),
                ActorOptions.defaults().mailbox(Mailbox.bounded(Math.max(bufferSize, 16))));
    }

    /** A stage whose upstream (a failed channel) signals onError right after onSubscribe. */
    @Override
    protected Flow.Publisher<Integer> createFailedFlowPublisher() {
        Flow.Processor<Integer, Integer> stage = createIdentityFlowProcessor(16);
        Channel<Integer> upstream = Channels.bounded(16);
        upstream.fail(new IllegalStateException("upstream failed before the stage subscribed"));
        upstream.subscribe(stage);
        return stage;
    }

    @Override
    public ExecutorService publisherExecutorService() {
        return helperExecutor;
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }

    @Override
    public long maxSupportedSubscribers() {
        return subscribers;
    }

    /**
     * Two competing subscribers: sub1 gets the one element (sub2 has no demand), then the upstream
     * error must reach both. Nothing here needs multicast, so it runs with 2 supported subscribers.
     */
    @Override
    @Test
    public void required_spec104_mustCallOnErrorOnAllItsSubscribersIfItEncountersANonRecoverableError() throws Throwable {
        subscribers = 2;
        try {
            super.required_spec104_mustCallOnErrorOnAllItsSubscribersIfItEncountersANonRecoverableError();
        } finally {
            subscribers = 1;
        }
    }
}
