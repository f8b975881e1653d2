package io.flowrelay.tck;

import io.flowrelay.channel.Overflow;
import io.flowrelay.pubsub.Broker;
import io.flowrelay.pubsub.SubscribeOptions;
import io.flowrelay.pubsub.Topic;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterMethod;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TCK against a {@link Topic} of a {@link Broker}, a hot, multicast publisher.
 *
 * <p>{@link #createFlowPublisher(long)} makes a fresh broker whose subscriptions default to a
 * buffer of {@value #CAPACITY} with {@link Overflow#BLOCK}, and returns its topic
 * {@code tck.topic}, seen through a publisher that starts a producer thread at the first
 * {@code request} of any of its subscribers (at once for an empty stream). The producer publishes
 * {@code 0 .. n-1} with {@code topic.publish} — which waits whenever some subscriber's buffer is
 * full, so the stream is exact and paced by the slowest subscriber's demand — and then closes the
 * broker, which completes the subscribers after what is buffered. It stops early once a publish
 * reaches nobody (every subscriber cancelled). Every subscriber of one publisher subscribes before
 * anyone requests (as in the TCK's multicast tests), so they all get the same elements in the same
 * order: the multicast tests exercise the real fan-out. The wrapper forwards every signal,
 * {@code request} and {@code cancel} unchanged.
 *
 * <p>After each test, the brokers it made are closed, which releases a producer still waiting for
 * a subscriber that stopped requesting.
 *
 * <p>{@link #createFailedFlowPublisher()} is a topic of a closed broker: a subscriber gets
 * {@code onSubscribe} then {@code onError(IllegalStateException)} (RS 1.9).
 */
public class BrokerTopicPublisherTest extends FlowPublisherVerification<Long> {

    /** The buffer of each subscription (BLOCK): small, so that the producer often waits. */
    static final int CAPACITY = 16;

    private static final AtomicInteger PRODUCERS = new AtomicInteger();

    private final List<Broker<Long>> brokers = new CopyOnWriteArrayList<>();
    private final TestEnvironment env;

    public BrokerTopicPublisherTest() {
        this(new TestEnvironment(TckSupport.TIMEOUT_MILLIS));
    }

    private BrokerTopicPublisherTest(TestEnvironment env) {
        super(env, TckSupport.GC_TIMEOUT_MILLIS);
        this.env = env;
    }

    @AfterMethod(alwaysRun = true)
    public void closeBrokers() {
        for (Broker<Long> b : brokers) {
            b.close();
        }
        brokers.clear();
    }

    @Override
    public Flow.Publisher<Long> createFlowPublisher(long elements) {
        Broker<Long> broker = Broker.create(SubscribeOptions.defaults().capacity(CAPACITY).overflow(Overflow.BLOCK));
        brokers.add(broker);
        Topic<Long> topic = broker.topic("tck.topic");
        AtomicBoolean started = new AtomicBoolean();
        Runnable start = () -> {
            if (started.compareAndSet(false, true)) {
                Thread producer = new Thread(() -> produce(broker, topic, elements), "tck-topic-producer-" + PRODUCERS.incrementAndGet());
                producer.setDaemon(true);
                producer.start();
            }
        };
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
            topic.subscribe(new StartOnRequest(subscriber, start));
            if (elements == 0) {
                start.run();
            }
        };
    }

    private void produce(Broker<Long> broker, Topic<Long> topic, long n) {
        try {
            for (long i = 0; i < n; i++) {
                if (topic.publish(i) == 0) {
                    return; // every subscriber has gone (or the test closed the broker)
                }
            }
        } catch (Throwable ex) {
            env.flop(ex, "topic producer failed: " + ex);
        } finally {
            broker.close();
        }
    }

    @Override
    public Flow.Publisher<Long> createFailedFlowPublisher() {
        Broker<Long> broker = Broker.create();
        broker.close();
        return broker.topic("tck.failed");
    }

    @Override
    public long maxElementsFromPublisher() {
        return TckSupport.MAX_ELEMENTS;
    }

    /** Forwards everything; the first {@code request} starts the producer. */
    static final class StartOnRequest implements Flow.Subscriber<Long>, Flow.Subscription {
        private final Flow.Subscriber<? super Long> actual;
        private final Runnable start;
        private volatile Flow.Subscription s;

        StartOnRequest(Flow.Subscriber<? super Long> actual, Runnable start) {
            this.actual = actual;
            this.start = start;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.s = s;
            actual.onSubscribe(this);
        }

        @Override
        public void onNext(Long item) {
            actual.onNext(item);
        }

        @Override
        public void onError(Throwable throwable) {
            actual.onError(throwable);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            s.request(n);
            start.run();
        }

        @Override
        public void cancel() {
            s.cancel();
        }
    }
}
