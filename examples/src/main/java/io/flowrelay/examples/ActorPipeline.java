package io.flowrelay.examples;

import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Emitter;
import io.flowrelay.actor.ShutdownReport;
import io.flowrelay.actor.StageHandler;
import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import io.flowrelay.channel.SendResult;
import io.flowrelay.channel.Sender;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * An actor pipeline with backpressure from end to end:
 * <pre>
 * reader (a bounded channel fed by a thread) → parser stage → aggregator stage → writer (a subscriber)
 * </pre>
 * The reader produces CSV lines {@code seq,key,amount}; the parser turns each into a record (and
 * counts the malformed ones it skips); the aggregator keeps totals per key in a plain
 * {@link HashMap} — it is an actor, so its state needs no locks — and emits them when its input
 * completes ({@link StageHandler#onComplete}); the writer requests a few totals at a time and
 * prints a summary. The reader blocks whenever the parser's mailbox is full, the parser when the
 * aggregator's is: the program then checks that every line was counted exactly once.
 *
 * <pre>mvn -B -q -pl examples -am compile exec:java -Dexample=io.flowrelay.examples.ActorPipeline</pre>
 */
public final class ActorPipeline {

    private static final int LINES = 200_000;
    private static final int KEYS = 12;
    private static final int MALFORMED_EVERY = 10_000; // one malformed line in 10 000

    public static void main(String[] args) throws InterruptedException {
        long start = System.nanoTime();
        ActorSystem system = ActorSystem.create("pipeline");
        try {
            run(system);
        } finally {
            ShutdownReport report = system.shutdown(Duration.ofSeconds(5)).toCompletableFuture().join();
            System.out.printf("shutdown: completed=%b, processed=%,d, dead letters=%d, remaining=%d (%d ms in all)%n",
                    report.completed(), report.processed(), report.deadLettered(), report.remaining(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
    }

    private static void run(ActorSystem system) throws InterruptedException {
        Channel<String> reader = Channels.bounded(1024);
        Flow.Processor<String, Record> parser = system.stage("parser", Parser::new);
        Flow.Processor<Record, Total> aggregator = system.stage("aggregator", Aggregator::new);
        Writer writer = new Writer();

        reader.subscribe(parser);
        parser.subscribe(aggregator);
        aggregator.subscribe(writer);

        // The reader: a thread that sends lines; send() waits while the pipeline is full.
        long[] expectedSum = new long[1];
        long[] readerWaits = new long[1];
        int[] malformed = new int[1];
        Sender<String> lines = reader.producer();
        Thread feeder = new Thread(() -> {
            try (lines) {
                for (int i = 1; i <= LINES; i++) {
                    String line;
                    if (i % MALFORMED_EVERY == 0) {
                        line = i + ",broken";
                        malformed[0]++;
                    } else {
                        int amount = i % 100 + 1;
                        expectedSum[0] += amount;
                        line = i + ",key-" + (i % KEYS) + "," + amount;
                    }
                    if (lines.trySend(line) != SendResult.OK) {
                        readerWaits[0]++; // the pipeline is full: backpressure reached the reader
                        lines.send(line);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "reader");
        feeder.start();
        feeder.join();

        if (!writer.done.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the pipeline did not complete");
        }
        if (writer.error != null) {
            throw new IllegalStateException("the pipeline failed", writer.error);
        }

        long records = 0;
        long sum = 0;
        long skipped = 0;
        for (Total t : writer.totals.values()) {
            if (t.key().equals(Parser.MALFORMED)) {
                skipped = t.count();
                continue;
            }
            records += t.count();
            sum += t.sum();
            System.out.printf("  %-7s %,8d records, sum %,10d%n", t.key(), t.count(), t.sum());
        }
        System.out.printf("lines %,d = records %,d + malformed %,d; sum %,d (expected %,d); "
                        + "reader waited for room %,d times%n",
                LINES, records, skipped, sum, expectedSum[0], readerWaits[0]);
        if (records + skipped != LINES || skipped != malformed[0] || sum != expectedSum[0]) {
            throw new IllegalStateException("lines were lost or counted twice: " + records + " records + "
                    + skipped + " malformed of " + LINES + ", sum " + sum + " of " + expectedSum[0]);
        }
        if (system.deadLetters().count() != 0) {
            throw new IllegalStateException(system.deadLetters().count() + " dead letters");
        }
    }

    /** One parsed line. */
    record Record(String key, long amount) {
    }

    /** Totals of one key: how many records and the sum of their amounts. */
    record Total(String key, long count, long sum) {
    }

    /** Parses {@code seq,key,amount}; a malformed line becomes a record of the key {@value #MALFORMED}. */
    static final class Parser implements StageHandler<String, Record> {
        static final String MALFORMED = "<malformed>";

        @Override
        public void onInput(String line, Emitter<Record> out) {
            String[] f = line.split(",", -1);
            if (f.length != 3) {
                out.emit(new Record(MALFORMED, 0));
                return;
            }
            out.emit(new Record(f[1], Long.parseLong(f[2])));
        }
    }

    /** Totals per key in plain collections (actor state); emitted once the input has completed. */
    static final class Aggregator implements StageHandler<Record, Total> {
        private final Map<String, long[]> totals = new HashMap<>();

        @Override
        public void onInput(Record r, Emitter<Total> out) {
            long[] t = totals.computeIfAbsent(r.key(), k -> new long[2]);
            t[0]++;
            t[1] += r.amount();
        }

        @Override
        public void onComplete(Emitter<Total> out) {
            new TreeMap<>(totals).forEach((key, t) -> out.emit(new Total(key, t[0], t[1])));
        }
    }

    /** The sink: requests four totals at a time, keeps them, and notes the end. */
    static final class Writer implements Flow.Subscriber<Total> {
        final Map<String, Total> totals = new TreeMap<>();
        final CountDownLatch done = new CountDownLatch(1);
        volatile Throwable error;
        private Flow.Subscription subscription;
        private int left;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            left = 4;
            s.request(4);
        }

        @Override
        public void onNext(Total t) {
            if (totals.put(t.key(), t) != null) {
                throw new IllegalStateException("two totals for " + t.key());
            }
            if (--left == 0) {
                left = 4;
                subscription.request(4);
            }
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }
    }
}
