package io.flowrelay.actor;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

import static io.flowrelay.actor.ActorTestKit.WAIT;
import static io.flowrelay.actor.ActorTestKit.await;
import static io.flowrelay.actor.ActorTestKit.failure;
import static io.flowrelay.actor.ActorTestKit.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Actor stages: {@link ActorSystem#stage} as a Flow.Processor. */
class StageProcessorTest {

    private final ActorTestKit kit = new ActorTestKit();

    @AfterEach
    void tearDown() throws Exception {
        kit.close();
    }

    private static ActorOptions capacity(int capacity) {
        return ActorOptions.defaults().mailbox(Mailbox.bounded(capacity));
    }

    /** A channel fed with {@code items} by a thread of its own, then closed. */
    private static <T> Channel<T> feed(List<T> items, int capacity) {
        Channel<T> ch = Channels.bounded(capacity);
        Thread t = new Thread(() -> {
            try {
                for (T item : items) {
                    ch.send(item);
                }
                ch.close();
            } catch (InterruptedException ex) {
                ch.fail(ex);
            }
        }, "feeder");
        t.setDaemon(true);
        t.start();
        return ch;
    }

    private static List<Integer> range(int n) {
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    // ------------------------------------------------------------------ pipeline

    /**
     * The slow end of the pipeline: requests 16 at a time, spins a little per batch, checks the
     * order, and samples how much is buffered in the stages.
     */
    static final class SlowSink implements Flow.Subscriber<Long> {
        static final int BATCH = 16;
        private final List<StageProcessor<?, ?>> stages;
        final int[] maxDepth;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final AtomicLong maxInFlight = new AtomicLong();
        private final AtomicLong produced;
        private Flow.Subscription s;
        private int inBatch;
        volatile long received;
        private String disorder;

        SlowSink(List<StageProcessor<?, ?>> stages, AtomicLong produced) {
            this.stages = stages;
            this.maxDepth = new int[stages.size()];
            this.produced = produced;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.s = s;
            s.request(BATCH);
        }

        @Override
        public void onNext(Long item) {
            long n = received;
            if (item != 3L * n && disorder == null) {
                disorder = "item " + n + " was " + item;
            }
            received = n + 1;
            if ((n & 63) == 0) {
                sample();
            }
            if (++inBatch == BATCH) {
                inBatch = 0;
                for (int i = 0; i < 200; i++) {
                    Thread.onSpinWait(); // slow consumer
                }
                s.request(BATCH);
            }
        }

        void sample() {
            for (int i = 0; i < stages.size(); i++) {
                int d = stages.get(i).depth();
                synchronized (maxDepth) {
                    maxDepth[i] = Math.max(maxDepth[i], d);
                }
            }
            maxInFlight.accumulateAndGet(produced.get() - received, Math::max);
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            if (disorder != null) {
                done.completeExceptionally(new AssertionError(disorder));
            } else {
                done.complete(null);
            }
        }
    }

    @Test
    void aThreeStagePipelineDeliversAMillionItemsInOrderWithBoundedBuffers() throws Exception {
        int n = 1_000_000;
        int sourceCapacity = 256;
        int[] capacities = {64, 128, 32}; // 100 is asked for the second: rounded up to 128
        ActorSystem system = kit.system("pipeline");
        Channel<Integer> source = Channels.bounded(sourceCapacity);
        var s1 = (StageProcessor<Integer, Long>) system.<Integer, Long>stage("times3",
                () -> (i, out) -> out.emit(3L * i), capacity(64));
        var s2 = (StageProcessor<Long, Long>) system.<Long, Long>stage("plus1",
                () -> (x, out) -> out.emit(x + 1), capacity(100));
        var s3 = (StageProcessor<Long, Long>) system.<Long, Long>stage("minus1", () -> new StageHandler<Long, Long>() {
            private long seen; // handler state: checks its own input order too

            @Override
            public void onInput(Long x, Emitter<Long> out) {
                if (x != 3L * seen + 1) {
                    throw new IllegalStateException("stage 3 got " + x + " as input " + seen);
                }
                seen++;
                out.emit(x - 1);
            }
        }, capacity(32).supervision(SupervisorStrategy.stop()));
        AtomicLong produced = new AtomicLong();
        SlowSink sink = new SlowSink(List.of(s1, s2, s3), produced);
        source.subscribe(s1);
        s1.subscribe(s2);
        s2.subscribe(s3);
        s3.subscribe(sink);

        Thread producer = new Thread(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    source.send(i);
                    produced.lazySet(i + 1);
                    if ((i & 255) == 0) {
                        sink.sample();
                    }
                }
                source.close();
            } catch (InterruptedException ex) {
                source.fail(ex);
            }
        }, "pipeline-producer");
        producer.setDaemon(true);
        producer.start();

        get(sink.done);
        assertEquals(n, sink.received);
        for (int i = 0; i < capacities.length; i++) {
            int max;
            synchronized (sink.maxDepth) {
                max = sink.maxDepth[i];
            }
            assertTrue(max <= capacities[i], "stage " + (i + 1) + " held " + max + " > " + capacities[i]);
        }
        // everything between the producer and the sink: the source buffer, each stage's input and
        // output buffers, the sink's open batch; and per stage one input in its handler, one output
        // waiting for room, one input over-asked (the channel may over-ask by one) and one in
        // transit into it; and one in transit into the sink
        long bound = sourceCapacity + 2L * (64 + 128 + 32) + SlowSink.BATCH + 3 * 4 + 1;
        assertTrue(sink.maxInFlight.get() <= bound, "in flight " + sink.maxInFlight.get() + " > " + bound);
        assertTrue(sink.maxInFlight.get() > 0);
        System.out.println("pipeline: max in flight " + sink.maxInFlight.get() + " (bound " + bound + "), max depths "
                + java.util.Arrays.toString(sink.maxDepth));
        ActorTestKit.waitUntil(() -> s1.isDone() && s2.isDone() && s3.isDone(), "the stages ended");
        assertEquals(n, s1.processedCount());
        assertEquals(n, s3.processedCount());
        assertEquals(0, system.deadLetters().count());
    }

    // ------------------------------------------------------------------ handlers

    @Test
    void aHandlerEmitsZeroToManyOutputsPerInputKeepsStateAndFlushesAtTheEnd() {
        ActorSystem system = kit.system("multi");
        int n = 20_000;
        Flow.Processor<Integer, String> stage = system.stage("repeat", () -> new StageHandler<Integer, String>() {
            private long emitted;

            @Override
            public void onInput(Integer k, Emitter<String> out) {
                for (int j = 0; j < k % 4; j++) { // 0, 1, 2 or 3 outputs
                    out.emit(k + ":" + j + ":" + emitted++);
                }
            }

            @Override
            public void onComplete(Emitter<String> out) {
                out.emit("end:" + emitted);
            }
        }, capacity(8)); // small: outputs often wait for room
        List<String> expected = new ArrayList<>();
        long emitted = 0;
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < k % 4; j++) {
                expected.add(k + ":" + j + ":" + emitted++);
            }
        }
        expected.add("end:" + emitted);

        RecordingSubscriber<String> sink = RecordingSubscriber.inBatches(5); // a slowish consumer
        stage.subscribe(sink);
        feed(range(n), 64).subscribe(stage);
        get(sink.done);
        assertEquals(expected, sink.items());
        assertEquals(0, sink.signalsAfterTerminal());
    }

    static final class Boom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Boom(String m) {
            super(m);
        }
    }

    @Test
    void resumeSkipsTheFailingElementAndKeepsTheHandlerState() {
        ActorSystem system = kit.system("stage-resume");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        Flow.Processor<Integer, String> stage = system.stage("resumer", () -> new StageHandler<Integer, String>() {
            private int ok;

            @Override
            public void onInput(Integer i, Emitter<String> out) {
                if (i % 10 == 9) {
                    throw new Boom("bad " + i);
                }
                out.emit(i + "@" + ok++);
            }
        }, capacity(16).supervision(SupervisorStrategy.resume()));
        RecordingSubscriber<String> sink = RecordingSubscriber.unbounded();
        stage.subscribe(sink);
        feed(range(100), 16).subscribe(stage);
        get(sink.done);

        List<String> expected = new ArrayList<>();
        int ok = 0;
        for (int i = 0; i < 100; i++) {
            if (i % 10 != 9) {
                expected.add(i + "@" + ok++);
            }
        }
        assertEquals(expected, sink.items());
        List<DeadLetter> failed = letters.await(DeadLetterCollector.reason(DeadLetter.Reason.FAILED), 10);
        assertEquals(List.of(9, 19, 29, 39, 49, 59, 69, 79, 89, 99), failed.stream().map(DeadLetter::message).toList());
        assertEquals("/stage/resumer", failed.get(0).recipient().path());
        assertEquals("bad 9", failed.get(0).cause().getMessage());
        // processed: the inputs the handler took, not the failures, not the flush at the end
        StageProcessor<?, ?> s = (StageProcessor<?, ?>) stage;
        ActorTestKit.waitUntil(s::isDone, "the stage ended");
        assertEquals(90, s.processedCount());
    }

    @Test
    void restartMakesAFreshHandlerWhoseStateStartsAgain() {
        ActorSystem system = kit.system("stage-restart");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        List<Integer> created = new ArrayList<>();
        Flow.Processor<Integer, Integer> stage = system.stage("restarter", () -> {
            synchronized (created) {
                created.add(created.size());
            }
            return new StageHandler<Integer, Integer>() {
                private int sinceStart;

                @Override
                public void onInput(Integer i, Emitter<Integer> out) {
                    if (i % 25 == 24) {
                        sinceStart += 1_000;
                        throw new Boom("bad " + i);
                    }
                    out.emit(sinceStart++);
                }
            };
        }, capacity(16).supervision(SupervisorStrategy.restart()));
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        stage.subscribe(sink);
        feed(range(100), 16).subscribe(stage);
        get(sink.done);

        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            if (i % 25 != 24) {
                expected.add(i % 25);
            }
        }
        assertEquals(expected, sink.items());
        synchronized (created) {
            assertEquals(5, created.size(), "one handler at start and one per failure");
        }
        assertEquals(4, letters.await(DeadLetterCollector.reason(DeadLetter.Reason.FAILED), 4).size());
    }

    // ------------------------------------------------------------------ straight to downstream (fused output)

    private static ActorOptions on(io.flowrelay.test.ManualExecutor ex) {
        return capacity(16).dispatcher(Dispatcher.fromExecutor(ex));
    }

    @Test
    void aStageHandsItsOutputStraightToAnIdleDownstreamWithDemandInTheSameTurn() {
        io.flowrelay.test.ManualExecutor ex = new io.flowrelay.test.ManualExecutor();
        ActorSystem system = kit.system("direct");
        Flow.Processor<Integer, Integer> stage = system.stage("direct", () -> (i, out) -> out.emit(i * 2), on(ex));
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        stage.subscribe(sink);
        ManualUpstream up = new ManualUpstream();
        stage.onSubscribe(up);
        ex.runAll();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            stage.onNext(i);
            expected.add(i * 2);
            assertEquals(1, ex.runAll(), "one turn of the stage and none of its output's loop, for input " + i);
            assertEquals(expected, sink.items(), "delivered within that turn");
        }
        stage.onComplete();
        ex.runAll();
        get(sink.done);
        assertEquals(expected, sink.items());
        assertEquals(0, sink.signalsAfterTerminal());
    }

    @Test
    void whenTheDownstreamDemandRunsOutTheRestGoesThroughTheOutputInOrder() {
        io.flowrelay.test.ManualExecutor ex = new io.flowrelay.test.ManualExecutor();
        ActorSystem system = kit.system("direct-batches");
        Flow.Processor<Integer, Integer> stage = system.stage("three", () -> (i, out) -> {
            out.emit(3 * i);
            out.emit(3 * i + 1);
            out.emit(3 * i + 2);
        }, on(ex));
        RecordingSubscriber<Integer> sink = RecordingSubscriber.inBatches(2); // asks again inside onNext
        stage.subscribe(sink);
        ManualUpstream up = new ManualUpstream();
        stage.onSubscribe(up);
        ex.runAll();
        int n = 200;
        for (int i = 0; i < n; i++) {
            stage.onNext(i);
            if (i % 7 == 0) {
                ex.runAll(); // sometimes one input per turn, sometimes several
            }
        }
        stage.onComplete();
        ex.runAll();
        get(sink.done);
        assertEquals(range(3 * n), sink.items());
        assertEquals(0, sink.signalsAfterTerminal());
    }

    @Test
    void aDownstreamThatThrowsWhenHandedAnOutputDirectlyIsTreatedAsCancelled() {
        io.flowrelay.test.ManualExecutor ex = new io.flowrelay.test.ManualExecutor();
        ActorSystem system = kit.system("direct-throw");
        Flow.Processor<Integer, Integer> stage = system.stage("direct", () -> (i, out) -> out.emit(i), on(ex));
        List<Integer> got = new ArrayList<>();
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        Boom boom = new Boom("subscriber bug");
        stage.subscribe(new Flow.Subscriber<Integer>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Integer item) {
                got.add(item);
                if (item == 2) {
                    throw boom;
                }
            }

            @Override
            public void onError(Throwable t) {
                error.complete(t);
            }

            @Override
            public void onComplete() {
                error.complete(null);
            }
        });
        ManualUpstream up = new ManualUpstream();
        stage.onSubscribe(up);
        ex.runAll();
        for (int i = 0; i < 5; i++) {
            stage.onNext(i);
            ex.runAll();
        }
        assertSame(boom, get(error), "RS 2.13: onError with what onNext threw");
        assertEquals(List.of(0, 1, 2), got, "nothing after the throw");
        await(up.cancelled, "its only downstream gone, the stage cancels upstream");
    }

    @Test
    void emitsFromAnotherThreadGoThroughTheOutputAndNeverOverlapTheStagesOwn() throws Exception {
        ActorSystem system = kit.system("foreign-emit");
        for (int round = 0; round < 20; round++) {
            int n = 5_000;
            CompletableFuture<Emitter<Integer>> handed = new CompletableFuture<>();
            Flow.Processor<Integer, Integer> stage = system.stage("both-" + round, () -> (i, out) -> {
                handed.complete(out); // a handler may give its emitter to a callback on another thread
                out.emit(i);
            }, capacity(64));
            java.util.concurrent.atomic.AtomicInteger inOnNext = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<String> broken = new java.util.concurrent.atomic.AtomicReference<>();
            CountDownLatch all = new CountDownLatch(2 * n);
            stage.subscribe(new Flow.Subscriber<Integer>() {
                private int lastOwn = -1;
                private int lastForeign;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Integer x) {
                    if (inOnNext.getAndIncrement() != 0) {
                        broken.compareAndSet(null, "concurrent onNext (RS 1.3) at " + x);
                    }
                    if (x >= 0) {
                        if (x != lastOwn + 1) {
                            broken.compareAndSet(null, "the stage's own outputs out of order: " + x + " after " + lastOwn);
                        }
                        lastOwn = x;
                    } else {
                        if (x != lastForeign - 1) {
                            broken.compareAndSet(null, "the other thread's outputs out of order: " + x + " after " + lastForeign);
                        }
                        lastForeign = x;
                    }
                    inOnNext.decrementAndGet();
                    all.countDown();
                }

                @Override
                public void onError(Throwable t) {
                    broken.compareAndSet(null, "onError " + t);
                }

                @Override
                public void onComplete() {
                }
            });
            Thread foreign = new Thread(() -> {
                Emitter<Integer> out = handed.join();
                for (int k = 1; k <= n; k++) {
                    out.emit(-k);
                }
            }, "foreign-emitter");
            foreign.setDaemon(true);
            foreign.start();
            // an upstream that stays open until every output is in: a stage that has completed
            // sends later emits to dead letters
            Channel<Integer> source = Channels.bounded(256);
            source.subscribe(stage);
            for (int i = 0; i < n; i++) {
                source.send(i);
            }
            assertTrue(all.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS),
                    "round " + round + ": " + all.getCount() + " outputs missing; " + broken.get());
            assertEquals(null, broken.get(), "round " + round);
            source.close();
        }
    }

    /** An upstream driven by the test: it records demand and cancellation. */
    static final class ManualUpstream implements Flow.Subscription {
        final AtomicLong requested = new AtomicLong();
        final CountDownLatch cancelled = new CountDownLatch(1);

        @Override
        public void request(long n) {
            requested.addAndGet(n);
        }

        @Override
        public void cancel() {
            cancelled.countDown();
        }
    }

    @Test
    void stopFailsDownstreamCancelsUpstreamAndDeadLettersTheRest() {
        ActorSystem system = kit.system("stage-stop");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        ActorTestKit.Gate gate = kit.gate();
        Flow.Processor<Integer, Integer> stage = system.stage("stopper", () -> (i, out) -> {
            if (i == 5) {
                gate.pass();
                throw new Boom("bad 5");
            }
            out.emit(i);
        }, capacity(16).dispatcher(kit.blocking()).supervision(SupervisorStrategy.stop()));
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        stage.subscribe(sink);
        ManualUpstream up = new ManualUpstream();
        stage.onSubscribe(up);
        ActorTestKit.waitUntil(() -> up.requested.get() >= 11, "demand from the stage");
        assertEquals(16, up.requested.get(), "it asks for its mailbox capacity");
        for (int i = 0; i < 10; i++) {
            stage.onNext(i);
        }
        gate.awaitArrival();
        gate.open();

        Throwable error = failure(sink.done);
        assertInstanceOf(Boom.class, error);
        assertEquals(List.of(0, 1, 2, 3, 4), sink.items(), "outputs before the failure, then onError");
        await(up.cancelled, "upstream cancelled");
        assertEquals(new Boom("x").getClass(),
                letters.await(DeadLetterCollector.reason(DeadLetter.Reason.FAILED), 1).get(0).cause().getClass());
        List<DeadLetter> rest = letters.await(DeadLetterCollector.reason(DeadLetter.Reason.STOPPED), 4);
        assertEquals(List.of(6, 7, 8, 9), rest.stream().map(DeadLetter::message).toList());
        assertSame(error, rest.get(0).cause());

        // requested before the cancel took effect, so it may still come (RS 2.8): never lost silently
        stage.onNext(10);
        List<DeadLetter> late = letters.await(DeadLetterCollector.reason(DeadLetter.Reason.STOPPED), 5);
        assertEquals(10, late.get(4).message());
        assertEquals(0, sink.signalsAfterTerminal());
    }

    @Test
    void escalateInAStageStopsItToo() {
        ActorSystem system = kit.system("stage-escalate");
        Flow.Processor<Integer, Integer> stage = system.stage("escalator", () -> (i, out) -> {
            throw new Boom("bad " + i);
        }, capacity(4).supervision(SupervisorStrategy.escalate()));
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        stage.subscribe(sink);
        feed(range(3), 4).subscribe(stage);
        assertEquals("bad 0", failure(sink.done).getMessage());
    }

    @Test
    void aFailingFlushFailsDownstreamEvenUnderRestart() {
        ActorSystem system = kit.system("stage-flush-restart");
        Flow.Processor<Integer, Integer> stage = system.stage("flusher", () -> new StageHandler<Integer, Integer>() {
            @Override
            public void onInput(Integer i, Emitter<Integer> out) {
                out.emit(i);
            }

            @Override
            public void onComplete(Emitter<Integer> out) {
                throw new Boom("flush failed");
            }
        }, capacity(8).supervision(SupervisorStrategy.restart()));
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        stage.subscribe(sink);
        feed(range(5), 8).subscribe(stage);
        // a fresh handler cannot redo the flush (its inputs are gone): the stage fails, as under stop
        assertEquals("flush failed", failure(sink.done).getMessage());
        assertEquals(range(5), sink.items());
    }

    @Test
    void anUpstreamErrorReachesDownstreamAfterTheQueuedInputsWithoutAFlush() {
        ActorSystem system = kit.system("stage-upstream-error");
        List<String> flushed = new ArrayList<>();
        Flow.Processor<Integer, Integer> stage = system.stage("passer", () -> new StageHandler<Integer, Integer>() {
            @Override
            public void onInput(Integer i, Emitter<Integer> out) {
                out.emit(i * 10);
            }

            @Override
            public void onComplete(Emitter<Integer> out) {
                synchronized (flushed) {
                    flushed.add("flushed");
                }
            }
        }, capacity(8));
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        stage.subscribe(sink);
        ManualUpstream up = new ManualUpstream();
        stage.onSubscribe(up);
        ActorTestKit.waitUntil(() -> up.requested.get() >= 3, "demand");
        stage.onNext(1);
        stage.onNext(2);
        stage.onNext(3);
        IllegalStateException upstreamFailure = new IllegalStateException("upstream broke");
        stage.onError(upstreamFailure);
        assertSame(upstreamFailure, failure(sink.done));
        assertEquals(List.of(10, 20, 30), sink.items());
        synchronized (flushed) {
            assertEquals(List.of(), flushed, "onComplete of the handler is for a completed upstream only");
        }
    }

    @Test
    void stagesRejectNullsAndBadNames() {
        ActorSystem system = kit.system("stage-args");
        Flow.Processor<Integer, Integer> stage = system.stage("ok", () -> (i, out) -> out.emit(i));
        assertThrows(NullPointerException.class, () -> stage.subscribe(null));
        assertThrows(NullPointerException.class, () -> stage.onNext(null));
        assertThrows(IllegalArgumentException.class, () -> system.stage("", () -> (i, out) -> out.emit(i)));
        assertThrows(IllegalArgumentException.class, () -> system.stage("a/b", () -> (i, out) -> out.emit(i)));
        assertThrows(NullPointerException.class, () -> system.stage("x", null));
    }

    @Test
    void aHandlerThatEmitsNullFailsThatElement() {
        ActorSystem system = kit.system("stage-null");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        Flow.Processor<Integer, Integer> stage = system.stage("nuller", () -> (i, out) -> out.emit(i == 1 ? null : i),
                capacity(4).supervision(SupervisorStrategy.resume()));
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        stage.subscribe(sink);
        feed(range(3), 4).subscribe(stage);
        get(sink.done);
        assertEquals(List.of(0, 2), sink.items());
        DeadLetter d = letters.await(DeadLetterCollector.reason(DeadLetter.Reason.FAILED), 1).get(0);
        assertEquals(1, d.message());
        assertInstanceOf(NullPointerException.class, d.cause());
    }

    @Test
    void anInputThatSlipsInAsTheStageEndsIsNeverStrandedInItsInput() {
        for (int round = 0; round < 150; round++) {
            ActorSystem system = kit.system("stage-slip-" + round);
            var stage = (StageProcessor<Integer, Integer>) system.<Integer, Integer>stage("s", () -> (i, out) -> out.emit(i));
            RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
            stage.subscribe(sink);
            AtomicLong requested = new AtomicLong();
            AtomicLong pushed = new AtomicLong();
            stage.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    requested.addAndGet(n);
                }

                @Override
                public void cancel() {
                }
            });
            // an upstream that keeps honouring the demand it got until the stage has ended
            Thread upstream = new Thread(() -> {
                for (int i = 0; !stage.isDone(); ) {
                    if (pushed.get() < requested.get()) {
                        stage.onNext(i++);
                        pushed.incrementAndGet();
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }, "slip-upstream");
            upstream.setDaemon(true);
            upstream.start();
            ActorTestKit.waitUntil(() -> sink.size() >= 200, "some items through");
            get(system.shutdown(WAIT).toCompletableFuture());
            get(sink.done);
            ActorTestKit.waitUntil(() -> !upstream.isAlive(), "the upstream saw the end");
            assertEquals(0, stage.depth(), "round " + round + ": an input was stranded");
            assertEquals(pushed.get(), sink.size() + system.deadLetters().count(), "round " + round + ": every input accounted once");
        }
    }
}
