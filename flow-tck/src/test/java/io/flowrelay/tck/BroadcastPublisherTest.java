package io.flowrelay.tck;

import io.flowrelay.channel.Broadcast;
import io.flowrelay.channel.Channels;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * The TCK's publisher rules for a {@link Broadcast} with the default policy,
 * {@link Broadcast.Policy#HOLD}.
 *
 * <p>A broadcast is hot: a subscriber gets the items published after it subscribed. So
 * {@link #createFlowPublisher(long)} returns a small publisher that, per subscriber, creates a
 * broadcast with a ring of at most {@value #MAX_CAPACITY} items, subscribes the subscriber
 * (synchronously attached: it will see every item from now on), and then publishes exactly
 * {@code n} items with {@link FanoutTckSupport#fillAndClose}, an asynchronous producer that never
 * blocks a thread and is held back by the ring (so every stream longer than the ring goes through
 * the broadcast's waiting-sender path). The subscriber's {@code Flow.Subscription} is the
 * broadcast's own: what the TCK checks (demand, RS 3.9, 3.17, cancellation, dropped references,
 * signal order) is the broadcast itself. Every subscriber having its own broadcast also means the
 * TCK's multi-subscriber tests see independent, identical streams; fan-out to many subscribers of
 * one broadcast is tested in flow-core ({@code BroadcastTest}).
 *
 * <p>{@link #createFlowPublisher} with {@code n} up to {@code Integer.MAX_VALUE} costs only what a
 * test consumes: the producer stops once the subscriber has left.
 * {@link #createFailedFlowPublisher()} is a broadcast failed before anyone subscribed: a subscriber
 * gets {@code onSubscribe}, then {@code onError} (RS 1.9).
 */
public class BroadcastPublisherTest extends FlowPublisherVerification<Integer> {

    static final int MAX_CAPACITY = 4;

    public BroadcastPublisherTest() {
        super(new TestEnvironment(TckSupport.TIMEOUT_MILLIS), TckSupport.GC_TIMEOUT_MILLIS);
    }

    @Override
    public Flow.Publisher<Integer> createFlowPublisher(long elements) {
        int capacity = (int) Math.max(1L, Math.min(elements, MAX_CAPACITY));
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
            Broadcast<Integer> broadcast = Channels.broadcast(capacity);
            broadcast.subscribe(subscriber);
            FanoutTckSupport.fillAndClose(broadcast, elements);
        };
    }

    @Override
    public Flow.Publisher<Integer> createFailedFlowPublisher() {
        Broadcast<Integer> broadcast = Channels.broadcast(MAX_CAPACITY);
        broadcast.fail(new RuntimeException("failed on purpose before subscription"));
        return broadcast;
    }

    @Override
    public long maxElementsFromPublisher() {
        return TckSupport.MAX_ELEMENTS;
    }
}
