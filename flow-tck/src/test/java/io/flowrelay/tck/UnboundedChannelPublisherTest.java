package io.flowrelay.tck;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

import java.util.concurrent.Flow;

/**
 * The TCK's publisher rules for an unbounded channel ({@code Channels.unbounded()}) as a
 * {@link Flow.Publisher}.
 *
 * <p>Streams of up to {@value TckSupport#EAGER_FILL_LIMIT} items are sent up front with
 * {@code trySend} (an unbounded channel never refuses), then the channel is closed. A longer
 * stream (only {@code Integer.MAX_VALUE}, for RS 3.17) cannot be materialised, so the channel
 * subscribes to a demand-driven range instead: it keeps its prefetch requested upstream, and
 * closes itself when the range completes.
 */
public class UnboundedChannelPublisherTest extends FlowPublisherVerification<Integer> {

    public UnboundedChannelPublisherTest() {
        super(new TestEnvironment(TckSupport.TIMEOUT_MILLIS), TckSupport.GC_TIMEOUT_MILLIS);
    }

    @Override
    public Flow.Publisher<Integer> createFlowPublisher(long elements) {
        Channel<Integer> channel = Channels.unbounded();
        if (elements <= TckSupport.EAGER_FILL_LIMIT) {
            for (int i = 0; i < elements; i++) {
                if (!channel.trySend(i).isOk()) {
                    throw new IllegalStateException("an unbounded channel refused item " + i);
                }
            }
            channel.close();
        } else {
            TckSupport.range(elements).subscribe(channel);
        }
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
