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

    // ------------------------------------------------------------------ chained stages (one turn runs the next stages)

    /** {@code n} stages on {@code ex}, each adding 1 and recording the thread its handler ran on. */
    private static List<Flow.Processor<Integer, Integer>> chain(ActorSystem system, String name, int n, ActorOptions options,
                                                              List<Thread> threads) {
        List<Flow.Processor<Integer, Integer>> stages = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Flow.Processor<Integer, Integer> stage = system.stage(name + k, () -> (i, out) -> {
                synchronized (threads) {
                    threads.add(Thread.currentThread());
                }
                out.emit(i + 1);
            }, options);
            if (k > 0) {
                stages.get(k - 1).subscribe(stage);
            }
            stages.add(stage);
        }
        return stages;
    }

    @Test
    void stagesOnOneExecutorRunAsOneTurnPerInputOnTheFirstStagesThread() {
        io.flowrelay.test.ManualExecutor ex = new io.flowrelay.test.ManualExecutor();
        ActorSystem system = kit.system("chain");
        List<Thread> threads = new ArrayList<>();
        List<Flow.Processor<Integer, Integer>> stages = chain(system, "s", 4, on(ex), threads);
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        stages.get(3).subscribe(sink);
        ManualUpstream up = new ManualUpstream();
        stages.get(0).onSubscribe(up);
        ex.runAll();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            stages.get(0).onNext(i);
            expected.add(i + 4);
            assertEquals(1, ex.runAll(), "input " + i + ": one turn ran all four handlers, no loop of their own");
            assertEquals(expected, sink.items(), "delivered within that turn");
        }
        assertEquals(80, threads.size());
        assertTrue(threads.stream().allMatch(t -> t == Thread.currentThread()));
        for (Flow.Processor<Integer, Integer> stage : stages) {
            assertEquals(20, ((StageProcessor<?, ?>) stage).processedCount(), "inline inputs count as processed");
            assertEquals(0, ((StageProcessor<?, ?>) stage).depth());
        }
        stages.get(0).onComplete();
        ex.runAll();
        get(sink.done);
        assertEquals(expected, sink.items());
        assertEquals(0, sink.signalsAfterTerminal());
        assertEquals(0, system.deadLetters().count());
        ActorTestKit.waitUntil(() -> stages.stream().allMatch(s -> ((StageProcessor<?, ?>) s).isDone()), "all ended");
    }

    @Test
    void aLongerChainTakesOneTurnPerMaxChainStagesAndKeepsTheOrder() {
        io.flowrelay.test.ManualExecutor ex = new io.flowrelay.test.ManualExecutor();
        ActorSystem system = kit.system("long-chain");
        int n = StageProcessor.MAX_CHAIN + 4;
        List<Thread> threads = new ArrayList<>();
        List<Flow.Processor<Integer, Integer>> stages = chain(system, "s", n, on(ex), threads);
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        stages.get(n - 1).subscribe(sink);
        stages.get(0).onSubscribe(new ManualUpstream());
        ex.runAll();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            stages.get(0).onNext(i);
            expected.add(i + n);
            assertTrue(ex.runNext());
            synchronized (threads) {
                assertEquals(StageProcessor.MAX_CHAIN, threads.size(), "input " + i + ": one turn ran MAX_CHAIN stages");
                threads.clear();
            }
            ex.runAll();
            synchronized (threads) {
                assertEquals(n - StageProcessor.MAX_CHAIN, threads.size(), "input " + i + ": the rest in a turn of the next");
                threads.clear();
            }
            assertEquals(expected, sink.items());
        }
        stages.get(0).onComplete();
        ex.runAll();
        get(sink.done);
        assertEquals(expected, sink.items());
    }

    @Test
    void aSlowStageIsLeftToRunOnItsOwnLoopAndIsChainedAgainLater() {
        io.flowrelay.test.ManualExecutor ex = new io.flowrelay.test.ManualExecutor();
        ActorSystem system = kit.system("slow-chain");
        int slowUntil = 3000;
        Flow.Processor<Integer, Integer> first = system.stage("fast", () -> (i, out) -> out.emit(i), on(ex));
        Flow.Processor<Integer, Integer> slow = system.stage("slow", () -> (i, out) -> {
            if (i < slowUntil) {
                long end = System.nanoTime() + 20_000L; // well above what a chained item may take
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            }
            out.emit(i);
        }, on(ex));
        first.subscribe(slow);
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        slow.subscribe(sink);
        first.onSubscribe(new ManualUpstream());
        ex.runAll();
        List<Integer> turns = new ArrayList<>();
        int n = slowUntil + 2000; // the longest refusal (1024 of its upstream's turns) ends before
        for (int i = 0; i < n; i++) {
            first.onNext(i);
            turns.add(ex.runAll());
        }
        first.onComplete();
        ex.runAll();
        get(sink.done);
        assertEquals(range(n), sink.items());
        int judged = StageProcessor.CHAIN_SLOW_SAMPLES * StageProcessor.CHAIN_TIME_EVERY; // one item in so many is timed
        assertTrue(turns.subList(0, judged).stream().allMatch(t -> t == 1), "chained until judged slow: " + turns.subList(0, judged));
        assertEquals(2, turns.get(judged), "then a turn of its own per input (the upstream's, and its own)");
        long off = turns.subList(judged, slowUntil).stream().filter(t -> t > 1).count();
        assertTrue(off >= 2 * (slowUntil - judged) / 3, "mostly off the chain while slow: " + off + " of " + (slowUntil - judged));
        assertTrue(turns.subList(n - 100, n).stream().allMatch(t -> t == 1), "chained again once fast: " + turns.subList(n - 100, n));
    }

    /** A stage on {@code ex} that passes its inputs on and fails on 5, under the stop strategy. */
    private static Flow.Processor<Integer, Integer> stopsAtFive(ActorSystem system, io.flowrelay.test.ManualExecutor ex) {
        return system.stage("stopper", () -> (i, out) -> {
            if (i == 5) {
                throw new Boom("bad 5");
            }
            out.emit(i);
        }, on(ex).supervision(SupervisorStrategy.stop()));
    }

    /**
     * After inputs 0..9 reached {@link #stopsAtFive}: 0..4 delivered, then its error; 5 failed and
     * 6..9 stopped in dead letters, once each; the first stage's upstream cancelled.
     */
    private static void assertStoppedAtFive(RecordingSubscriber<Integer> sink, ManualUpstream up, DeadLetterCollector letters) {
        assertInstanceOf(Boom.class, failure(sink.done));
        assertEquals(List.of(0, 1, 2, 3, 4), sink.items());
        await(up.cancelled, "the first stage's upstream cancelled");
        assertEquals(5, letters.await(DeadLetterCollector.reason(DeadLetter.Reason.FAILED), 1).get(0).message());
        List<Object> stopped = letters.await(DeadLetterCollector.reason(DeadLetter.Reason.STOPPED), 4).stream()
                .map(DeadLetter::message).toList();
        assertEquals(List.of(6, 7, 8, 9), stopped.stream().sorted().toList(), "the rest dead-lettered, once each");
        assertEquals(0, sink.signalsAfterTerminal());
    }

    @Test
    void aChainedStageThatStopsFailsDownstreamCancelsUpstreamAndLosesNothing() {
        io.flowrelay.test.ManualExecutor ex = new io.flowrelay.test.ManualExecutor();
        ActorSystem system = kit.system("chain-stop");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        Flow.Processor<Integer, Integer> first = system.stage("first", () -> (i, out) -> out.emit(i), on(ex));
        Flow.Processor<Integer, Integer> stopper = stopsAtFive(system, ex);
        first.subscribe(stopper);
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        stopper.subscribe(sink);
        ManualUpstream up = new ManualUpstream();
        first.onSubscribe(up);
        ex.runAll();
        for (int i = 0; i < 10; i++) {
            first.onNext(i); // all queued in the first stage's input: one turn takes them
        }
        ex.runAll();
        assertStoppedAtFive(sink, up, letters);
    }

    @Test
    void aStageFedThroughItsUpstreamsOutputQueueThatStopsLosesNothing() {
        io.flowrelay.test.ManualExecutor ex = new io.flowrelay.test.ManualExecutor();
        ActorSystem system = kit.system("queued-stop");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        java.util.concurrent.atomic.AtomicReference<Emitter<Integer>> firstOut = new java.util.concurrent.atomic.AtomicReference<>();
        Flow.Processor<Integer, Integer> first = system.stage("first", () -> (i, out) -> firstOut.set(out), on(ex));
        Flow.Processor<Integer, Integer> stopper = stopsAtFive(system, ex);
        first.subscribe(stopper);
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        stopper.subscribe(sink);
        ManualUpstream up = new ManualUpstream();
        first.onSubscribe(up);
        ex.runAll();
        first.onNext(-1);
        ex.runAll();
        for (int i = 0; i < 10; i++) {
            firstOut.get().emit(i); // not on the first stage's turn: queued in its output, delivered by its loop
        }
        ex.runAll();
        assertStoppedAtFive(sink, up, letters);
    }

    /**
     * A first stage that emits two outputs per input into small mailboxes: its demand runs out
     * mid-turn, and chained turns, the stages' own loops and the outputs' loops take over from
     * each other all the time; nothing is lost, duplicated or reordered, and the counts hold.
     */
    @Test
    void fanOutPipelinesWithSmallMailboxesOnTheSharedPoolKeepOrderAndCounts() throws Exception {
        int n = 20_000;
        for (int round = 0; round < 10; round++) {
            ActorSystem system = kit.system("fan-race-" + round);
            Flow.Processor<Integer, Integer> first = system.stage("fan", () -> (i, out) -> {
                out.emit(2 * i);
                out.emit(2 * i + 1);
            }, capacity(8));
            List<Flow.Processor<Integer, Integer>> next = chain(system, "s", 3, capacity(2 + round % 3 * 2), new ArrayList<>());
            first.subscribe(next.get(0));
            RecordingSubscriber<Integer> sink = RecordingSubscriber.inBatches(16);
            next.get(2).subscribe(sink);
            feed(range(n), 32).subscribe(first);
            get(sink.done);
            List<Integer> items = sink.items();
            assertEquals(2 * n, items.size(), "round " + round);
            for (int i = 0; i < 2 * n; i++) {
                if (items.get(i) != i + 3) {
                    throw new AssertionError("round " + round + ": at " + i + " got " + items.get(i));
                }
            }
            for (Flow.Processor<Integer, Integer> stage : next) {
                assertEquals(2 * n, ((StageProcessor<?, ?>) stage).processedCount(), "round " + round);
            }
            assertEquals(0, system.deadLetters().count(), "round " + round);
            assertEquals(0, sink.signalsAfterTerminal());
        }
    }

    @Test
    void aChainedStageInRestartBackoffMakesItsUpstreamQueueInOrder() {
        ActorSystem system = kit.system("chain-backoff");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        int n = 20_000;
        Flow.Processor<Integer, Integer> first = system.stage("first", () -> (i, out) -> out.emit(i), capacity(64));
        Flow.Processor<Integer, Integer> flaky = system.stage("flaky", () -> (i, out) -> {
            if (i % 2_000 == 1_999) {
                throw new Boom("bad " + i);
            }
            out.emit(i);
        }, capacity(64).supervision(SupervisorStrategy.restart().withBackoff(
                java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(2))));
        Flow.Processor<Integer, Integer> last = system.stage("last", () -> (i, out) -> out.emit(i), capacity(64));
        first.subscribe(flaky);
        flaky.subscribe(last);
        RecordingSubscriber<Integer> sink = RecordingSubscriber.inBatches(32);
        last.subscribe(sink);
        feed(range(n), 128).subscribe(first);
        get(sink.done);
        List<Integer> expected = range(n).stream().filter(i -> i % 2_000 != 1_999).toList();
        assertEquals(expected, sink.items(), "all but the failed inputs, in order, through pauses of the middle stage");
        assertEquals(10, letters.await(DeadLetterCollector.reason(DeadLetter.Reason.FAILED), 10).size());
        assertEquals(0, sink.signalsAfterTerminal());
    }

    @Test
    void anEmitOfTheUpstreamStageFromInsideAChainedHandlerIsQueuedAndNeverReentersIt() {
        io.flowrelay.test.ManualExecutor ex = new io.flowrelay.test.ManualExecutor();
        ActorSystem system = kit.system("chain-reentry");
        java.util.concurrent.atomic.AtomicReference<Emitter<Integer>> firstOut = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<String> broken = new java.util.concurrent.atomic.AtomicReference<>();
        Flow.Processor<Integer, Integer> first = system.stage("first", () -> (i, out) -> {
            firstOut.set(out);
            out.emit(i);
        }, on(ex));
        Flow.Processor<Integer, Integer> second = system.stage("second", () -> new StageHandler<Integer, Integer>() {
            private boolean inside;

            @Override
            public void onInput(Integer i, Emitter<Integer> out) {
                if (inside) {
                    broken.compareAndSet(null, "re-entered with " + i);
                }
                inside = true;
                if (i == 1) {
                    firstOut.get().emit(100); // a handler misusing another stage's emitter, on the same thread
                }
                out.emit(i);
                inside = false;
            }
        }, on(ex));
        first.subscribe(second);
        RecordingSubscriber<Integer> sink = RecordingSubscriber.unbounded();
        second.subscribe(sink);
        first.onSubscribe(new ManualUpstream());
        ex.runAll();
        for (int i = 0; i < 4; i++) {
            first.onNext(i);
        }
        ex.runAll();
        first.onComplete();
        ex.runAll();
        get(sink.done);
        assertEquals(null, broken.get());
        assertEquals(List.of(0, 1, 100, 2, 3), sink.items(), "the nested emit went first of what followed it");
    }

    /**
     * A thread that sends 0, 1, 2, ... into {@code source}, counting what it accepted, until the
     * channel closes (a cancel closed the pipeline back to it, or the test did).
     */
    private static Thread sendUntilClosed(Channel<Integer> source, AtomicLong accepted, String name) {
        Thread producer = new Thread(() -> {
            try {
                for (int i = 0; ; i++) {
                    source.send(i);
                    accepted.incrementAndGet();
                }
            } catch (io.flowrelay.channel.ChannelClosedException ex) {
                // the end
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, name);
        producer.setDaemon(true);
        producer.start();
        return producer;
    }

    @Test
    void chainedPipelinesOnTheSharedPoolDeliverEverythingInOrderUnderCancellation() throws Exception {
        for (int round = 0; round < 30; round++) {
            ActorSystem system = kit.system("chain-race-" + round);
            List<Flow.Processor<Integer, Integer>> stages = chain(system, "s", 5, capacity(32), new ArrayList<>());
            int cancelAt = 500 + round * 97;
            CountDownLatch cancelled = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<String> broken = new java.util.concurrent.atomic.AtomicReference<>();
            AtomicLong received = new AtomicLong();
            stages.get(4).subscribe(new Flow.Subscriber<>() {
                private Flow.Subscription s;
                private int next = 5;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    this.s = s;
                    s.request(16);
                }

                @Override
                public void onNext(Integer item) {
                    if (item != next) {
                        broken.compareAndSet(null, "got " + item + ", expected " + next);
                    }
                    next++;
                    if (received.incrementAndGet() == cancelAt) {
                        s.cancel();
                        cancelled.countDown();
                    } else if ((received.get() & 15) == 0) {
                        s.request(16);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    broken.compareAndSet(null, "error " + t);
                }

                @Override
                public void onComplete() {
                    broken.compareAndSet(null, "completed before the cancel");
                }
            });
            Channel<Integer> source = Channels.bounded(64);
            source.subscribe(stages.get(0));
            sendUntilClosed(source, new AtomicLong(), "chain-race-producer");
            await(cancelled, "round " + round + ": the sink's cancel");
            ActorTestKit.waitUntil(() -> stages.stream().allMatch(s -> ((StageProcessor<?, ?>) s).isDone()),
                    "round " + round + ": every stage ended after the cancel");
            source.close();
            assertEquals(null, broken.get(), "round " + round);
            assertEquals(cancelAt, received.get(), "round " + round + ": nothing after the cancel (RS 1.8)");
        }
    }

    @Test
    void outputsStillQueuedWhenTheLastSubscriberCancelsGoToDeadLetters() {
        ActorSystem system = kit.system("stage-cancel-outputs");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        var stage = (StageProcessor<Integer, Integer>) system.<Integer, Integer>stage("s", () -> (i, out) -> out.emit(i * 10),
                capacity(8));
        TestSubscription sink = new TestSubscription(2); // takes two, leaves the rest in the stage's output
        stage.subscribe(sink);
        ManualUpstream up = new ManualUpstream();
        stage.onSubscribe(up);
        ActorTestKit.waitUntil(() -> up.requested.get() >= 5, "demand");
        for (int i = 0; i < 5; i++) {
            stage.onNext(i);
        }
        ActorTestKit.waitUntil(() -> stage.processedCount() == 5 && sink.received.size() == 2, "all handled, two delivered");
        sink.subscription.cancel();
        await(up.cancelled, "upstream cancelled");
        List<Object> dropped = letters.await(DeadLetterCollector.reason(DeadLetter.Reason.STOPPED), 3).stream()
                .map(DeadLetter::message).toList();
        assertEquals(List.of(20, 30, 40), dropped, "the outputs nobody will read, not stranded in the output buffer");
        assertEquals(List.of(0, 10), sink.received);
    }

    @Test
    void aChainWhoseLastSubscriberCancelsLeavesNoOutputStrandedInAnyStage() throws Exception {
        for (int round = 0; round < 20; round++) {
            ActorSystem system = kit.system("chain-cancel-" + round);
            List<Flow.Processor<Integer, Integer>> stages = chain(system, "s", 3, capacity(4), new ArrayList<>());
            AtomicLong received = new AtomicLong();
            CountDownLatch cancelled = new CountDownLatch(1);
            int cancelAt = 100 + 37 * round;
            stages.get(2).subscribe(new Flow.Subscriber<>() {
                private Flow.Subscription s;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    this.s = s;
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Integer item) {
                    if (received.incrementAndGet() == cancelAt) {
                        s.cancel();
                        cancelled.countDown();
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onComplete() {
                }
            });
            Channel<Integer> source = Channels.bounded(8);
            source.subscribe(stages.get(0));
            AtomicLong accepted = new AtomicLong();
            Thread producer = sendUntilClosed(source, accepted, "chain-cancel-producer");
            await(cancelled, "round " + round + ": the cancel");
            ActorTestKit.waitUntil(() -> stages.stream().allMatch(s -> ((StageProcessor<?, ?>) s).isDone()),
                    "round " + round + ": every stage ended");
            source.close();
            producer.join(WAIT.toMillis());
            int left = 0;
            while (source.poll() != null) {
                left++;
            }
            int leftNow = left;
            ActorTestKit.waitUntil(() -> received.get() + system.deadLetters().count() + leftNow == accepted.get(),
                    "round " + round + ": every accepted item delivered, dead-lettered or left in the source ("
                            + received.get() + " + " + system.deadLetters().count() + " + " + leftNow + " of " + accepted.get() + ")");
        }
    }

    @Test
    void outputsLeftInAnEndedStageGoToDeadLettersWhenItsLastSubscriberCancels() {
        ActorSystem system = kit.system("stage-ended-cancel");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        var stage = (StageProcessor<Integer, Integer>) system.<Integer, Integer>stage("s", () -> (i, out) -> out.emit(i * 10),
                capacity(8));
        TestSubscription sink = new TestSubscription(2);
        stage.subscribe(sink);
        ManualUpstream up = new ManualUpstream();
        stage.onSubscribe(up);
        ActorTestKit.waitUntil(() -> up.requested.get() >= 5, "demand");
        for (int i = 0; i < 5; i++) {
            stage.onNext(i);
        }
        stage.onComplete(); // the stage ends; three outputs wait in its output for demand
        ActorTestKit.waitUntil(() -> stage.isDone() && sink.received.size() == 2, "the stage ended, two delivered");
        assertEquals(0, system.deadLetters().count(), "still deliverable: the subscriber may ask for them");
        sink.subscription.cancel(); // now nobody will
        List<Object> dropped = letters.await(DeadLetterCollector.reason(DeadLetter.Reason.STOPPED), 3).stream()
                .map(DeadLetter::message).toList();
        assertEquals(List.of(20, 30, 40), dropped);
        assertEquals(List.of(0, 10), sink.received);
    }

    /** Asks for {@code initial} items, records them, and lets the test cancel. */
    private static final class TestSubscription implements Flow.Subscriber<Integer> {
        private final long initial;
        final List<Integer> received = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile Flow.Subscription subscription;

        TestSubscription(long initial) {
            this.initial = initial;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(initial);
        }

        @Override
        public void onNext(Integer item) {
            received.add(item);
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onComplete() {
        }
    }
}
