package io.flowrelay.tck;

import io.flowrelay.channel.Broadcast;
import io.flowrelay.channel.SendResult;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Producers for the TCK verifications of the fan-out publishers: they make a hot publisher emit
 * exactly {@code n} items to a subscriber that subscribed before the first one, never blocking
 * a thread, and stop as soon as that subscriber has left (so that {@code Integer.MAX_VALUE}
 * items cost only what a test consumes).
 */
final class FanoutTckSupport {

    private FanoutTckSupport() {
    }

    /**
     * Publishes {@code 0 .. n-1} into a HOLD broadcast, then closes it: {@code trySend} while the
     * ring has room, then one {@code sendAsync} whose completion (on the subscriber's delivery
     * thread, once it made room) resumes the filling. Stops, and closes, once the broadcast has no
     * subscriber left.
     */
    static void fillAndClose(Broadcast<Integer> broadcast, long n) {
        TckSupport.fillAndClose(broadcast, n, () -> broadcast.subscriberCount() == 0);
    }

    /**
     * Publishes {@code 0 .. n-1} into a LAG broadcast whose only subscriber is {@code subscriber}
     * (wrapped: see {@link Paced}), never more than {@code broadcast.capacity()} items ahead of what
     * it has received, so that it is never lapped: the stream is exactly {@code n} items. A LAG
     * publisher never waits by itself; this pacing is the test's, not the broadcast's.
     */
    static void subscribePaced(Broadcast<Integer> broadcast, Flow.Subscriber<? super Integer> subscriber, long n) {
        Paced p = new Paced(broadcast, subscriber, n);
        broadcast.subscribe(p);
        p.run();
    }

    /**
     * Forwards every signal unchanged (the subscription it hands on is the broadcast's own) and,
     * after each item, publishes more. It is deliberately not a {@code LagListener}: a lag would
     * end the stream with {@code LaggedException}, so an exact stream also shows there was none.
     */
    static final class Paced implements Flow.Subscriber<Integer>, Runnable {
        private final Broadcast<Integer> broadcast;
        private final Flow.Subscriber<? super Integer> actual;
        private final long count;
        private final AtomicInteger wip = new AtomicInteger();
        private volatile long received;
        private long next; // only the thread that holds wip touches it

        Paced(Broadcast<Integer> broadcast, Flow.Subscriber<? super Integer> actual, long count) {
            this.broadcast = broadcast;
            this.actual = actual;
            this.count = count;
        }

        @Override
        public void run() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                fill();
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }

        private void fill() {
            while (next < count && next - received < broadcast.capacity()) {
                if (broadcast.subscriberCount() == 0) {
                    next = count + 1;
                    broadcast.close();
                    return;
                }
                if (broadcast.trySend((int) next) != SendResult.OK) {
                    return; // closed
                }
                next++;
            }
            if (next == count) {
                next++;
                broadcast.close();
            }
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            actual.onSubscribe(s);
        }

        @Override
        public void onNext(Integer item) {
            received++; // only the delivery loop writes it
            actual.onNext(item);
            run();
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
