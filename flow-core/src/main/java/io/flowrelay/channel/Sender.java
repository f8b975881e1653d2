package io.flowrelay.channel;

import java.util.concurrent.CompletionStage;

/**
 * The sending side of a channel: a {@link Channel} itself, or a producer handle from
 * {@link Channel#producer()}.
 *
 * <p>All methods are thread-safe; items from one thread are received in the order it sent them.
 * {@code null} items are refused with {@link NullPointerException} (RS 2.13).
 *
 * @param <T> the item type
 */
public interface Sender<T> extends AutoCloseable {

    /**
     * Sends an item, waiting while a bounded channel is full (policy {@link Overflow#BLOCK}) or,
     * for a rendezvous channel, until a receiver takes it. Waits spin briefly, then park.
     *
     * @throws ChannelClosedException if the channel is closed, or closes while this call waits
     * @throws ChannelFullException   if the channel is full and its policy is {@link Overflow#FAIL}
     * @throws InterruptedException   if interrupted while waiting; the item was not sent
     */
    void send(T item) throws InterruptedException;

    /** Sends an item if that is possible without waiting. Never throws for full or closed. */
    SendResult trySend(T item);

    /**
     * Sends an item without blocking any thread: the stage completes when the channel has taken
     * it, or fails with {@link ChannelClosedException} or {@link ChannelFullException}. Stages
     * complete in send order. A stage that completes later does so on the thread that made room
     * (a consumer): use the {@code *Async} methods of {@link CompletionStage} to move work off it.
     */
    CompletionStage<Void> sendAsync(T item);

    /** {@code true} if items can no longer be sent through this sender. */
    boolean isClosed();

    /**
     * For a channel: closes it for sending; items already sent are still delivered, then
     * consumers see completion. For a producer handle: releases the handle; the channel closes
     * when its last handle is released. Idempotent.
     */
    @Override
    void close();
}
