package io.flowrelay.pubsub;

import io.flowrelay.actor.ActorRef;
import io.flowrelay.internal.StateWord;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;

/**
 * {@link Broker}: exact subscriptions in a map of topic nodes, wildcard subscriptions in one
 * copy-on-write array; each subscription is a {@link BufferedSubscription} (a kernel channel and
 * its delivery loop).
 *
 * @param <T> the message type
 */
final class BrokerImpl<T> implements Broker<T> {

    /*
     * Implementation notes
     *
     * topics    — name -> TopicNode, added by subscribe (computeIfAbsent), removed by the thread
     *             whose remove() left the node empty (remove(name, node): never a fresh node).
     *             publish() only reads it and never creates nodes, so publishing to ever new names
     *             costs no memory.
     * wildcards — CAS of a new array by subscribe/leave; read by publish(). A topic node caches the
     *             subset that matches its name, keyed by the identity of the array it was computed
     *             from, so a change of wildcard subscriptions is seen by the next publish.
     * state     — CLOSED, set once by close(). A subscribe registers and then re-reads state; close
     *             sets state and then walks the registrations: one of them completes the newcomer.
     * publish() runs on the caller's thread and touches only the subscriptions' channels (offer =
     * trySend: lock-free); it waits only in a BLOCK subscription's send, after every other
     * subscription was offered the message.
     */

    private static final int CLOSED = 1;

    private final SubscribeOptions<? super T> defaults;
    private final ConcurrentHashMap<String, TopicNode<T>> topics = new ConcurrentHashMap<>();

    private volatile BufferedSubscription<T>[] wildcards = empty();
    private volatile int state;

    BrokerImpl(SubscribeOptions<? super T> defaults) {
        this.defaults = defaults;
    }

    @SuppressWarnings("unchecked")
    private static <T> BufferedSubscription<T>[] empty() {
        return (BufferedSubscription<T>[]) TopicNode.EMPTY;
    }

    // ------------------------------------------------------------------ publishing

    @Override
    public Topic<T> topic(String name) {
        TopicPattern.checkName(name);
        return new TopicView<>(this, name);
    }

    @Override
    public int publish(String topic, T message) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(message, "message"); // RS 2.13
        TopicNode<T> node = topics.get(topic);
        if (node == null) {
            TopicPattern.checkName(topic); // a node's name was checked when it was made
        }
        if (state != 0) {
            return 0;
        }
        BufferedSubscription<T>[] exact = node == null ? empty() : node.subscribers();
        BufferedSubscription<T>[] wild = matching(node, topic);
        int reached = 0;
        BufferedSubscription<T>[] waiting = null; // BLOCK subscriptions that were full: rare
        int w = 0;
        for (int i = 0, n = exact.length + wild.length; i < n; i++) {
            BufferedSubscription<T> s = i < exact.length ? exact[i] : wild[i - exact.length];
            int r = s.offer(message);
            if (r == BufferedSubscription.TAKEN) {
                reached++;
            } else if (r == BufferedSubscription.FULL) {
                if (waiting == null) {
                    waiting = Arrays.copyOf(exact, n - i); // just an array of the right type
                }
                waiting[w++] = s;
            }
        }
        // the others have the message: now wait for the full BLOCK subscriptions, one by one
        for (int i = 0; i < w; i++) {
            if (waiting[i].offerWaiting(message) == BufferedSubscription.TAKEN) {
                reached++;
            }
        }
        return reached;
    }

    /** The wildcard subscriptions that match {@code topic}, cached on its node if it has one. */
    private BufferedSubscription<T>[] matching(TopicNode<T> node, String topic) {
        BufferedSubscription<T>[] all = wildcards;
        if (all.length == 0) {
            return all;
        }
        if (node != null) {
            TopicNode.Matches<T> m = node.matches;
            if (m != null && m.source() == all) {
                return m.matching();
            }
        }
        int count = 0;
        for (BufferedSubscription<T> s : all) {
            if (s.topicPattern().matches(topic)) {
                count++;
            }
        }
        BufferedSubscription<T>[] result;
        if (count == all.length) {
            result = all;
        } else if (count == 0) {
            result = empty();
        } else {
            result = Arrays.copyOf(all, count);
            int j = 0;
            for (BufferedSubscription<T> s : all) {
                if (s.topicPattern().matches(topic)) {
                    result[j++] = s;
                }
            }
        }
        if (node != null) {
            node.matches = new TopicNode.Matches<>(all, result); // benign race: see notes
        }
        return result;
    }

    @Override
    public int subscriberCount(String topic) {
        TopicPattern.checkName(topic);
        TopicNode<T> node = topics.get(topic);
        return (node == null ? 0 : node.subscribers().length) + matching(node, topic).length;
    }

    // ------------------------------------------------------------------ subscribing

    @Override
    public TopicSubscription subscribe(String pattern, Flow.Subscriber<? super T> subscriber) {
        return subscribe(pattern, subscriber, defaults);
    }

    @Override
    public TopicSubscription subscribe(String pattern, Flow.Subscriber<? super T> subscriber, SubscribeOptions<? super T> options) {
        Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
        Objects.requireNonNull(options, "options");
        BufferedSubscription<T> s = new BufferedSubscription<>(this, TopicPattern.parse(pattern), subscriber, options);
        if (state != 0) {
            s.reject(new IllegalStateException("the broker is closed: no more subscriptions")); // RS 1.9
            return s;
        }
        register(s);
        s.start();
        if (state != 0) {
            s.complete(); // raced with close(), which may not have seen us: end like the others
            remove(s);
        }
        return s;
    }

    @Override
    public TopicSubscription subscribe(String pattern, ActorRef<? super T> actor) {
        return subscribe(pattern, actor, defaults);
    }

    @Override
    public TopicSubscription subscribe(String pattern, ActorRef<? super T> actor, SubscribeOptions<? super T> options) {
        Objects.requireNonNull(actor, "actor");
        return subscribe(pattern, new ActorForwarder<T>(actor), options);
    }

    private void register(BufferedSubscription<T> s) {
        TopicPattern p = s.topicPattern();
        if (p.isExact()) {
            for (;;) {
                TopicNode<T> node = topics.computeIfAbsent(p.text(), TopicNode::new);
                if (node.add(s)) {
                    return;
                }
                topics.remove(p.text(), node); // it died meanwhile: make a fresh one
            }
        }
        for (;;) {
            BufferedSubscription<T>[] a = wildcards;
            BufferedSubscription<T>[] b = Arrays.copyOf(a, a.length + 1);
            b[a.length] = s;
            if (WILDCARDS.compareAndSet(this, a, b)) {
                return;
            }
        }
    }

    /** Takes {@code s} out of the routing; idempotent. */
    void remove(BufferedSubscription<T> s) {
        TopicPattern p = s.topicPattern();
        if (p.isExact()) {
            TopicNode<T> node = topics.get(p.text());
            if (node != null && node.remove(s)) {
                topics.remove(p.text(), node);
            }
            return;
        }
        for (;;) {
            BufferedSubscription<T>[] a = wildcards;
            int i = TopicNode.indexOf(a, s);
            if (i < 0) {
                return;
            }
            BufferedSubscription<T>[] b = a.length == 1 ? empty() : TopicNode.without(a, i);
            if (WILDCARDS.compareAndSet(this, a, b)) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ closing

    @Override
    public boolean isClosed() {
        return state != 0;
    }

    @Override
    public void close() {
        if (!StateWord.setOnce(STATE, this, CLOSED)) {
            return;
        }
        for (TopicNode<T> node : topics.values()) {
            for (BufferedSubscription<T> s : node.subscribers()) {
                s.complete();
            }
        }
        for (BufferedSubscription<T> s : wildcards) {
            s.complete();
        }
        // nothing is routed any more; each subscription also leaves by itself on onComplete
        topics.clear();
        wildcards = empty();
    }

    @Override
    public String toString() {
        return "Broker[topics=" + topics.size() + ", wildcard subscriptions=" + wildcards.length + (state != 0 ? ", closed" : "") + "]";
    }

    private static final VarHandle STATE;
    private static final VarHandle WILDCARDS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(BrokerImpl.class, "state", int.class);
            WILDCARDS = l.findVarHandle(BrokerImpl.class, "wildcards", BufferedSubscription[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
