package io.flowrelay.tck;

import io.flowrelay.channel.Broadcast;
import io.flowrelay.channel.Channels;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * The TCK's publisher rules for a {@link Broadcast} with policy {@link Broadcast.Policy#LAG}.
 *
 * <p>As in {@link BroadcastPublisherTest}, each subscriber gets its own broadcast (ring of
 * {@value #CAPACITY}), created and subscribed to before the first item. A LAG publisher never
 * waits, and a subscriber that falls a ring behind would be told so ({@code LaggedException},
 * since the TCK's subscribers are no {@code LagListener}): to emit exactly {@code n} items the
 * test's producer ({@link FanoutTckSupport#subscribePaced}) publishes only while it is less than a
 * ring ahead of what the subscriber received. It forwards every signal unchanged and hands on the
 * broadcast's own subscription, so the TCK checks the broadcast's delivery loop; the pacing only
 * keeps the stream exact (a lag would show up as an error and fail the tests).
 *
 * <p>{@link #createFailedFlowPublisher()} is a LAG broadcast failed before anyone subscribed.
 */
public class BroadcastLagPublisherTest extends FlowPublisherVerification<Integer> {

    static final int CAPACITY = 4;

    public BroadcastLagPublisherTest() {
        super(new TestEnvironment(TckSupport.TIMEOUT_MILLIS), TckSupport.GC_TIMEOUT_MILLIS);
    }

    @Override
    public Flow.Publisher<Integer> createFlowPublisher(long elements) {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
            Broadcast<Integer> broadcast = Channels.broadcast(CAPACITY, Broadcast.Policy.LAG);
            FanoutTckSupport.subscribePaced(broadcast, subscriber, elements);
        };
    }

    @Override
    public Flow.Publisher<Integer> createFailedFlowPublisher() {
        Broadcast<Integer> broadcast = Channels.broadcast(CAPACITY, Broadcast.Policy.LAG);
        broadcast.fail(new RuntimeException("failed on purpose before subscription"));
        return broadcast;
    }

    @Override
    public long maxElementsFromPublisher() {
        return TckSupport.MAX_ELEMENTS;
    }
}
