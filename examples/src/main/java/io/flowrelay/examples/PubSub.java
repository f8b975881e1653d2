package io.flowrelay.examples;

import io.flowrelay.actor.ActorRef;
import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Behaviors;
import io.flowrelay.channel.Overflow;
import io.flowrelay.pubsub.Broker;
import io.flowrelay.pubsub.SubscribeOptions;
import io.flowrelay.pubsub.TopicSubscription;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publish-subscribe by topic with a {@link Broker}: orders and prices are published to topics;
 * billing takes every created order and may hold the publisher back ({@code BLOCK}); an audit
 * actor takes every order event through the wildcard {@code orders.>}; a ticker takes every BTC
 * price; a slow dashboard takes {@code prices.*} through a small {@code DROP_OLDEST} buffer, so it
 * falls behind, loses old prices (counted) and never slows anybody down. The program prints what
 * each got and throws if the accounting does not add up.
 *
 * <pre>mvn -B -q -pl examples -am compile exec:java -Dexample=io.flowrelay.examples.PubSub</pre>
 */
public final class PubSub {

    private static final int ORDERS = 1_000;
    private static final int PRICES = 5_000;

    /** What is published: an event of some kind, numbered. */
    record Event(String kind, int seq) {
    }

    public static void main(String[] args) throws InterruptedException {
        ActorSystem system = ActorSystem.create("pubsub");
        ExecutorService dashboardThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dashboard");
            t.setDaemon(true);
            return t;
        });
        try {
            run(system, dashboardThread);
        } finally {
            dashboardThread.shutdownNow();
            system.shutdown(Duration.ofSeconds(5)).toCompletableFuture().join();
        }
    }

    private static void run(ActorSystem system, ExecutorService dashboardThread) throws InterruptedException {
        Broker<Event> broker = Broker.create();

        Counter billing = new Counter("billing", 0);
        broker.subscribe("orders.created", billing, SubscribeOptions.defaults().capacity(256).overflow(Overflow.BLOCK));

        AtomicLong audited = new AtomicLong();
        CountDownLatch allAudited = new CountDownLatch(2 * ORDERS);
        ActorRef<Event> audit = system.spawn("audit", () -> (ctx, e) -> {
            audited.incrementAndGet();
            allAudited.countDown();
            return Behaviors.same();
        });
        TopicSubscription auditing = broker.subscribe("orders.>", audit, SubscribeOptions.defaults().unbounded()); // miss none

        Counter ticker = new Counter("ticker", 0);
        broker.subscribe("prices.BTC", ticker, SubscribeOptions.defaults().unbounded());

        AtomicLong droppedByDashboard = new AtomicLong();
        Counter dashboard = new Counter("dashboard", 1); // 1 ms per price: far slower than the feed
        TopicSubscription dash = broker.subscribe("prices.*", dashboard, SubscribeOptions.defaults()
                .capacity(16)
                .overflow(Overflow.DROP_OLDEST)
                .onDrop((Event e) -> droppedByDashboard.incrementAndGet())
                .executor(dashboardThread));

        System.out.printf("topics: orders.created -> billing (BLOCK), orders.> -> audit actor (unbounded), prices.BTC -> ticker, "
                + "prices.* -> dashboard (16, DROP_OLDEST)%n");
        long start = System.nanoTime();
        long reachedOrders = 0;
        for (int i = 0; i < ORDERS; i++) {
            reachedOrders += broker.publish("orders.created", new Event("created", i)); // billing + audit
            reachedOrders += broker.publish("orders.eu.paid", new Event("paid", i));   // audit only
        }
        long reachedPrices = 0;
        for (int i = 0; i < PRICES; i++) {
            reachedPrices += broker.publish(i % 2 == 0 ? "prices.BTC" : "prices.ETH", new Event("price", i));
        }
        int nobody = broker.publish("weather.today", new Event("sunny", 0));
        long publishMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("published %,d order events (%,d deliveries) and %,d prices (%,d deliveries) in %d ms; "
                + "weather.today reached %d subscribers%n", 2 * ORDERS, reachedOrders, PRICES, reachedPrices, publishMillis, nobody);
        System.out.printf("meanwhile the dashboard has shown %,d prices: the feed did not wait for it%n", dashboard.count.get());

        broker.close(); // each subscriber gets what is still in its buffer, then onComplete
        for (Counter c : new Counter[]{billing, ticker, dashboard}) {
            if (!c.completed.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException(c.name + " did not complete");
            }
        }
        allAudited.await(10, TimeUnit.SECONDS); // an actor gets no completion signal: wait for its count

        System.out.printf("billing   got %,6d of %,6d created orders (BLOCK: nothing lost)%n", billing.count.get(), ORDERS);
        System.out.printf("audit     got %,6d of %,6d order events through orders.>%n", audited.get(), 2 * ORDERS);
        System.out.printf("ticker    got %,6d of %,6d BTC prices%n", ticker.count.get(), PRICES / 2);
        System.out.printf("dashboard got %,6d of %,6d prices and dropped %,d old ones (onDrop %,d): %,d in all%n",
                dashboard.count.get(), PRICES, dash.dropped(), droppedByDashboard.get(), dashboard.count.get() + dash.dropped());

        if (billing.count.get() != ORDERS || audited.get() != 2L * ORDERS || ticker.count.get() != PRICES / 2
                || dashboard.count.get() + dash.dropped() != PRICES || dash.dropped() != droppedByDashboard.get()
                || reachedOrders != 3L * ORDERS || reachedPrices != PRICES + PRICES / 2 || nobody != 0) {
            throw new IllegalStateException("the accounting does not add up (audit subscription dropped " + auditing.dropped() + ")");
        }
        System.out.println("every message accounted for: delivered, or dropped and counted by a subscriber that asked for it");
    }

    /** Counts what it gets, taking {@code millisPerItem} for each. */
    static final class Counter implements Flow.Subscriber<Event> {
        final String name;
        final long millisPerItem;
        final AtomicLong count = new AtomicLong();
        final CountDownLatch completed = new CountDownLatch(1);

        Counter(String name, long millisPerItem) {
            this.name = name;
            this.millisPerItem = millisPerItem;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Event e) {
            if (millisPerItem > 0) {
                try {
                    Thread.sleep(millisPerItem); // a slow subscriber, on its own thread
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            count.incrementAndGet();
        }

        @Override
        public void onError(Throwable t) {
            t.printStackTrace();
            completed.countDown();
        }

        @Override
        public void onComplete() {
            completed.countDown();
        }
    }
}
