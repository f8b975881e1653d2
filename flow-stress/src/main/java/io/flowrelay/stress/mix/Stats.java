package io.flowrelay.stress.mix;

import java.util.concurrent.atomic.LongAdder;

/** Counters of a stress run, shared by all rounds and threads. */
public final class Stats {
    public final LongAdder rounds = new LongAdder();
    public final LongAdder operations = new LongAdder();
    public final LongAdder accepted = new LongAdder();
    public final LongAdder refused = new LongAdder();
    public final LongAdder delivered = new LongAdder();
    public final LongAdder dropped = new LongAdder();
    public final LongAdder leftQueued = new LongAdder();
    public final LongAdder deadLettered = new LongAdder();
    public final LongAdder subscribers = new LongAdder();

    @Override
    public String toString() {
        return "rounds=" + rounds.sum() + " ops=" + operations.sum() + " accepted=" + accepted.sum() + " refused="
                + refused.sum() + " delivered=" + delivered.sum() + " dropped=" + dropped.sum() + " leftQueued="
                + leftQueued.sum() + " deadLettered=" + deadLettered.sum() + " subscribers=" + subscribers.sum();
    }
}
