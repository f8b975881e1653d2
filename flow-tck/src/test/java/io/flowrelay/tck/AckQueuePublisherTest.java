package io.flowrelay.tck;

import io.flowrelay.queue.AckQueue;
import io.flowrelay.queue.Delivery;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterMethod;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TCK against an {@link AckQueue} as a {@code Flow.Publisher<Delivery<T>>}.
 *
 * <p>{@link #createFlowPublisher(long)} makes a fresh queue (visibility timeout 30 s, so nothing
 * is redelivered during a test) and returns a publisher that subscribes its subscriber to the
 * queue through {@link Acking}, a wrapper that acks every delivery as it passes it on and
 * otherwise forwards every signal, {@code request} and {@code cancel} unchanged. A producer thread
 * enqueues {@code n} jobs, at most {@value #WINDOW} ahead of what the subscriber has received (so
 * that a stream of {@code Integer.MAX_VALUE} jobs costs only what is consumed), and then closes
 * the queue; the queue terminates — the subscriber gets {@code onComplete} — once the {@code n}
 * jobs are acked. The producer stops early once the subscriber cancelled or ended.
 *
 * <p>All subscribers of one publisher share its queue and compete for its deliveries (a worker
 * pool), so the optional multicast tests, which expect every subscriber to get every element, do
 * not hold and are reported as skipped; that is the queue's contract, not a defect.
 *
 * <p>{@link #createFailedFlowPublisher()} is a queue that was closed empty, so it has terminated:
 * a subscriber gets {@code onSubscribe} then {@code onError(IllegalStateException)} (RS 1.9).
 */
public class AckQueuePublisherTest extends FlowPublisherVerification<Delivery<Long>> {

    /** Jobs the producer may be ahead of the subscriber. */
    static final int WINDOW = 512;

    private static final AtomicInteger PRODUCERS = new AtomicInteger();

    /** The stop flags of this test's wrappers (not the wrappers: they hold the subscriber, RS 3.13). */
    private final List<AtomicBoolean> stops = new CopyOnWriteArrayList<>();
    private final TestEnvironment env;

    public AckQueuePublisherTest() {
        this(new TestEnvironment(TckSupport.TIMEOUT_MILLIS));
    }

    private AckQueuePublisherTest(TestEnvironment env) {
        super(env, TckSupport.GC_TIMEOUT_MILLIS);
        this.env = env;
    }

    /** Producers of a finished test stop at once, instead of waiting for room that never comes. */
    @AfterMethod(alwaysRun = true)
    public void stopProducers() {
        for (AtomicBoolean stop : stops) {
            stop.set(true);
        }
        stops.clear();
    }

    @Override
    public Flow.Publisher<Delivery<Long>> createFlowPublisher(long elements) {
        AckQueue<Long> queue = AckQueue.create(Duration.ofSeconds(30), 5);
        AtomicBoolean started = new AtomicBoolean();
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
            Acking acking = new Acking(subscriber);
            stops.add(acking.ended);
            queue.subscribe(acking);
            if (started.compareAndSet(false, true)) {
                Thread producer = new Thread(() -> produce(queue, acking, elements), "tck-ackqueue-producer-" + PRODUCERS.incrementAndGet());
                producer.setDaemon(true);
                producer.start();
            }
        };
    }

    private void produce(AckQueue<Long> queue, Acking acking, long n) {
        try {
            for (long i = 0; i < n; i++) {
                if (!acking.awaitRoom()) {
                    return;
                }
                queue.enqueue(i);
            }
        } catch (Throwable ex) {
            env.flop(ex, "queue producer failed: " + ex);
        } finally {
            queue.close();
        }
    }

    @Override
    public Flow.Publisher<Delivery<Long>> createFailedFlowPublisher() {
        AckQueue<Long> queue = AckQueue.create(Duration.ofSeconds(30), 5);
        queue.close(); // empty: terminates at once
        return queue;
    }

    @Override
    public long maxElementsFromPublisher() {
        return TckSupport.MAX_ELEMENTS;
    }

    /** Acks and forwards each delivery; counts them for the producer and notices the end. */
    static final class Acking implements Flow.Subscriber<Delivery<Long>>, Flow.Subscription {
        private final Flow.Subscriber<? super Delivery<Long>> actual;
        private final Semaphore room = new Semaphore(WINDOW);
        private volatile Flow.Subscription s;
        final AtomicBoolean ended = new AtomicBoolean();

        Acking(Flow.Subscriber<? super Delivery<Long>> actual) {
            this.actual = actual;
        }

        /** {@code false} once the stream ended, or if nothing was received for 10 s. */
        boolean awaitRoom() throws InterruptedException {
            for (int i = 0; i < 1000; i++) {
                if (ended.get()) {
                    return false;
                }
                if (room.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                    return !ended.get();
                }
            }
            return false;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.s = s;
            actual.onSubscribe(this);
        }

        @Override
        public void onNext(Delivery<Long> d) {
            if (!d.ack()) {
                throw new IllegalStateException("a first delivery could not be acked: " + d);
            }
            room.release();
            actual.onNext(d);
        }

        @Override
        public void onError(Throwable throwable) {
            ended.set(true);
            actual.onError(throwable);
        }

        @Override
        public void onComplete() {
            ended.set(true);
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            s.request(n);
        }

        @Override
        public void cancel() {
            ended.set(true);
            s.cancel();
        }
    }
}
