package io.flowrelay.tck;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

import java.util.concurrent.Flow;

/**
 * The TCK's publisher rules for a bounded channel ({@code Channels.bounded(n)}) as a
 * {@link Flow.Publisher}.
 *
 * <p>The channel is filled by {@link TckSupport#fillAndClose}: an asynchronous producer that
 * never blocks a thread. The buffer holds at most {@value #MAX_CAPACITY} items, so every stream
 * longer than that also goes through the channel's waiting-sender path ({@code sendAsync}
 * completed by the consumer that made room), and {@code Integer.MAX_VALUE} items cost nothing
 * until they are consumed.
 */
public class BoundedChannelPublisherTest extends FlowPublisherVerification<Integer> {

    static final int MAX_CAPACITY = 4;

    public BoundedChannelPublisherTest() {
        super(new TestEnvironment(TckSupport.TIMEOUT_MILLIS), TckSupport.GC_TIMEOUT_MILLIS);
    }

    @Override
    public Flow.Publisher<Integer> createFlowPublisher(long elements) {
        // capacity 0 would make a rendezvous channel: a bounded one has room for at least 1
        int capacity = (int) Math.max(1L, Math.min(elements, MAX_CAPACITY));
        Channel<Integer> channel = Channels.bounded(capacity);
        TckSupport.fillAndClose(channel, elements);
        return channel;
    }

    @Override
    public Flow.Publisher<Integer> createFailedFlowPublisher() {
        return TckSupport.failedChannel();
    }

    @Override
    public long maxElementsFromPublisher() {
        return TckSupport.MAX_ELEMENTS;
    }
}
