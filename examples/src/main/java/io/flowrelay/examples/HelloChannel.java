package io.flowrelay.examples;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;

public class HelloChannel {
    public static void main(String[] args) {
        Channel<String> channel = Channels.bounded(16);

        Thread producer = new Thread(() -> {
            try (channel) {                       // close() when done: the consumer's loop ends
                for (int i = 1; i <= 5; i++) {
                    channel.send("message " + i); // blocks while the channel is full
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.start();

        for (String message : channel) {         // blocking iteration until closed and drained
            System.out.println("received " + message);
        }
    }
}
