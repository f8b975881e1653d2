package io.flowrelay.internal;

/**
 * The base of a class with one long, {@code tail}, that every producer writes and whose other
 * fields every consumer reads all the time (the ring and its geometry): the long sits alone on its
 * own pair of cache lines (padding by inheritance: HotSpot lays out a superclass's fields first).
 * Without it, each claim would cost each consumer's core a miss on the read-only fields, and each
 * consumer's read the producer one on its next claim. {@code Broadcast}'s claim counter.
 */
public abstract class PaddedTail extends PaddedTailPad1 {

    protected PaddedTail() {
    }
}

@SuppressWarnings("unused")
abstract class PaddedTailPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;
}

abstract class PaddedTailField extends PaddedTailPad0 {
    /** Read and written by the subclass, through a VarHandle for anything but plain volatile access. */
    public volatile long tail;
}

@SuppressWarnings("unused")
abstract class PaddedTailPad1 extends PaddedTailField {
    long p10, p11, p12, p13, p14, p15, p16, p17, p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;
}
