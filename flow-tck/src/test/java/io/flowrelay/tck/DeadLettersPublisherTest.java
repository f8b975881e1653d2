package io.flowrelay.tck;

import io.flowrelay.actor.ActorRef;
import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Behaviors;
import io.flowrelay.actor.DeadLetter;
import io.flowrelay.channel.SendResult;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The TCK against {@link io.flowrelay.actor.DeadLetters}, a hot publisher: a subscriber gets the
 * dead letters published after it subscribed, through its own buffer of 1024 (the oldest dropped,
 * and counted, when full), and {@code onComplete} once the system has shut down.
 *
 * <p>{@link #createFlowPublisher(long)} returns a small publisher that, for each subscriber, makes
 * a fresh system, subscribes the subscriber to {@code system.deadLetters()} and starts a producer
 * thread that makes exactly {@code n} dead letters (tells to an actor that has stopped: reason
 * {@code STOPPED}) and then shuts the system down, so the stream is those {@code n} letters and
 * then completes. The producer keeps at most {@value #WINDOW} letters ahead of what the
 * subscriber has received (a hot source cannot see demand; this only keeps the test stream exact
 * by never overflowing the 1024 buffer), and stops early once the subscriber has cancelled or
 * ended. The wrapper forwards every signal and every {@code request}/{@code cancel} unchanged, so
 * what the TCK checks (signal order, demand, RS 3.9, 3.17, cancellation, dropped references) is
 * the dead-letters subscription itself. Pacing lets {@link #maxElementsFromPublisher()} stay at
 * its default, so no test is skipped for a length limit.
 *
 * <p>{@link #createFailedFlowPublisher()} is the dead letters of a system that has shut down: they
 * can no longer serve a new subscriber, so it gets {@code onSubscribe} then
 * {@code onError(IllegalStateException)} (RS 1.9).
 */
public class DeadLettersPublisherTest extends FlowPublisherVerification<DeadLetter> {

    /** Letters the producer may be ahead of the subscriber: half the per-subscriber buffer. */
    static final int WINDOW = 512;

    private static final AtomicInteger SYSTEMS = new AtomicInteger();

    private final TestEnvironment env;

    public DeadLettersPublisherTest() {
        this(new TestEnvironment(ActorStageProcessorTest.TIMEOUT_MILLIS));
    }

    private DeadLettersPublisherTest(TestEnvironment env) {
        super(env, ActorStageProcessorTest.TIMEOUT_MILLIS);
        this.env = env;
    }

    @Override
    public Flow.Publisher<DeadLetter> createFlowPublisher(long elements) {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
            ActorSystem system = ActorSystem.create("tck-dead-letters-" + SYSTEMS.incrementAndGet());
            Paced paced = new Paced(subscriber);
            system.deadLetters().subscribe(paced);
            Thread producer = new Thread(() -> produce(system, paced, elements), system.name() + "-producer");
            producer.setDaemon(true);
            producer.start();
        };
    }

    /** Makes {@code n} dead letters, paced by what the subscriber received, then shuts the system down. */
    private void produce(ActorSystem system, Paced paced, long n) {
        try {
            ActorRef<Long> stopped = system.spawn("stopped", () -> (ctx, msg) -> Behaviors.stopped());
            stopped.tell(-1L); // handled: the actor stops
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!stopped.isTerminated()) {
                if (System.nanoTime() - deadline > 0L) {
                    throw new IllegalStateException("actor did not stop");
                }
                LockSupport.parkNanos(100_000L);
            }
            for (long i = 0; i < n; i++) {
                if (!paced.awaitRoom()) {
                    return; // the subscriber cancelled or ended, or stopped reading long ago
                }
                if (stopped.tell(i) != SendResult.CLOSED) { // a dead letter with reason STOPPED
                    throw new IllegalStateException("a tell to a stopped actor was accepted");
                }
            }
            if (system.deadLetters().missedBySubscribers() != 0) {
                env.flop("the dead-letter buffer overflowed: the test stream is not exact");
            }
        } catch (Throwable ex) {
            env.flop(ex, "dead-letter producer failed: " + ex);
        } finally {
            system.shutdown(Duration.ofSeconds(5)); // completes the dead letters once it is done
        }
    }

    @Override
    public Flow.Publisher<DeadLetter> createFailedFlowPublisher() {
        ActorSystem system = ActorSystem.create("tck-dead-letters-failed-" + SYSTEMS.incrementAndGet());
        try {
            system.shutdown(Duration.ofSeconds(5)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new IllegalStateException("shutdown of an empty system failed", ex);
        }
        return system.deadLetters();
    }

    /** Forwards everything; counts received letters and notices the end, for the producer. */
    static final class Paced implements Flow.Subscriber<DeadLetter>, Flow.Subscription {
        private final Flow.Subscriber<? super DeadLetter> actual;
        private final Semaphore room = new Semaphore(WINDOW);
        private volatile Flow.Subscription s;
        private volatile boolean ended;

        Paced(Flow.Subscriber<? super DeadLetter> actual) {
            this.actual = actual;
        }

        /** {@code false} if the stream ended, or nothing was received for 10 s. */
        boolean awaitRoom() throws InterruptedException {
            for (int i = 0; i < 1000; i++) {
                if (ended) {
                    return false;
                }
                if (room.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                    return !ended;
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
        public void onNext(DeadLetter item) {
            room.release();
            actual.onNext(item);
        }

        @Override
        public void onError(Throwable throwable) {
            ended = true;
            actual.onError(throwable);
        }

        @Override
        public void onComplete() {
            ended = true;
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            s.request(n);
        }

        @Override
        public void cancel() {
            ended = true;
            s.cancel();
        }
    }
}
