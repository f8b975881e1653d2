/**
 * Publish-subscribe by topic name: a {@link io.flowrelay.pubsub.Broker} routes each published
 * message to every subscriber of its topic (and of every wildcard pattern that matches it), each
 * subscriber through its own bounded buffer with its own overflow policy. Start at
 * {@link io.flowrelay.pubsub.Broker#create()}.
 */
package io.flowrelay.pubsub;
