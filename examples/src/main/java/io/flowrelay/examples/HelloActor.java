package io.flowrelay.examples;

import io.flowrelay.actor.ActorRef;
import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Behaviors;

import java.time.Duration;

public class HelloActor {
    record Add(int amount) {}
    record Get(ActorRef<Integer> replyTo) {}

    public static void main(String[] args) {
        ActorSystem system = ActorSystem.create("hello");

        // an actor owns its state and handles one message at a time
        ActorRef<Object> counter = system.spawn("counter", () -> {
            int[] total = {0};
            return (ctx, message) -> {
                if (message instanceof Add add) {
                    total[0] += add.amount();
                } else if (message instanceof Get get) {
                    get.replyTo().tell(total[0]);
                }
                return Behaviors.same();
            };
        });

        for (int i = 1; i <= 100; i++) {
            counter.tell(new Add(i));
        }
        int total = counter.<Integer>ask(Get::new, Duration.ofSeconds(1)).join();
        System.out.println("total = " + total);   // 5050: messages from one sender stay in order

        System.out.println(system.shutdown(Duration.ofSeconds(5)).toCompletableFuture().join());
    }
}
