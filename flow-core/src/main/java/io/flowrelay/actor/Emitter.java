package io.flowrelay.actor;

/**
 * Where a stage handler puts its outputs. Never blocks: if the output buffer is full, the output
 * is kept in order and the stage takes no new input until there is room again.
 *
 * @param <O> output type
 */
@FunctionalInterface
public interface Emitter<O> {

    /** Emits one output; {@code null} is refused with {@link NullPointerException}. */
    void emit(O item);
}
