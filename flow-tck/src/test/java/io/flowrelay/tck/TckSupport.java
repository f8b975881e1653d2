package io.flowrelay.tck;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import io.flowrelay.channel.SendResult;
import io.flowrelay.channel.Sender;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Shared set-up of the TCK verifications: how long the TCK waits, and the producers that fill a
 * channel for a publisher test.
 */
final class TckSupport {

    /**
     * Timeout of every {@code TestEnvironment}. {@code new TestEnvironment(timeout)} also sets the
     * no-signal and poll timeouts to it (1.0.4's {@code expectError} otherwise times out early).
     */
    static final long TIMEOUT_MILLIS = 300L;

    /** How long the TCK waits before it checks that a cancelled subscriber was released (RS 3.13). */
    static final long GC_TIMEOUT_MILLIS = 300L;

    /**
     * The most items a publisher test asks for: {@code Integer.MAX_VALUE}, so that the
     * {@code required_spec317_mustNotSignalOnErrorWhenPendingAboveLongMaxValue} test runs instead
     * of being skipped (a cap like 1024 skips it). The producers below are lazy, so a large
     * {@code n} costs only what a test consumes.
     */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE;

    /** The TCK's default processor buffer size ({@code TestEnvironment.TEST_BUFFER_SIZE}). */
    static final int PROCESSOR_BUFFER = 16;

    /** Up to this many items, an unbounded channel is filled up front with {@code trySend}. */
    static final int EAGER_FILL_LIMIT = 1024;

    private TckSupport() {
    }

    /** A channel that was failed before anyone subscribed: subscribers get onSubscribe, then onError. */
    static Channel<Integer> failedChannel() {
        Channel<Integer> ch = Channels.bounded(2);
        ch.fail(new RuntimeException("failed on purpose before subscription"));
        return ch;
    }

    /**
     * Sends {@code 0 .. n-1} into {@code channel}, then closes it, without ever blocking a thread:
     * {@code trySend} while there is room, then one {@code sendAsync} whose completion (on the
     * consumer that made room) resumes the filling. Nothing can leak: if the consumers stop, the
     * pending send simply stays with the channel and both become garbage together.
     */
    static void fillAndClose(Channel<Integer> channel, long n) {
        new AsyncFiller(channel, n, () -> false).run();
    }

    /**
     * The same for any sender (a HOLD broadcast): stops, and closes it, once {@code abandoned}
     * says nobody is left to publish to (the subscriber cancelled or failed).
     */
    static void fillAndClose(Sender<Integer> sender, long n, BooleanSupplier abandoned) {
        new AsyncFiller(sender, n, abandoned).run();
    }

    /** The async producer of {@link #fillAndClose}; {@code wip} trampolines completions that arrive synchronously. */
    private static final class AsyncFiller implements Runnable {
        private final Sender<Integer> sender;
        private final long count;
        private final BooleanSupplier abandoned;
        private final AtomicInteger wip = new AtomicInteger();
        private long next; // only the thread that holds wip touches it

        AsyncFiller(Sender<Integer> sender, long count, BooleanSupplier abandoned) {
            this.sender = sender;
            this.count = count;
            this.abandoned = abandoned;
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

        /** Sends until the sender is full (then parks one async send) or every item is out (then closes). */
        private void fill() {
            while (next < count) {
                if (abandoned.getAsBoolean()) {
                    next = count + 1;
                    sender.close();
                    return;
                }
                Integer item = (int) next;
                SendResult r = sender.trySend(item);
                if (r == SendResult.CLOSED) {
                    return;
                }
                next++;
                if (r == SendResult.FULL) {
                    sender.sendAsync(item).whenComplete((ok, error) -> {
                        if (error == null) {
                            run();
                        }
                    });
                    return;
                }
            }
            if (next == count) {
                next++; // close once
                sender.close();
            }
        }
    }

    /**
     * A synchronous publisher of {@code 0 .. n-1} for one subscriber, driven only by demand (so it
     * can stand for {@code Integer.MAX_VALUE} items), then onComplete. {@code request} runs the
     * emission loop on the caller's thread, trampolined by the demand counter (RS 3.3).
     */
    static Flow.Publisher<Integer> range(long n) {
        return subscriber -> subscriber.onSubscribe(new RangeSubscription(subscriber, n));
    }

    private static final class RangeSubscription implements Flow.Subscription {
        private final Flow.Subscriber<? super Integer> subscriber;
        private final long count;
        private final AtomicLong requested = new AtomicLong();
        private volatile boolean cancelled;
        private long index; // only the thread that moved requested from 0 touches it

        RangeSubscription(Flow.Subscriber<? super Integer> subscriber, long count) {
            this.subscriber = subscriber;
            this.count = count;
        }

        @Override
        public void request(long n) {
            if (n <= 0L) {
                cancel();
                subscriber.onError(new IllegalArgumentException("§3.9: request(" + n + ")"));
                return;
            }
            long r;
            do {
                r = requested.get();
                if (r == Long.MAX_VALUE) {
                    return;
                }
            } while (!requested.compareAndSet(r, r + n < 0L ? Long.MAX_VALUE : r + n));
            if (r != 0L) {
                return; // the thread already emitting sees the new demand
            }
            long emitted = 0L;
            r = requested.get();
            for (;;) {
                while (emitted != r && index < count) {
                    if (cancelled) {
                        return;
                    }
                    subscriber.onNext((int) index++);
                    emitted++;
                }
                if (index == count) {
                    if (!cancelled) {
                        cancelled = true;
                        subscriber.onComplete();
                    }
                    return;
                }
                r = requested.addAndGet(-emitted);
                if (r == 0L) {
                    return;
                }
                emitted = 0L;
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }
}
