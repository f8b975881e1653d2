package io.flowrelay.internal;

import java.util.concurrent.Flow;

/**
 * A subscriber of a channel that wants to know where the channel's delivery loop ends each batch
 * of {@code onNext} calls: {@link #batchDelivered()} follows the batch on the same thread, before
 * the loop looks at its demand again, spins or leaves. An actor stage's link to the next stage
 * uses it to run that stage's turns inline for the length of a batch (ADR 0011).
 *
 * @param <T> the item type
 */
public interface BatchSubscriber<T> extends Flow.Subscriber<T> {

    /** The loop delivered a batch (the last {@code onNext} may have thrown); called on its thread. */
    void batchDelivered();
}
