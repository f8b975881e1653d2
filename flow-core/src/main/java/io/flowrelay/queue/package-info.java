/**
 * At-least-once work queues: an {@link io.flowrelay.queue.AckQueue} hands each job to one of its
 * competing consumers as a {@link io.flowrelay.queue.Delivery} that must be acknowledged; jobs not
 * acknowledged within the visibility timeout are delivered again, and after too many attempts go
 * to a dead-letter publisher. {@link io.flowrelay.queue.IdempotentConsumer} turns the redeliveries
 * into effectively-once processing.
 */
package io.flowrelay.queue;
