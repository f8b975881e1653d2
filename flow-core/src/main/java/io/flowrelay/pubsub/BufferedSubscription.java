package io.flowrelay.pubsub;

import io.flowrelay.channel.ChannelClosedException;
import io.flowrelay.channel.ChannelFullException;
import io.flowrelay.channel.Overflow;
import io.flowrelay.channel.SendResult;
import io.flowrelay.internal.BufferedChannel;
import io.flowrelay.internal.DefaultExecutor;
import io.flowrelay.internal.StateWord;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * One broker subscription: a kernel channel of its own (single consumer) that publishers offer
 * to, and the channel's delivery loop that signals the subscriber. It sits between the two: the
 * loop's subscriber and the subscriber's subscription, so that a cancel, a cut-off or the end of
 * the stream also takes the subscription out of the broker.
 *
 * @param <T> the message type
 */
final class BufferedSubscription<T> implements TopicSubscription, Flow.Subscriber<T>, Flow.Subscription {

    /*
     * Implementation notes
     *
     * channel    — publishers offer (trySend; send for BLOCK), the channel's delivery loop polls.
     *              Its own policy is BLOCK (BLOCK, or unbounded), DROP_OLDEST (it drops on the
     *              publisher's thread, into droppedOldest) or FAIL (for DROP_NEWEST and FAIL: a
     *              full buffer reports FULL and this class applies the policy, so that publish()
     *              knows whether the new message was taken).
     * upstream   — the loop's subscription, written once by onSubscribe (loop thread) before the
     *              subscriber can see this object; read by request()/cancel() (subscriber threads).
     * state      — CANCELLED (cancel(), any thread) | ENDED (terminal signal, loop thread), set
     *              once each through StateWord. cancel() writes state then reads upstream;
     *              onSubscribe writes upstream then reads state: one of them cancels the loop.
     * dropped    — getAndAdd by any publisher that drops for this subscription.
     * Leaving (cancel, cut-off, terminal signal) removes the subscription from the broker and
     * closes the channel, which fails a publisher waiting for room (BLOCK) and refuses later offers.
     */

    /** Outcome of an offer, for {@code Broker.publish}. */
    static final int TAKEN = 0;
    static final int DROPPED = 1;
    static final int GONE = 2;
    static final int FULL = 3;

    private static final int CANCELLED = 1;
    private static final int ENDED = 2;

    private final BrokerImpl<T> broker;
    private final TopicPattern pattern;
    private final Flow.Subscriber<? super T> actual;
    private final BufferedChannel<T> channel;
    private final Overflow overflow;
    private final Consumer<? super T> onDrop;

    private volatile Flow.Subscription upstream;
    private volatile int state;
    private volatile long dropped;

    @SuppressWarnings("unchecked")
    BufferedSubscription(BrokerImpl<T> broker, TopicPattern pattern, Flow.Subscriber<? super T> actual, SubscribeOptions<? super T> options) {
        this.broker = broker;
        this.pattern = pattern;
        this.actual = actual;
        this.onDrop = (Consumer<? super T>) options.onDrop();
        int capacity = options.capacity();
        this.overflow = capacity == Integer.MAX_VALUE ? Overflow.BLOCK : options.overflow();
        Overflow own = overflow == Overflow.BLOCK || overflow == Overflow.DROP_OLDEST ? overflow : Overflow.FAIL;
        Executor executor = options.executor() != null ? options.executor() : DefaultExecutor.get();
        this.channel = new BufferedChannel<>(capacity, own, own == Overflow.DROP_OLDEST ? this::drop : null,
                executor, options.batch(), 1, true);
    }

    TopicPattern topicPattern() {
        return pattern;
    }

    /** Starts delivery: the subscriber gets onSubscribe from the loop. */
    void start() {
        channel.subscribe(this);
    }

    /** The broker is closed already: the subscriber gets onSubscribe, then onError (RS 1.9). */
    void reject(Throwable error) {
        channel.fail(error);
        channel.subscribe(this);
    }

    /** The broker closes: what is buffered is still delivered, then onComplete. */
    void complete() {
        channel.close();
    }

    // ------------------------------------------------------------------ publisher side

    /** Offers without waiting and applies the overflow policy; {@link #FULL} only for BLOCK. */
    int offer(T message) {
        SendResult r = channel.trySend(message);
        if (r == SendResult.OK) {
            return TAKEN; // under DROP_OLDEST an older message may have gone to drop()
        }
        if (r == SendResult.CLOSED) {
            return GONE;
        }
        switch (overflow) {
            case BLOCK:
                return FULL;
            case FAIL:
                cutOff();
                return GONE;
            default: // DROP_NEWEST
                drop(message);
                return DROPPED;
        }
    }

    /** BLOCK: waits for room. Interrupted: the message is dropped for this subscriber, the interrupt status kept. */
    int offerWaiting(T message) {
        try {
            channel.send(message);
            return TAKEN;
        } catch (ChannelClosedException ex) {
            return GONE; // cancelled, cut off or closed while we waited
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            drop(message);
            return DROPPED;
        }
    }

    private void drop(T message) {
        DROPPED_COUNT.getAndAdd(this, 1L);
        Consumer<? super T> callback = onDrop;
        if (callback != null) {
            try {
                callback.accept(message);
            } catch (Throwable ignored) {
                // documented: counted anyway; must not keep the message from the other subscribers
            }
        }
    }

    /** FAIL: a full buffer ends the subscription; the subscriber gets what was buffered, then onError. */
    private void cutOff() {
        broker.remove(this);
        channel.fail(new ChannelFullException("subscriber of \"" + pattern + "\" fell a full buffer behind (capacity "
                + channel.capacity() + ", overflow FAIL): unsubscribed"));
    }

    // ------------------------------------------------------------------ from the delivery loop

    @Override
    public void onSubscribe(Flow.Subscription s) {
        upstream = s;
        actual.onSubscribe(this); // RS 1.9: also when already cancelled through the handle
        if ((state & CANCELLED) != 0) {
            s.cancel();
        }
    }

    @Override
    public void onNext(T item) {
        if ((state & CANCELLED) == 0) {
            actual.onNext(item);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        leave(ENDED);
        if ((state & CANCELLED) == 0) {
            actual.onError(throwable);
        }
    }

    @Override
    public void onComplete() {
        leave(ENDED);
        if ((state & CANCELLED) == 0) {
            actual.onComplete();
        }
    }

    // ------------------------------------------------------------------ from the subscriber

    @Override
    public void request(long n) {
        Flow.Subscription s = upstream;
        if (s != null) {
            s.request(n); // RS 3.9 and 3.17 are the loop's
        }
    }

    @Override
    public void cancel() {
        if (leave(CANCELLED)) {
            Flow.Subscription s = upstream;
            if (s != null) {
                s.cancel(); // else onSubscribe sees CANCELLED and cancels
            }
        }
    }

    /** Sets {@code bit}; the first call for that bit takes the subscription out of the broker. */
    private boolean leave(int bit) {
        if (!StateWord.setOnce(STATE, this, bit)) {
            return false;
        }
        broker.remove(this);
        channel.close(); // a waiting BLOCK publisher fails out; later offers see CLOSED
        return true;
    }

    // ------------------------------------------------------------------ TopicSubscription

    @Override
    public String pattern() {
        return pattern.text();
    }

    @Override
    public boolean isActive() {
        return state == 0 && !channel.isClosed();
    }

    @Override
    public long dropped() {
        return dropped;
    }

    @Override
    public int buffered() {
        return channel.size();
    }

    @Override
    public String toString() {
        return "TopicSubscription[" + pattern + ", " + (isActive() ? "active" : "inactive") + ", buffered=" + buffered()
                + ", dropped=" + dropped + "]";
    }

    private static final VarHandle STATE;
    private static final VarHandle DROPPED_COUNT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(BufferedSubscription.class, "state", int.class);
            DROPPED_COUNT = l.findVarHandle(BufferedSubscription.class, "dropped", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
