package io.flowrelay.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import io.flowrelay.channel.ChannelClosedException;
import io.flowrelay.channel.SendResult;
import io.flowrelay.channel.Sender;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A counted sending handle of a channel (Rust's {@code Sender}): closing the last one closes the
 * channel. A closed handle refuses sends as a closed channel does.
 *
 * @param <T> the item type
 */
final class ProducerHandle<T> implements Sender<T> {

    /* released: 0 -> 1 once, by close(); the winner releases the channel's count. */
    private final BufferedChannel<T> channel;
    private volatile int released;

    ProducerHandle(BufferedChannel<T> channel) {
        this.channel = channel;
    }

    @Override
    public void send(T item) throws InterruptedException {
        Objects.requireNonNull(item, "item");
        if (released != 0) {
            throw new ChannelClosedException("producer handle closed", null);
        }
        channel.send(item);
    }

    @Override
    public SendResult trySend(T item) {
        Objects.requireNonNull(item, "item");
        return released != 0 ? SendResult.CLOSED : channel.trySend(item);
    }

    @Override
    public CompletionStage<Void> sendAsync(T item) {
        Objects.requireNonNull(item, "item");
        if (released != 0) {
            return CompletableFuture.failedStage(new ChannelClosedException("producer handle closed", null));
        }
        return channel.sendAsync(item);
    }

    @Override
    public boolean isClosed() {
        return released != 0 || channel.isClosed();
    }

    @Override
    public void close() {
        if (RELEASED.compareAndSet(this, 0, 1)) {
            channel.releaseHandle();
        }
    }

    @Override
    public String toString() {
        return "Producer[" + (released != 0 ? "released" : "open") + " of " + channel + "]";
    }

    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(ProducerHandle.class, "released", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
