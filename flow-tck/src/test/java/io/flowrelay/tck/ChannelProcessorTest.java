package io.flowrelay.tck;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.IdentityFlowProcessorVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;

/**
 * The TCK's processor rules (publisher + subscriber + processor) for a bounded channel as a
 * {@link Flow.Processor}: the TCK subscribes it to a helper publisher and reads it from a
 * downstream subscriber.
 *
 * <p>A channel's subscribers compete for items (each item goes to one of them), so the processor
 * is unicast: {@link #maxSupportedSubscribers()} is 1 and the TCK skips its multicast tests,
 * among them two {@code required_} ones that it gates on two subscribers. One of those,
 * RS 1.4's "onError reaches all subscribers", holds for competing subscribers too, so
 * {@link #spec104_mustCallOnErrorOnAllItsCompetingSubscribers()} runs its body here; the other
 * ({@code required_mustRequestFromUpstreamForElementsThatHaveBeenRequestedLongAgo}) expects a
 * late subscriber to receive an item another subscriber already received, i.e. multicast.
 */
public class ChannelProcessorTest extends IdentityFlowProcessorVerification<Integer> {

    private final TestEnvironment env;
    private ExecutorService executor;

    public ChannelProcessorTest() {
        this(new TestEnvironment(TckSupport.TIMEOUT_MILLIS));
    }

    private ChannelProcessorTest(TestEnvironment env) {
        super(env, TckSupport.GC_TIMEOUT_MILLIS);
        this.env = env;
    }

    @BeforeClass
    public void startExecutor() {
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tck-helper-publisher");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterClass(alwaysRun = true)
    public void stopExecutor() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Override
    protected Flow.Processor<Integer, Integer> createIdentityFlowProcessor(int bufferSize) {
        // holds at least bufferSize items (the capacity is rounded up to a power of two)
        return Channels.bounded(Math.max(1, bufferSize));
    }

    @Override
    protected Flow.Publisher<Integer> createFailedFlowPublisher() {
        return TckSupport.failedChannel();
    }

    @Override
    public ExecutorService publisherExecutorService() {
        return executor;
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }

    @Override
    public long maxSupportedSubscribers() {
        return 1L; // subscribers compete for items: a channel is not a multicast processor
    }

    /**
     * The body of the TCK's {@code required_spec104_mustCallOnErrorOnAllItsSubscribersIfItEncountersANonRecoverableError},
     * which the TCK skips when {@code maxSupportedSubscribers() < 2}: an upstream error reaches
     * every subscriber, competing or not, without any request.
     */
    @Test
    public void spec104_mustCallOnErrorOnAllItsCompetingSubscribers() throws Throwable {
        TestEnvironment.ManualPublisher<Integer> upstream = new TestEnvironment.ManualPublisher<>(env);
        Channel<Integer> channel = Channels.bounded(TckSupport.PROCESSOR_BUFFER);
        upstream.subscribe(FlowAdapters.toSubscriber(channel));

        ManualSubscriberWithErrorCollection<Integer> sub1 = new ManualSubscriberWithErrorCollection<>(env);
        env.subscribe(FlowAdapters.toPublisher(channel), sub1);
        ManualSubscriberWithErrorCollection<Integer> sub2 = new ManualSubscriberWithErrorCollection<>(env);
        env.subscribe(FlowAdapters.toPublisher(channel), sub2);

        Exception ex = new RuntimeException("Test exception");
        upstream.sendError(ex);
        sub1.expectError(ex);
        sub2.expectError(ex);

        env.verifyNoAsyncErrors();
    }
}
