package io.flowrelay.test;

import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A call running on its own thread, whose outcome (value or exception) the test collects later.
 *
 * <pre>{@code
 * Forked<Void> sender = Forked.start("sender", () -> { channel.send(1); return null; });
 * Await.parkedInChannel(sender.thread());
 * channel.close();
 * assertInstanceOf(ChannelClosedException.class, sender.failure());
 * }</pre>
 *
 * @param <V> the call's result type
 */
public final class Forked<V> {

    /** A call that may throw anything. */
    @FunctionalInterface
    public interface Call<V> {
        V call() throws Exception;
    }

    private final Thread thread;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile V value;
    private volatile Throwable failure;

    private Forked(String name, Call<V> call) {
        this.thread = new Thread(() -> {
            try {
                value = call.call();
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.countDown();
            }
        }, name);
        this.thread.setDaemon(true);
    }

    /** Starts {@code call} on a new daemon thread named {@code name}. */
    public static <V> Forked<V> start(String name, Call<V> call) {
        Forked<V> f = new Forked<>(name, call);
        f.thread.start();
        return f;
    }

    public Thread thread() {
        return thread;
    }

    /** {@code true} once the call returned or threw. */
    public boolean isDone() {
        return done.getCount() == 0L;
    }

    /** Waits for the call and returns its value; fails the test if it threw. */
    public V join() {
        Await.latch(done, thread.getName() + " to finish");
        Throwable t = failure;
        if (t != null) {
            throw new AssertionError(thread.getName() + " failed: " + t, t);
        }
        return value;
    }

    /** Waits for the call and returns what it threw; fails the test if it returned normally. */
    public Throwable failure() {
        Await.latch(done, thread.getName() + " to finish");
        assertNull(value, () -> thread.getName() + " returned " + value + " instead of throwing");
        Throwable t = failure;
        assertNotNull(t, () -> thread.getName() + " returned normally instead of throwing");
        return t;
    }
}
