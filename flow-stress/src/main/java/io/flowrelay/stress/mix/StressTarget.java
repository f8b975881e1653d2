package io.flowrelay.stress.mix;

import java.util.SplittableRandom;

/**
 * One kind of FlowRelay object that the random stress mix knows how to drive. A round builds a
 * fresh instance, lets {@code threads} threads run a random mix of operations on it for about
 * {@code nanos}, ends it (close, fail or shutdown), settles everything and checks the invariants
 * in a {@link Ledger}. New primitives (Broadcast, Watch, Oneshot, Broker, AckQueue ...) join the
 * mix with one implementation and one line in {@link StressTargets#all()}.
 */
public interface StressTarget {

    /** A short name for reports, e.g. {@code channel}. */
    String name();

    /** Runs one round; every violation goes to {@code ledger}, counts to {@code stats}. */
    void round(SplittableRandom random, int threads, long nanos, Ledger ledger, Stats stats);
}
