package io.flowrelay.tck;

import io.flowrelay.channel.Channels;
import io.flowrelay.channel.Watch;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * The TCK's publisher rules for a {@link Watch}, as a finite stream.
 *
 * <p>A watch conflates: a subscriber gets the newest value it has not seen, so a watch that is
 * simply set {@code n} times emits anywhere from 1 to {@code n} values, and the TCK needs exactly
 * {@code n}. {@link #createFlowPublisher(long)} therefore returns a small publisher that, per
 * subscriber, creates a watch holding {@code 0} (or, for {@code n = 0}, an empty watch that is
 * closed at once), subscribes the subscriber through {@link Stepper}, and sets value {@code k + 1}
 * only once value {@code k} has been delivered (closing after value {@code n - 1}). Conflation then
 * never drops a value, and the stream is exactly {@code 0 .. n-1}, then {@code onComplete}.
 *
 * <p>The values are produced on demand, but by the watch's public {@code set}/{@code close},
 * and the subscription the subscriber gets is the watch's own: the TCK checks the watch's delivery
 * (current value first, demand, RS 3.9, 3.17, cancellation, dropped references, completion
 * without demand). A step is taken inside {@code onNext} on the delivery thread; {@code set}
 * never runs the loop on the caller's stack, so this adds no recursion (RS 3.3). Conflation itself
 * (a slow subscriber skips to the newest value) is tested in flow-core ({@code WatchTest}).
 *
 * <p>{@link #createFailedFlowPublisher()} is an empty watch failed before anyone subscribed: a
 * subscriber gets {@code onSubscribe}, then {@code onError} (RS 1.9).
 */
public class WatchPublisherTest extends FlowPublisherVerification<Integer> {

    public WatchPublisherTest() {
        super(new TestEnvironment(TckSupport.TIMEOUT_MILLIS), TckSupport.GC_TIMEOUT_MILLIS);
    }

    @Override
    public Flow.Publisher<Integer> createFlowPublisher(long elements) {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
            Watch<Integer> watch = elements == 0 ? Channels.watch() : Channels.watch(0);
            if (elements == 0) {
                watch.close();
            }
            watch.subscribe(new Stepper(watch, subscriber, elements));
        };
    }

    @Override
    public Flow.Publisher<Integer> createFailedFlowPublisher() {
        Watch<Integer> watch = Channels.watch();
        watch.fail(new RuntimeException("failed on purpose before subscription"));
        return watch;
    }

    @Override
    public long maxElementsFromPublisher() {
        return TckSupport.MAX_ELEMENTS;
    }

    /** Forwards every signal unchanged; after value {@code k} was delivered, sets {@code k + 1} or closes. */
    static final class Stepper implements Flow.Subscriber<Integer> {
        private final Watch<Integer> watch;
        private final Flow.Subscriber<? super Integer> actual;
        private final long count;

        Stepper(Watch<Integer> watch, Flow.Subscriber<? super Integer> actual, long count) {
            this.watch = watch;
            this.actual = actual;
            this.count = count;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            actual.onSubscribe(s);
        }

        @Override
        public void onNext(Integer value) {
            actual.onNext(value);
            long next = value + 1L;
            if (next < count) {
                watch.set((int) next);
            } else {
                watch.close();
            }
        }

        @Override
        public void onError(Throwable t) {
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }
    }
}
