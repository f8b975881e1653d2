package io.flowrelay.bench;

import io.flowrelay.channel.Broadcast;
import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpscArrayQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hand-off scenarios: T1 (one producer thread to one consumer), T2 (two producers to one
 * consumer) and T6 (one producer to ten subscribers), for FlowRelay and its peers.
 */
final class ChannelCases {

    /** Capacity of every buffer in these scenarios. */
    static final int CAPACITY = 1024;
    /** Subscribers in the fan-out scenario. */
    static final int FAN_OUT = 10;

    private ChannelCases() {
    }

    // ------------------------------------------------------------------ T1 / T2: FlowRelay

    /** {@code producers} threads {@code send} into a {@code bounded(1024)} channel; one Flow.Subscriber takes. */
    static final class FlowRelayChannel implements Workload {
        private final int producers;

        FlowRelayChannel(int producers) {
            this.producers = producers;
        }

        @Override
        public void run(int n) throws Exception {
            Channel<Integer> ch = Channels.bounded(CAPACITY);
            CountingSubscriber sub = new CountingSubscriber(n, CAPACITY);
            ch.subscribe(sub);
            sub.awaitSubscribed();
            if (producers == 1) {
                for (int i = 0; i < n; i++) {
                    ch.send(Items.get(i));
                }
            } else {
                Producers.run(producers, n, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        ch.send(Items.get(i));
                    }
                });
            }
            sub.await();
            ch.close();
        }
    }

    // ------------------------------------------------------------------ T1: peers

    /** JDK {@code SubmissionPublisher(pool, 1024)}, {@code submit} from one thread, the same subscriber. */
    static final class JdkSubmissionPublisher implements Workload {
        private final ForkJoinPool pool = Pools.asyncPool("jdk-sp");

        @Override
        public void run(int n) throws Exception {
            try (SubmissionPublisher<Integer> p = new SubmissionPublisher<>(pool, CAPACITY)) {
                CountingSubscriber sub = new CountingSubscriber(n, CAPACITY);
                p.subscribe(sub);
                sub.awaitSubscribed();
                for (int i = 0; i < n; i++) {
                    p.submit(Items.get(i));
                }
                sub.await();
            }
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }

    /** {@code ArrayBlockingQueue(1024)}: {@code producers} threads {@code put}, one consumer thread {@code take}s. */
    static final class BlockingQueue implements Workload {
        private final int producers;

        BlockingQueue(int producers) {
            this.producers = producers;
        }

        @Override
        public void run(int n) throws Exception {
            ArrayBlockingQueue<Integer> q = new ArrayBlockingQueue<>(CAPACITY);
            long[] sum = new long[1];
            Thread consumer = Producers.start("abq-consumer", () -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    s += q.take();
                }
                sum[0] = s;
            });
            if (producers == 1) {
                for (int i = 0; i < n; i++) {
                    q.put(Items.get(i));
                }
            } else {
                Producers.run(producers, n, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        q.put(Items.get(i));
                    }
                });
            }
            Producers.join(consumer);
        }
    }

    /** JCTools raw queues, both sides busy-spinning: the limit of a hand-off, not a usable channel. */
    static final class SpinningQueue implements Workload {
        private final boolean spsc;

        SpinningQueue(boolean spsc) {
            this.spsc = spsc;
        }

        @Override
        public void run(int n) throws Exception {
            MessagePassingQueue<Integer> q = spsc ? new SpscArrayQueue<>(CAPACITY) : new MpscArrayQueue<>(CAPACITY);
            long[] sum = new long[1];
            Thread consumer = Producers.start("spin-consumer", () -> {
                long s = 0;
                for (int i = 0; i < n; ) {
                    Integer v = q.relaxedPoll();
                    if (v == null) {
                        Thread.onSpinWait();
                        continue;
                    }
                    s += v;
                    i++;
                }
                sum[0] = s;
            });
            for (int i = 0; i < n; i++) {
                Integer v = Items.get(i);
                while (!q.relaxedOffer(v)) {
                    Thread.onSpinWait();
                }
            }
            Producers.join(consumer);
        }
    }

    // ------------------------------------------------------------------ T6: fan-out

    /** FlowRelay {@code Broadcast} (HOLD, 1024): one producer, ten subscribers; counts deliveries. */
    static final class FlowRelayBroadcast implements Workload {
        @Override
        public void run(int n) throws Exception {
            Broadcast<Integer> b = Channels.broadcast(CAPACITY);
            List<CountingSubscriber> subs = subscribeAll(b::subscribe, n);
            for (int i = 0; i < n; i++) {
                b.send(Items.get(i));
            }
            for (CountingSubscriber s : subs) {
                s.await();
            }
            b.close();
        }

        @Override
        public long deliveries(int n) {
            return (long) n * FAN_OUT;
        }
    }

    /** JDK {@code SubmissionPublisher(pool, 1024)} with ten subscribers. */
    static final class JdkBroadcast implements Workload {
        private final ForkJoinPool pool = Pools.asyncPool("jdk-sp-fanout");

        @Override
        public void run(int n) throws Exception {
            try (SubmissionPublisher<Integer> p = new SubmissionPublisher<>(pool, CAPACITY)) {
                List<CountingSubscriber> subs = subscribeAll(p::subscribe, n);
                for (int i = 0; i < n; i++) {
                    p.submit(Items.get(i));
                }
                for (CountingSubscriber s : subs) {
                    s.await();
                }
            }
        }

        @Override
        public long deliveries(int n) {
            return (long) n * FAN_OUT;
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }

    private static List<CountingSubscriber> subscribeAll(java.util.function.Consumer<CountingSubscriber> subscribe, int n)
            throws InterruptedException, TimeoutException {
        List<CountingSubscriber> subs = new ArrayList<>();
        for (int i = 0; i < FAN_OUT; i++) {
            CountingSubscriber s = new CountingSubscriber(n, CAPACITY);
            subscribe.accept(s);
            subs.add(s);
        }
        for (CountingSubscriber s : subs) {
            s.awaitSubscribed();
        }
        return subs;
    }

    /** Thread helpers for the scenarios that bring their own threads. */
    static final class Producers {
        interface Range {
            void run(int from, int to) throws Exception;
        }

        interface Body {
            void run() throws Exception;
        }

        private Producers() {
        }

        /** Splits {@code [0, n)} among {@code threads} threads and waits for all of them. */
        static void run(int threads, int n, Range range) throws Exception {
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int from = (int) ((long) n * t / threads);
                int to = (int) ((long) n * (t + 1) / threads);
                ts[t] = start("producer-" + t, () -> range.run(from, to));
            }
            for (Thread t : ts) {
                join(t);
            }
        }

        static Thread start(String name, Body body) {
            Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            }, name);
            t.setDaemon(true);
            t.start();
            return t;
        }

        static void join(Thread t) throws Exception {
            t.join(TimeUnit.SECONDS.toMillis(120));
            if (t.isAlive()) {
                t.interrupt();
                throw new TimeoutException(t.getName() + " did not finish within 120 s");
            }
        }
    }
}
