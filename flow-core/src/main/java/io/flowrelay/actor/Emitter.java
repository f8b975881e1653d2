package io.flowrelay.actor;

/**
 * Where a stage handler puts its outputs. Never blocks: if the output buffer is full, the output
 * is kept in order and the stage takes no new input until there is room again.
 *
 * <p>Usually called by the handler during {@code onInput} or {@code onComplete}; outputs emitted
 * there are handed to an idle downstream directly when they can be. It may also be kept and
 * called from other threads (a callback): such outputs go through the output buffer, in the
 * order each thread emitted them, never concurrently with the stage's own. Once the stage has
 * ended, an output goes to dead letters.
 *
 * @param <O> output type
 */
@FunctionalInterface
public interface Emitter<O> {

    /** Emits one output; {@code null} is refused with {@link NullPointerException}. */
    void emit(O item);
}
