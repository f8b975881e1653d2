package io.flowrelay.actor;

/**
 * The logic of an actor stage: called for each input, one at a time, on the stage's actor; it may
 * keep state in fields and emit any number of outputs.
 *
 * <pre>{@code
 * Flow.Processor<String, Integer> lengths = system.stage("lengths",
 *         () -> (line, out) -> out.emit(line.length()));
 * }</pre>
 *
 * @param <I> input type
 * @param <O> output type
 */
@FunctionalInterface
public interface StageHandler<I, O> {

    /** Handles one input. A throw is handled by the stage's supervision. */
    void onInput(I input, Emitter<O> out) throws Exception;

    /** After the last input of a completed upstream: emit what is left (an aggregate, a flush). */
    default void onComplete(Emitter<O> out) throws Exception {
    }
}
