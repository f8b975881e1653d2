package io.flowrelay.examples;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import io.flowrelay.channel.Sender;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * Producer threads feed a bounded channel; competing worker subscribers drain it. Each item goes
 * to exactly one worker; the channel closes when the last producer handle is closed, and every
 * worker then gets {@code onComplete}.
 *
 * <pre>mvn -B -q -pl examples -am compile exec:java</pre>
 */
public final class QuickStart {

    private static final int PRODUCERS = 3;
    private static final int WORKERS = 4;
    private static final int ITEMS_PER_PRODUCER = 100_000;

    public static void main(String[] args) throws InterruptedException {
        Channel<Job> jobs = Channels.bounded(1024);

        // Workers: each asks for 64 jobs at a time and competes with the others for them.
        CountDownLatch finished = new CountDownLatch(WORKERS);
        List<Worker> workers = new ArrayList<>();
        for (int i = 1; i <= WORKERS; i++) {
            Worker w = new Worker("worker-" + i, finished);
            workers.add(w);
            jobs.subscribe(w);
        }

        // Producers: each owns a handle; the channel closes when the last one is closed.
        List<Thread> producers = new ArrayList<>();
        for (int p = 1; p <= PRODUCERS; p++) {
            int id = p;
            Sender<Job> handle = jobs.producer();
            Thread t = new Thread(() -> {
                try (handle) {
                    for (int n = 0; n < ITEMS_PER_PRODUCER; n++) {
                        handle.send(new Job(id, n)); // blocks while the channel is full
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "producer-" + id);
            producers.add(t);
            t.start();
        }
        for (Thread t : producers) {
            t.join();
        }
        if (!finished.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("workers did not finish");
        }

        long total = 0;
        for (Worker w : workers) {
            System.out.printf("%s handled %,d jobs (checksum %d)%n", w.name, w.count, w.checksum);
            total += w.count;
        }
        System.out.printf("total: %,d of %,d jobs, channel terminated: %b%n",
                total, (long) PRODUCERS * ITEMS_PER_PRODUCER, jobs.isTerminated());
        if (total != (long) PRODUCERS * ITEMS_PER_PRODUCER) {
            throw new IllegalStateException("jobs were lost");
        }
    }

    /** A unit of work: which producer made it, and its sequence number there. */
    record Job(int producer, int seq) {
    }

    /** A worker subscriber that requests in batches of 64 and counts what it did. */
    static final class Worker implements Flow.Subscriber<Job> {
        final String name;
        private final CountDownLatch finished;
        private Flow.Subscription subscription;
        private int sinceRequest;
        long count;
        long checksum;

        Worker(String name, CountDownLatch finished) {
            this.name = name;
            this.finished = finished;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(64);
        }

        @Override
        public void onNext(Job job) {
            count++;
            checksum += job.seq() % 7;
            if (++sinceRequest == 48) { // ask again after three quarters of the batch
                sinceRequest = 0;
                subscription.request(48);
            }
        }

        @Override
        public void onError(Throwable t) {
            System.err.println(name + " failed: " + t);
            finished.countDown();
        }

        @Override
        public void onComplete() {
            finished.countDown();
        }
    }
}
