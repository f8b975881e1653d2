package io.flowrelay.actor;

import io.flowrelay.channel.Overflow;
import io.flowrelay.internal.BufferedChannel;
import io.flowrelay.internal.DefaultExecutor;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fan-out of dead letters: each subscriber has its own bounded channel (drop oldest, counted), so a
 * slow subscriber never holds back the actors.
 */
final class DeadLettersImpl implements DeadLetters {

    static final int BUFFER = 1024;

    private final CopyOnWriteArrayList<BufferedChannel<DeadLetter>> subscribers = new CopyOnWriteArrayList<>();
    private final LongAdder count = new LongAdder();
    private final LongAdder missed = new LongAdder();
    private volatile boolean completed;

    void publish(DeadLetter letter) {
        count.increment();
        for (BufferedChannel<DeadLetter> ch : subscribers) {
            if (ch.subscriberCount() == 0) {
                subscribers.remove(ch); // its subscriber cancelled or ended
                ch.close();
                continue;
            }
            ch.trySend(letter);
        }
    }

    /** The system has shut down: subscribers get what is buffered, then onComplete. */
    void complete() {
        completed = true;
        for (BufferedChannel<DeadLetter> ch : subscribers) {
            ch.close();
        }
        subscribers.clear();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super DeadLetter> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
        BufferedChannel<DeadLetter> ch = new BufferedChannel<>(BUFFER, Overflow.DROP_OLDEST, d -> missed.increment(),
                DefaultExecutor.get(), 256, 1, false);
        if (completed) {
            // RS 1.9: unable to serve: onSubscribe, then onError
            ch.fail(new IllegalStateException("the actor system has shut down: no more dead letters"));
            ch.subscribe(subscriber);
            return;
        }
        ch.subscribe(subscriber);
        subscribers.add(ch);
        if (completed && subscribers.remove(ch)) {
            ch.close(); // raced with complete(): end like the others
        }
    }

    @Override
    public long count() {
        return count.sum();
    }

    @Override
    public long missedBySubscribers() {
        return missed.sum();
    }

    @Override
    public String toString() {
        return "DeadLetters[count=" + count.sum() + ", subscribers=" + subscribers.size() + "]";
    }
}
