package io.flowrelay;

import io.flowrelay.actor.ActorRef;
import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Behaviors;
import io.flowrelay.actor.StageHandler;
import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import io.flowrelay.channel.Overflow;
import io.flowrelay.test.Await;
import io.flowrelay.test.RecordingSubscription;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-input matrix: every public Publisher and Subscriber of FlowRelay against every kind of
 * bad input the Reactive Streams rules name, each with the spec's answer:
 *
 * <ul>
 *   <li>{@code subscribe(null)}: NullPointerException (RS 1.9); {@code onSubscribe/onNext/onError(null)}:
 *       NullPointerException (RS 2.13);</li>
 *   <li>{@code request(0)}, {@code request(-1)}: onError(IllegalArgumentException) (RS 3.9);</li>
 *   <li>{@code request(Long.MAX_VALUE)} twice: no overflow, everything delivered (RS 3.17);</li>
 *   <li>signals after cancel: request() after cancel() is a no-op, nothing more is delivered
 *       (RS 3.6, 1.8); items an upstream sends after being cancelled are accepted without an
 *       exception and accounted for (RS 2.8);</li>
 *   <li>a second onSubscribe: the second subscription is cancelled (RS 2.5);</li>
 *   <li>re-subscription: a new subscriber after one cancelled gets a fresh onSubscribe and the
 *       publisher's current state (items, or its end).</li>
 * </ul>
 *
 * <p>Adding a type is one line in {@link #publishers()} or {@link #subscribers()}.
 */
class BadInputMatrixTest {

    private static final List<ActorSystem> SYSTEMS = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        synchronized (SYSTEMS) {
            for (ActorSystem s : SYSTEMS) {
                s.shutdown(Duration.ofSeconds(10)).toCompletableFuture().get(20, TimeUnit.SECONDS);
            }
            SYSTEMS.clear();
        }
    }

    static ActorSystem system(String name) {
        ActorSystem s = ActorSystem.create(name);
        synchronized (SYSTEMS) {
            SYSTEMS.add(s);
        }
        return s;
    }

    // ------------------------------------------------------------------ the subjects

    /** A publisher under test: items can be made available, then it ends. */
    interface Source {
        Flow.Publisher<?> publisher();

        /** Makes {@code n} more items available, without blocking. */
        void emit(int n);

        /** Ends after the items made available (those already taken, for a rendezvous). */
        void complete();

        /** {@code true} if the publisher ends when its last subscriber cancels (an actor stage). */
        default boolean endsWhenLastSubscriberCancels() {
            return false;
        }
    }

    record Subject<T>(String name, Supplier<T> create) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Subject<Source>> publishers() {
        return Stream.of(
                new Subject<>("Channel.bounded", () -> channelSource(Channels.bounded(16))),
                new Subject<>("Channel.unbounded", () -> channelSource(Channels.unbounded())),
                new Subject<>("Channel.rendezvous", () -> channelSource(Channels.rendezvous())),
                new Subject<>("actor stage", BadInputMatrixTest::stageSource),
                new Subject<>("DeadLetters", BadInputMatrixTest::deadLettersSource),
                new Subject<>("Broadcast", () -> broadcastSource(io.flowrelay.channel.Broadcast.create(16))),
                new Subject<>("Broker topic", BadInputMatrixTest::topicSource));
    }

    /** Hot: items reach the subscribers present when they are sent; the matrix subscribes first. */
    static Source broadcastSource(io.flowrelay.channel.Broadcast<Integer> b) {
        return new Source() {
            int next;

            public Flow.Publisher<?> publisher() {
                return b;
            }

            public void emit(int n) {
                for (int i = 0; i < n; i++) {
                    b.sendAsync(next++);
                }
            }

            public void complete() {
                b.close();
            }
        };
    }

    static Source topicSource() {
        io.flowrelay.pubsub.Broker<Integer> broker = io.flowrelay.pubsub.Broker.create();
        io.flowrelay.pubsub.Topic<Integer> topic = broker.topic("matrix.items");
        return new Source() {
            int next;

            public Flow.Publisher<?> publisher() {
                return topic;
            }

            public void emit(int n) {
                for (int i = 0; i < n; i++) {
                    broker.publish("matrix.items", next++);
                }
            }

            public void complete() {
                broker.close();
            }
        };
    }

    static Source channelSource(Channel<Integer> ch) {
        return new Source() {
            int next;

            public Flow.Publisher<?> publisher() {
                return ch;
            }

            public void emit(int n) {
                for (int i = 0; i < n; i++) {
                    ch.sendAsync(next++);
                }
            }

            public void complete() {
                ch.close();
            }
        };
    }

    static Source stageSource() {
        ActorSystem sys = system("matrix-stage");
        Flow.Processor<Integer, Integer> stage = sys.stage("s", () -> (StageHandler<Integer, Integer>) (in, out) -> out.emit(in));
        Channel<Integer> upstream = Channels.unbounded();
        upstream.subscribe(stage);
        return new Source() {
            int next;

            public Flow.Publisher<?> publisher() {
                return stage;
            }

            public void emit(int n) {
                for (int i = 0; i < n; i++) {
                    upstream.trySend(next++);
                }
            }

            public void complete() {
                upstream.close();
            }

            public boolean endsWhenLastSubscriberCancels() {
                return true;
            }
        };
    }

    static Source deadLettersSource() {
        ActorSystem sys = system("matrix-dead-letters");
        ActorRef<Integer> stopped = sys.spawn("stopped", () -> (ctx, m) -> Behaviors.stopped());
        stopped.tell(0);
        Await.until(stopped::isTerminated, "the actor to stop");
        long base = sys.deadLetters().count();
        return new Source() {
            int next;

            public Flow.Publisher<?> publisher() {
                return sys.deadLetters();
            }

            public void emit(int n) {
                for (int i = 0; i < n; i++) {
                    stopped.tell(++next);
                }
                Await.until(() -> sys.deadLetters().count() >= base + next, "the dead letters to be published");
            }

            public void complete() {
                sys.shutdown(Duration.ofSeconds(10));
            }
        };
    }

    /** A subscriber under test, and how to make it cancel its upstream. */
    interface Sink {
        Flow.Subscriber<Integer> subscriber();

        /** Makes the subscriber cancel its upstream subscription. */
        void cancelUpstream();

        /** Items that came after the cancel and were accounted for (onDrop, dead letters). */
        long lateAccounted();
    }

    static Stream<Subject<Sink>> subscribers() {
        return Stream.of(
                new Subject<>("Channel.bounded", () -> channelSink(Channels.<Integer>builder().capacity(16))),
                new Subject<>("Channel.unbounded", () -> channelSink(Channels.<Integer>builder().unbounded())),
                new Subject<>("Channel.rendezvous", () -> channelSink(Channels.<Integer>builder().capacity(0))),
                new Subject<>("Channel.bounded DROP_OLDEST", () -> channelSink(Channels.<Integer>builder().capacity(4).overflow(Overflow.DROP_OLDEST))),
                new Subject<>("actor stage", BadInputMatrixTest::stageSink));
    }

    static Sink channelSink(Channels.Builder<Integer> builder) {
        ConcurrentLinkedQueue<Integer> dropped = new ConcurrentLinkedQueue<>();
        Channel<Integer> ch = builder.onDrop(dropped::add).build();
        return new Sink() {
            public Flow.Subscriber<Integer> subscriber() {
                return ch;
            }

            public void cancelUpstream() {
                ch.close(); // RS 2.6 seen from the channel: close cancels its upstream
            }

            public long lateAccounted() {
                return dropped.size();
            }
        };
    }

    static Sink stageSink() {
        ActorSystem sys = system("matrix-stage-sink");
        Flow.Processor<Integer, Integer> stage = sys.stage("s", () -> (StageHandler<Integer, Integer>) (in, out) -> out.emit(in));
        TestSubscriber<Integer> down = TestSubscriber.create();
        stage.subscribe(down);
        return new Sink() {
            public Flow.Subscriber<Integer> subscriber() {
                return stage;
            }

            public void cancelUpstream() {
                down.awaitSubscribed();
                down.cancel(); // the last subscriber leaves: the stage cancels its upstream
            }

            public long lateAccounted() {
                return sys.deadLetters().count();
            }
        };
    }

    // ------------------------------------------------------------------ publisher rules

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishers")
    void subscribeNullIsRefusedWithNullPointerException(Subject<Source> subject) {
        Source s = subject.create().get();
        assertThrows(NullPointerException.class, () -> s.publisher().subscribe(null)); // RS 1.9
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishers")
    void requestZeroSignalsIllegalArgumentException(Subject<Source> subject) {
        badRequest(subject.create().get(), 0L);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishers")
    void requestNegativeSignalsIllegalArgumentException(Subject<Source> subject) {
        badRequest(subject.create().get(), -1L);
    }

    @SuppressWarnings("unchecked")
    private static void badRequest(Source s, long n) {
        TestSubscriber<Object> ts = TestSubscriber.create(0);
        ((Flow.Publisher<Object>) s.publisher()).subscribe(ts);
        ts.awaitSubscribed();
        ts.request(n);
        ts.awaitTerminal().assertFailed(IllegalArgumentException.class); // RS 3.9
        s.emit(2);
        assertEquals(0, ts.itemCount(), "nothing after the error");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishers")
    @SuppressWarnings("unchecked")
    void requestLongMaxValueTwiceDeliversEverythingWithoutOverflow(Subject<Source> subject) {
        Source s = subject.create().get();
        TestSubscriber<Object> ts = TestSubscriber.create(0);
        ((Flow.Publisher<Object>) s.publisher()).subscribe(ts);
        ts.awaitSubscribed();
        ts.request(Long.MAX_VALUE);
        ts.request(Long.MAX_VALUE); // RS 3.17: adds up to Long.MAX_VALUE, no overflow, no error
        s.emit(5);
        ts.awaitCount(5);
        s.complete();
        ts.awaitTerminal().assertCompleted();
        assertEquals(5, ts.itemCount());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishers")
    @SuppressWarnings("unchecked")
    void signalsAfterCancelAreNoOpsAndNothingMoreIsDelivered(Subject<Source> subject) {
        Source s = subject.create().get();
        Flow.Publisher<Object> p = (Flow.Publisher<Object>) s.publisher();
        TestSubscriber<Object> cancelled = TestSubscriber.create(0);
        TestSubscriber<Object> other = TestSubscriber.create();
        p.subscribe(cancelled);
        p.subscribe(other);
        cancelled.awaitSubscribed();
        other.awaitSubscribed();
        cancelled.cancel();
        cancelled.cancel(); // RS 3.5, 3.7: idempotent
        assertDoesNotThrow(() -> cancelled.request(5)); // RS 3.6: a no-op
        assertDoesNotThrow(() -> cancelled.request(-1)); // RS 3.6 wins over 3.9 once cancelled
        s.emit(3);
        other.awaitCount(3);
        s.complete();
        other.awaitTerminal().assertCompleted();
        assertEquals(0, cancelled.itemCount(), "nothing after cancel (RS 1.8)");
        cancelled.assertNoViolations();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishers")
    @SuppressWarnings("unchecked")
    void aNewSubscriberAfterACancelledOneGetsAFreshSubscription(Subject<Source> subject) {
        Source s = subject.create().get();
        Flow.Publisher<Object> p = (Flow.Publisher<Object>) s.publisher();
        TestSubscriber<Object> first = TestSubscriber.create();
        p.subscribe(first);
        s.emit(2);
        first.awaitCount(2);
        first.cancel();
        TestSubscriber<Object> second = TestSubscriber.create();
        p.subscribe(second);
        second.awaitSubscribed();
        if (s.endsWhenLastSubscriberCancels()) {
            second.awaitTerminal().assertCompleted(); // it ended with its last subscriber: the end, at once
        } else {
            s.emit(2);
            second.awaitCount(2);
            s.complete();
            second.awaitTerminal().assertCompleted();
            assertEquals(2, second.itemCount());
        }
        assertEquals(2, first.itemCount());
        first.assertNoViolations();
    }

    // ------------------------------------------------------------------ subscriber rules

    @ParameterizedTest(name = "{0}")
    @MethodSource("subscribers")
    void nullSignalsAreRefusedWithNullPointerException(Subject<Sink> subject) {
        Flow.Subscriber<Integer> sub = subject.create().get().subscriber();
        assertThrows(NullPointerException.class, () -> sub.onSubscribe(null)); // RS 2.13
        sub.onSubscribe(new RecordingSubscription());
        assertThrows(NullPointerException.class, () -> sub.onNext(null));
        assertThrows(NullPointerException.class, () -> sub.onError(null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subscribers")
    void aSecondOnSubscribeIsCancelledAndTheFirstStays(Subject<Sink> subject) {
        Flow.Subscriber<Integer> sub = subject.create().get().subscriber();
        RecordingSubscription first = new RecordingSubscription();
        RecordingSubscription second = new RecordingSubscription();
        sub.onSubscribe(first);
        sub.onSubscribe(second);
        assertTrue(second.isCancelled(), "RS 2.5: the second subscription is cancelled");
        assertFalse(first.isCancelled(), "the first one stays");
        Await.until(() -> first.totalRequested() > 0, "the first subscription to be asked for items");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subscribers")
    void itemsAfterItCancelledItsUpstreamAreAcceptedAndAccountedFor(Subject<Sink> subject) {
        Sink sink = subject.create().get();
        Flow.Subscriber<Integer> sub = sink.subscriber();
        RecordingSubscription up = new RecordingSubscription();
        sub.onSubscribe(up);
        long before = sink.lateAccounted();
        sink.cancelUpstream();
        Await.until(up::isCancelled, "the upstream to be cancelled");
        assertDoesNotThrow(() -> sub.onNext(42)); // RS 2.8: may still come; never an exception
        assertDoesNotThrow(() -> sub.onComplete());
        Await.until(() -> sink.lateAccounted() == before + 1, "the late item to go to onDrop / dead letters, not nowhere");
    }
}
