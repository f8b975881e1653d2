/**
 * FlowRelay core: channels, actors, pub-sub and at-least-once queues, and the lock-free Flow kernel they stand on.
 */
module io.flowrelay.core {
    requires org.jctools.core;

    exports io.flowrelay.channel;
    exports io.flowrelay.actor;
    exports io.flowrelay.pubsub;
    exports io.flowrelay.queue;
}
