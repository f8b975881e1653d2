package io.flowrelay.pubsub;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The exact subscribers of one topic name (a copy-on-write array), and a cache of the wildcard
 * subscriptions that match the name. Lives in the broker's map while it has subscribers.
 *
 * @param <T> the message type
 */
final class TopicNode<T> {

    /*
     * Implementation notes
     *
     * subscribers — CAS of a new array by add()/remove() (subscribing and leaving threads); read
     *               by publishers. Once the last subscriber leaves it becomes DEAD for good and
     *               the node leaves the map: an add() that finds DEAD makes the caller retry with
     *               a fresh node, so no subscriber is ever added to a node the map has dropped.
     * matches     — written by publishers (benign race: each write is a consistent pair of the
     *               wildcard array it was computed from and the result), read by publishers.
     */

    @SuppressWarnings("rawtypes")
    static final BufferedSubscription[] EMPTY = new BufferedSubscription[0];
    @SuppressWarnings("rawtypes")
    private static final BufferedSubscription[] DEAD = new BufferedSubscription[0];

    /** Which of the broker's wildcard subscriptions (the array {@code source}) match this name. */
    record Matches<T>(BufferedSubscription<T>[] source, BufferedSubscription<T>[] matching) {
    }

    final String name;
    private volatile BufferedSubscription<T>[] subscribers;
    volatile Matches<T> matches;

    @SuppressWarnings("unchecked")
    TopicNode(String name) {
        this.name = name;
        this.subscribers = EMPTY;
    }

    /** The exact subscribers now (empty once dead). */
    BufferedSubscription<T>[] subscribers() {
        return subscribers;
    }

    /** Adds {@code s}; {@code false} if this node is dead (the caller retries with a fresh one). */
    boolean add(BufferedSubscription<T> s) {
        for (;;) {
            BufferedSubscription<T>[] a = subscribers;
            if (a == DEAD) {
                return false;
            }
            BufferedSubscription<T>[] b = Arrays.copyOf(a, a.length + 1);
            b[a.length] = s;
            if (SUBSCRIBERS.compareAndSet(this, a, b)) {
                return true;
            }
        }
    }

    /** Removes {@code s} if present; {@code true} if that left the node empty, and so dead. */
    @SuppressWarnings("unchecked")
    boolean remove(BufferedSubscription<T> s) {
        for (;;) {
            BufferedSubscription<T>[] a = subscribers;
            int i = indexOf(a, s);
            if (i < 0) {
                return false;
            }
            BufferedSubscription<T>[] b = a.length == 1 ? DEAD : without(a, i);
            if (SUBSCRIBERS.compareAndSet(this, a, b)) {
                return b == DEAD;
            }
        }
    }

    static int indexOf(Object[] a, Object s) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == s) {
                return i;
            }
        }
        return -1;
    }

    static <E> E[] without(E[] a, int i) {
        E[] b = Arrays.copyOf(a, a.length - 1);
        System.arraycopy(a, i + 1, b, i, a.length - i - 1);
        return b;
    }

    private static final VarHandle SUBSCRIBERS;

    static {
        try {
            SUBSCRIBERS = MethodHandles.lookup().findVarHandle(TopicNode.class, "subscribers", BufferedSubscription[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
