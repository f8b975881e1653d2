/**
 * FlowRelay core: channels, actors, pub-sub, and the lock-free Flow kernel they stand on.
 */
module io.flowrelay.core {
    requires org.jctools.core;

    exports io.flowrelay.channel;
    exports io.flowrelay.actor;
    exports io.flowrelay.pubsub;
}
