package io.flowrelay.pubsub;

import io.flowrelay.actor.ActorRef;
import io.flowrelay.channel.SendResult;

import java.util.concurrent.Flow;

/**
 * The subscriber behind {@code Broker.subscribe(pattern, ActorRef)}: tells the actor each message,
 * with unbounded demand, so that the actor's mailbox is where messages wait; stops when the actor
 * has stopped.
 *
 * @param <T> the message type
 */
final class ActorForwarder<T> implements Flow.Subscriber<T> {

    /* subscription — written in onSubscribe, read in onNext: both on the delivery loop, serially. */

    private final ActorRef<? super T> actor;
    private Flow.Subscription subscription;

    ActorForwarder(ActorRef<? super T> actor) {
        this.actor = actor;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(T message) {
        if (actor.tell(message) == SendResult.CLOSED) {
            subscription.cancel(); // the actor has stopped; this message went to its dead letters
        }
        // FULL (a FAIL mailbox, or an interrupted BLOCK wait): the actor system dead-lettered it
    }

    @Override
    public void onError(Throwable throwable) {
        // an actor gets no completion signal: its messages just stop
    }

    @Override
    public void onComplete() {
        // as onError
    }

    @Override
    public String toString() {
        return "ActorForwarder[" + actor.path() + "]";
    }
}
