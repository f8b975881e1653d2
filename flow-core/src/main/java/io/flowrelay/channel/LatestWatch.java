package io.flowrelay.channel;

import io.flowrelay.internal.DeliveryLoop;
import io.flowrelay.internal.LoopArray;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * {@link Watch} as one immutable, versioned cell swapped by CAS; each subscriber is a kernel
 * {@link DeliveryLoop} that remembers the last version it delivered.
 *
 * @param <T> the value type
 */
final class LatestWatch<T> implements Watch<T> {

    /*
     * Implementation notes
     *
     * cell        — the whole state in one reference: value, version, and (once terminal) the
     *               CLOSED mark and the error. Replaced by CAS only: set() puts a new version
     *               unless the cell is terminal, close()/fail() put a terminal copy of the
     *               current value. A CAS orders "value visible" before the waker reads wip.
     * subscribers — copy-on-write (LoopArray): added by subscribe(), removed by a finished loop.
     * WatchSubscription.seen — the version last delivered; only its loop reads and writes it.
     *
     * No lost wake-up: set() CASes the cell (volatile write) then reads each loop's wip
     * (wakeIfIdle, volatile read); a loop leaves with a getAndAdd on wip, then re-reads the cell
     * (hasMore). close() CASes the terminal cell, then schedules every loop (RS 1.4).
     */

    private final Executor executor;
    private final int batch;

    private volatile Cell<T> cell;
    private volatile Object subscribers; // a LoopArray set: null, one loop or an array

    LatestWatch(T initial, Executor executor, int batch) {
        this.executor = Objects.requireNonNull(executor, "executor");
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        this.batch = batch;
        this.cell = initial == null ? Cell.empty() : new Cell<>(initial, 1L, false, null);
    }

    @Override
    public boolean set(T value) {
        Objects.requireNonNull(value, "value"); // RS 2.13
        for (;;) {
            Cell<T> c = cell;
            if (c.closed) {
                return false;
            }
            if (CELL.compareAndSet(this, c, new Cell<>(value, c.version + 1L, false, null))) {
                LoopArray.wakeAll(subscribers);
                return true;
            }
        }
    }

    @Override
    public T get() {
        return cell.value;
    }

    @Override
    public long version() {
        return cell.version;
    }

    @Override
    public void close() {
        terminate(null);
    }

    @Override
    public boolean fail(Throwable error) {
        Objects.requireNonNull(error, "error");
        return terminate(error);
    }

    private boolean terminate(Throwable error) {
        for (;;) {
            Cell<T> c = cell;
            if (c.closed) {
                return false;
            }
            if (CELL.compareAndSet(this, c, new Cell<>(c.value, c.version, true, error))) {
                LoopArray.scheduleAll(subscribers);
                return true;
            }
        }
    }

    @Override
    public boolean isClosed() {
        return cell.closed;
    }

    @Override
    public Throwable error() {
        return cell.error;
    }

    @Override
    public int subscriberCount() {
        return LoopArray.size(subscribers);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber"); // RS 1.9
        WatchSubscription<T> s = new WatchSubscription<>(this, subscriber);
        LoopArray.add(SUBSCRIBERS, this, s);
        s.start();
    }

    @Override
    public String toString() {
        Cell<T> c = cell;
        return "Watch[version=" + c.version + ", subscribers=" + LoopArray.size(subscribers)
                + (c.error != null ? ", failed" : c.closed ? ", closed" : "") + "]";
    }

    /** One immutable state of the watch. */
    private static final class Cell<T> {
        private static final Cell<?> EMPTY = new Cell<>(null, 0L, false, null);

        final T value;       // null only at version 0
        final long version;
        final boolean closed;
        final Throwable error;

        Cell(T value, long version, boolean closed, Throwable error) {
            this.value = value;
            this.version = version;
            this.closed = closed;
            this.error = error;
        }

        @SuppressWarnings("unchecked")
        static <T> Cell<T> empty() {
            return (Cell<T>) EMPTY;
        }
    }

    /** One subscriber: delivers the newest version it has not delivered yet, when it has demand. */
    static final class WatchSubscription<T> extends DeliveryLoop<T> {
        private final LatestWatch<T> parent;
        private long seen; // loop thread only

        WatchSubscription(LatestWatch<T> parent, Flow.Subscriber<? super T> subscriber) {
            super(subscriber, parent.executor, parent.batch);
            this.parent = parent;
        }

        @Override
        protected T pollNext() {
            Cell<T> c = parent.cell;
            if (c.version > seen) {
                seen = c.version;
                return c.value;
            }
            return null;
        }

        @Override
        protected boolean hasMore() {
            return parent.cell.version > seen;
        }

        @Override
        protected boolean isExhausted() {
            Cell<T> c = parent.cell; // one read: the end mark and the last version together
            return c.closed && c.version == seen;
        }

        @Override
        protected Throwable terminalError() {
            return parent.cell.error;
        }

        @Override
        protected void onFinished() {
            LoopArray.remove(SUBSCRIBERS, parent, this);
        }
    }

    private static final VarHandle CELL;
    private static final VarHandle SUBSCRIBERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CELL = l.findVarHandle(LatestWatch.class, "cell", Cell.class);
            SUBSCRIBERS = l.findVarHandle(LatestWatch.class, "subscribers", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
