/**
 * Channels: multi-producer, multi-consumer queues that are {@link java.util.concurrent.Flow}
 * processors, with blocking, non-blocking and asynchronous sides. Start at
 * {@link io.flowrelay.channel.Channels}.
 */
package io.flowrelay.channel;
