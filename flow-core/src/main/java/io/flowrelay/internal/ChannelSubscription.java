package io.flowrelay.internal;

import java.util.concurrent.Flow;

/**
 * One subscriber of a channel: the kernel's delivery loop, fed by the channel's shared queues, so
 * that subscribers compete for items. It reads them as a consumer that has caught up should
 * (ADR 0008 addendum): its turn takes what is ready without reading the producers' word, and only
 * its look before leaving is definitive.
 *
 * @param <T> the item type
 */
sealed class ChannelSubscription<T> extends DeliveryLoop<T> permits StartQueue.Turns {

    private final BufferedChannel<T> channel;

    ChannelSubscription(BufferedChannel<T> channel, Flow.Subscriber<? super T> subscriber) {
        super(subscriber, channel.executor, channel.batch);
        this.channel = channel;
    }

    @Override
    protected T pollNext() {
        return channel.pollItemReady();
    }

    @Override
    protected boolean hasMore() {
        return channel.hasItemReady();
    }

    @Override
    protected boolean hasMoreBeforeLeaving() {
        return channel.hasItemReadyOrArm();
    }

    @Override
    protected boolean isExhausted() {
        return channel.isExhausted();
    }

    @Override
    protected Throwable terminalError() {
        return channel.error();
    }

    @Override
    protected boolean spinsWhenIdle() {
        return !channel.hasInlineProducer();
    }

    @Override
    protected void onDelivered(long n) {
        channel.consumed(n);
    }

    @Override
    protected void onFinished() {
        channel.subscriptionLeft(this);
    }
}
