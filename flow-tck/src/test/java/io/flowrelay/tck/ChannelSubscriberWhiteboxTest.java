package io.flowrelay.tck;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.SubscriberPuppet;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.WhiteboxSubscriberProbe;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberWhiteboxVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The TCK's subscriber rules for a channel used as a {@link Flow.Subscriber}, observed through a
 * thin wrapper that forwards every signal to the channel and then reports it to the TCK's probe.
 *
 * <p>Why a bounded channel of capacity 2: a channel has no {@code request(n)} of its own; it
 * requests its free room from upstream at {@code onSubscribe} and asks again as consumers drain
 * it (75 % rule). The puppet therefore does what a real consumer does: {@code triggerRequest(n)}
 * takes up to {@code n} items with {@code poll()}, and {@code signalCancel()} closes the channel,
 * which cancels its upstream. With capacity 2 (the smallest bounded buffer) the initial
 * {@code request(2)} is exactly the demand the TCK's tests consume (they signal at most two
 * items), so every {@code onNext} the TCK sends is one the channel really asked for. A
 * rendezvous channel (window 1) would need a re-request in RS 3.8's test before any item had
 * arrived to be polled, which its demand logic honestly does not issue; an unbounded channel
 * would only hide the window behind a 256-item prefetch.
 */
public class ChannelSubscriberWhiteboxTest extends FlowSubscriberWhiteboxVerification<Integer> {

    private ExecutorService executor;

    public ChannelSubscriberWhiteboxTest() {
        super(new TestEnvironment(TckSupport.TIMEOUT_MILLIS));
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
    protected Flow.Subscriber<Integer> createFlowSubscriber(WhiteboxSubscriberProbe<Integer> probe) {
        return new ProbedChannel(Channels.bounded(2), probe);
    }

    @Override
    public ExecutorService publisherExecutorService() {
        return executor;
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }

    /** Forwards each signal to the channel first (so RS 2.13 null checks are the channel's), then reports it. */
    private static final class ProbedChannel implements Flow.Subscriber<Integer> {
        private final Channel<Integer> channel;
        private final WhiteboxSubscriberProbe<Integer> probe;
        private final AtomicBoolean subscribed = new AtomicBoolean();

        ProbedChannel(Channel<Integer> channel, WhiteboxSubscriberProbe<Integer> probe) {
            this.channel = channel;
            this.probe = probe;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            channel.onSubscribe(subscription);
            // a second onSubscribe is cancelled by the channel (RS 2.5) and must not reach the probe
            if (subscribed.compareAndSet(false, true)) {
                probe.registerOnSubscribe(new SubscriberPuppet() {
                    @Override
                    public void triggerRequest(long elements) {
                        // consume like a real reader: the channel replenishes its upstream demand
                        for (long i = 0; i < elements && channel.poll() != null; i++) {
                            // taken
                        }
                    }

                    @Override
                    public void signalCancel() {
                        channel.close(); // closing cancels the upstream subscription
                    }
                });
            }
        }

        @Override
        public void onNext(Integer item) {
            channel.onNext(item);
            probe.registerOnNext(item);
        }

        @Override
        public void onError(Throwable throwable) {
            channel.onError(throwable);
            probe.registerOnError(throwable);
        }

        @Override
        public void onComplete() {
            channel.onComplete();
            probe.registerOnComplete();
        }
    }
}
