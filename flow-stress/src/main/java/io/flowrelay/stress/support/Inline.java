package io.flowrelay.stress.support;

import java.util.concurrent.Executor;

/**
 * An executor that runs a task on the caller's thread. Under jcstress it makes a delivery loop run
 * on whichever actor thread wins its {@code wip}, so that the loop's hand-off is what races, and
 * everything a test started has happened by the time its arbiter looks.
 */
public final class Inline implements Executor {

    public static final Inline EXECUTOR = new Inline();

    private Inline() {
    }

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    @Override
    public String toString() {
        return "Inline";
    }
}
