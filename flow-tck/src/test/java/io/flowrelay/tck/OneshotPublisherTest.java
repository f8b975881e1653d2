package io.flowrelay.tck;

import io.flowrelay.channel.Channels;
import io.flowrelay.channel.Oneshot;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

import java.util.concurrent.Flow;

/**
 * The TCK's publisher rules for a {@link Oneshot}: a publisher of at most one item.
 *
 * <p>{@link #createFlowPublisher(long)} is a oneshot completed with {@code 0} ({@code n = 1}) or
 * completed empty, {@code complete(null)} ({@code n = 0}); {@link #createFailedFlowPublisher()} a
 * oneshot failed with an error: a subscriber gets {@code onSubscribe}, then {@code onError}
 * (RS 1.9). Each is the oneshot itself, no wrapper; several subscribers share it.
 *
 * <p>{@link #maxElementsFromPublisher()} is 1, as the TCK asks of an at-most-one publisher, so
 * the TCK skips every test that needs a longer stream (listed in {@code BROADCAST-TCK.md}). The
 * rules those tests check (RS 3.9 for {@code request(0)} and negative requests, cancellation,
 * 3.17) are checked for the oneshot in flow-core ({@code OneshotTest}); the delivery loop that
 * serves a oneshot's subscribers is the same kernel class that passes them in the other
 * verifications.
 */
public class OneshotPublisherTest extends FlowPublisherVerification<Integer> {

    public OneshotPublisherTest() {
        super(new TestEnvironment(TckSupport.TIMEOUT_MILLIS), TckSupport.GC_TIMEOUT_MILLIS);
    }

    @Override
    public Flow.Publisher<Integer> createFlowPublisher(long elements) {
        Oneshot<Integer> oneshot = Channels.oneshot();
        oneshot.complete(elements == 0 ? null : 0);
        return oneshot;
    }

    @Override
    public Flow.Publisher<Integer> createFailedFlowPublisher() {
        Oneshot<Integer> oneshot = Channels.oneshot();
        oneshot.fail(new RuntimeException("failed on purpose"));
        return oneshot;
    }

    @Override
    public long maxElementsFromPublisher() {
        return 1;
    }
}
