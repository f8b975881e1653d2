package io.flowrelay.examples;

import io.flowrelay.queue.AckQueue;
import io.flowrelay.queue.DeadLetter;
import io.flowrelay.queue.Delivery;
import io.flowrelay.queue.IdempotentConsumer;
import io.flowrelay.queue.QueueStats;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A worker pool on an at-least-once {@link AckQueue}: four workers share 2,000 jobs. Worker 1
 * starts alone, handles two jobs and crashes holding its third (never acked; its subscription
 * drops): after the visibility timeout that job is delivered again, to another worker. Worker 2
 * joins and stalls on its first job for longer than the visibility timeout: that job is delivered
 * again while the first attempt is still running, and the shared {@link IdempotentConsumer} keeps
 * the other worker from doing the work twice. Workers 3 and 4 join and do the rest. (The workers
 * join one by one only so that the crash and the stall happen on every run: competing consumers
 * share jobs in no fixed way.) The program prints what happened and throws unless every job's
 * work ran exactly once.
 *
 * <pre>mvn -B -q -pl examples -am compile exec:java -Dexample=io.flowrelay.examples.AckQueueWorkers</pre>
 */
public final class AckQueueWorkers {

    private static final int JOBS = 2_000;
    private static final int WORKERS = 4;
    private static final Duration VISIBILITY = Duration.ofMillis(300);
    private static final int CRASHER = 0;       // worker-1 (0-based index 0) ...
    private static final int CRASH_AFTER = 2;   // ... crashes when it gets its 3rd job
    private static final int STALLER = 1;       // worker-2 stalls on its first job ...
    private static final long STALL_MILLIS = 700; // ... for longer than the visibility timeout

    /** A job: resize image {@code n}. */
    record Job(int n) {
    }

    public static void main(String[] args) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS, r -> {
            Thread t = new Thread(r, "worker-thread");
            t.setDaemon(true);
            return t;
        });
        try {
            run(pool);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void run(ExecutorService pool) throws InterruptedException {
        // handlers may block (the staller does), so the workers get an executor of their own
        AckQueue<Job> queue = AckQueue.<Job>builder()
                .visibilityTimeout(VISIBILITY)
                .maxAttempts(5)
                .executor(pool)
                .build();
        System.out.printf("AckQueue: %,d jobs, %d workers, visibility timeout %d ms, at most %d attempts%n",
                JOBS, WORKERS, VISIBILITY.toMillis(), queue.maxAttempts());

        AtomicLong deadLetters = new AtomicLong();
        queue.deadLetters().subscribe(new Flow.Subscriber<DeadLetter<Job>>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(DeadLetter<Job> d) {
                deadLetters.incrementAndGet();
                System.out.println("dead letter: " + d);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        });

        // the work itself, once per job id, shared by all workers
        AtomicIntegerArray sideEffects = new AtomicIntegerArray(JOBS + 1);
        IdempotentConsumer<Job> once = IdempotentConsumer.of(4096, d -> {
            sideEffects.incrementAndGet((int) d.id());
            Worker w = Worker.CURRENT.get();
            if (w.index == STALLER && !w.stalled) {
                w.stalled = true;
                System.out.printf("%s stalls %d ms on job %d (attempt %d): longer than the visibility timeout%n",
                        w.name, STALL_MILLIS, d.id(), d.attempt());
                w.events.countDown();
                Thread.sleep(STALL_MILLIS);
                System.out.printf("%s finishes job %d after its stall%n", w.name, d.id());
            }
        });

        Worker[] workers = new Worker[WORKERS];
        CountDownLatch done = new CountDownLatch(WORKERS - 1); // the crashed one never completes
        for (int i = 0; i < WORKERS; i++) {
            workers[i] = new Worker(i, once, done);
        }
        for (int i = 1; i <= JOBS; i++) {
            queue.enqueue(new Job(i));
        }
        queue.close(); // no more jobs: the workers complete once every job is acked or dead

        queue.subscribe(workers[CRASHER]);
        awaitEvent(workers[CRASHER], "crash");
        queue.subscribe(workers[STALLER]);
        awaitEvent(workers[STALLER], "stall");
        for (int i = 0; i < WORKERS; i++) {
            if (i != CRASHER && i != STALLER) {
                queue.subscribe(workers[i]);
            }
        }

        if (!done.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the workers did not finish: " + queue.stats());
        }
        for (Worker w : workers) {
            System.out.printf("%s: handled %,5d deliveries: processed %,5d, skipped as already processed or in progress %d%s%n",
                    w.name, w.handled, w.processed, w.duplicates, w.index == CRASHER ? " (then crashed)" : "");
        }
        QueueStats stats = queue.stats();
        System.out.printf("queue: enqueued %,d, acked %,d, redelivered %d, dead letters %d, pending %d%n",
                stats.enqueued(), stats.acked(), stats.redelivered(), stats.deadLettered(), stats.pending());

        int missing = 0;
        int twice = 0;
        for (int id = 1; id <= JOBS; id++) {
            int n = sideEffects.get(id);
            if (n == 0) {
                missing++;
            } else if (n > 1) {
                twice++;
            }
        }
        if (missing != 0 || twice != 0 || stats.acked() != JOBS || deadLetters.get() != 0 || stats.redelivered() < 2) {
            throw new IllegalStateException(missing + " jobs never processed, " + twice + " processed twice; " + stats);
        }
        System.out.printf("every job processed exactly once: %,d jobs, %,d side effects; %d redeliveries absorbed%n",
                JOBS, JOBS, stats.redelivered());
    }

    private static void awaitEvent(Worker w, String what) throws InterruptedException {
        if (!w.events.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(w.name + " did not " + what);
        }
    }

    /** A worker: asks for a few jobs at a time and hands each to the shared idempotent consumer. */
    static final class Worker implements Flow.Subscriber<Delivery<Job>> {
        static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();
        private static final int PREFETCH = 8;

        final int index;
        final String name;
        private final IdempotentConsumer<Job> once;
        private final CountDownLatch done;
        final CountDownLatch events = new CountDownLatch(1); // the crash, or the start of the stall
        private Flow.Subscription subscription;
        // written on the worker's delivery loop only, read after it completed
        volatile int handled;
        volatile int processed;
        volatile int duplicates;
        volatile boolean crashed;
        volatile boolean stalled;

        Worker(int index, IdempotentConsumer<Job> once, CountDownLatch done) {
            this.index = index;
            this.name = "worker-" + (index + 1);
            this.once = once;
            this.done = done;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(PREFETCH);
        }

        @Override
        public void onNext(Delivery<Job> d) {
            if (crashed) {
                return;
            }
            if (index == CRASHER && handled == CRASH_AFTER) {
                crashed = true;
                System.out.printf("%s crashes holding job %d (attempt %d): never acked%n", name, d.id(), d.attempt());
                subscription.cancel(); // its connection drops; the job comes back after the timeout
                events.countDown();
                return;
            }
            if (d.attempt() > 1) {
                System.out.printf("%s gets job %d again (attempt %d)%n", name, d.id(), d.attempt());
            }
            CURRENT.set(this);
            IdempotentConsumer.Outcome outcome = once.handle(d);
            handled++;
            if (outcome == IdempotentConsumer.Outcome.PROCESSED) {
                processed++;
            } else if (outcome == IdempotentConsumer.Outcome.DUPLICATE || outcome == IdempotentConsumer.Outcome.IN_PROGRESS) {
                duplicates++;
                System.out.printf("%s skips job %d: %s%n", name, d.id(), outcome);
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            t.printStackTrace();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }
    }
}
