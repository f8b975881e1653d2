package io.flowrelay.internal;

import io.flowrelay.test.Race;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemandTest {

    /** An owner of a demand field, as every subscription is. */
    static final class Holder {
        volatile long requested;

        static final VarHandle REQUESTED;

        static {
            try {
                REQUESTED = MethodHandles.lookup().findVarHandle(Holder.class, "requested", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        long add(long n) {
            return Demand.add(REQUESTED, this, n);
        }

        long produced(long n) {
            return Demand.produced(REQUESTED, this, n);
        }

        boolean cancel() {
            return Demand.cancel(REQUESTED, this);
        }

        boolean badRequest(long n) {
            return Demand.endWithBadRequest(REQUESTED, this, n);
        }
    }

    @Test
    void addCapSaturatesAtLongMaxValue() {
        assertEquals(5L, Demand.addCap(2L, 3L));
        assertEquals(Long.MAX_VALUE, Demand.addCap(Long.MAX_VALUE, 1L));
        assertEquals(Long.MAX_VALUE, Demand.addCap(Long.MAX_VALUE - 1L, 1L));
        assertEquals(Long.MAX_VALUE, Demand.addCap(Long.MAX_VALUE / 2 + 1, Long.MAX_VALUE / 2 + 1));
        assertEquals(Long.MAX_VALUE, Demand.addCap(Long.MAX_VALUE, Long.MAX_VALUE));
    }

    @Test
    void addReturnsThePreviousValueAndCapsAtLongMaxValue() {
        Holder h = new Holder();
        assertEquals(0L, h.add(5L));
        assertEquals(5L, h.add(7L));
        assertEquals(12L, h.requested);
        assertEquals(12L, h.add(Long.MAX_VALUE - 5L));
        assertEquals(Long.MAX_VALUE, h.requested, "RS 3.17: capped, not wrapped");
        assertEquals(Long.MAX_VALUE, h.add(Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, h.requested);
    }

    @Test
    void producedFloorsAtZero() {
        Holder h = new Holder();
        h.add(5L);
        assertEquals(2L, h.produced(3L));
        assertEquals(0L, h.produced(10L), "floored, never negative");
        assertEquals(0L, h.requested);
        assertEquals(0L, h.produced(1L));
    }

    @Test
    void producedLeavesUnboundedAndCancelledDemandAlone() {
        Holder h = new Holder();
        h.add(Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, h.produced(1_000L), "unbounded demand is never decremented");
        assertEquals(Long.MAX_VALUE, h.requested);
        h.cancel();
        assertEquals(Demand.CANCELLED, h.produced(1L));
        assertEquals(Demand.CANCELLED, h.requested);
    }

    @Test
    void cancelIsIdempotentAndFinal() {
        Holder h = new Holder();
        h.add(3L);
        assertTrue(h.cancel(), "the first cancel reports that it cancelled");
        assertFalse(h.cancel());
        assertFalse(h.cancel());
        assertEquals(Demand.CANCELLED, h.requested);
        assertEquals(Demand.CANCELLED, h.add(10L), "nothing is added once cancelled");
        assertEquals(Demand.CANCELLED, h.requested);
    }

    @Test
    void badRequestNamesTheRuleAndTheValue() {
        IllegalArgumentException e = Demand.badRequest(-3L);
        assertTrue(e.getMessage().contains("3.9") && e.getMessage().contains("-3"), e.getMessage());
    }

    @Test
    void concurrentAddsAndProducedsKeepTheBalance() {
        Holder h = new Holder();
        Race.race(4, i -> {
            for (int k = 0; k < 100_000; k++) {
                h.add(3L);
                h.produced(2L);
            }
        });
        // produced(2) after an own add(3) never hits the floor, so nothing is lost to it
        assertEquals(400_000L, h.requested);
    }

    @Test
    void exactlyOneOfManyConcurrentCancelsWins() {
        for (int round = 0; round < 200; round++) {
            Holder h = new Holder();
            h.add(1L);
            java.util.concurrent.atomic.AtomicInteger winners = new java.util.concurrent.atomic.AtomicInteger();
            Race.race(4, i -> {
                if (h.cancel()) {
                    winners.incrementAndGet();
                }
                h.add(5L);
            });
            assertEquals(1, winners.get());
            assertEquals(Demand.CANCELLED, h.requested);
        }
    }

    @Test
    void aBadRequestEndsTheDemandWithAMarkThatGivesBackItsValue() {
        for (long n : new long[]{0L, -1L, -3L, -42L, Integer.MIN_VALUE, Long.MIN_VALUE + 3L}) {
            Holder h = new Holder();
            h.add(7L);
            assertTrue(h.badRequest(n));
            long r = h.requested;
            assertTrue(r < 0L && r != Demand.CANCELLED, "ended, and not as a cancel: " + r);
            IllegalArgumentException e = Demand.endError(r);
            assertTrue(e.getMessage().contains("3.9") && e.getMessage().endsWith("got " + n), e.getMessage());
            assertEquals(r, h.add(10L), "nothing is added once ended");
            assertEquals(r, h.produced(1L));
            assertFalse(h.cancel(), "a cancel after the bad request changes nothing (the first decides)");
            assertFalse(h.badRequest(-1L));
            assertEquals(r, h.requested);
        }
    }

    @Test
    void theLowestLongsShareTheLowestMarkWhichReadsBackAsLongMinValue() {
        for (long n : new long[]{Long.MIN_VALUE, Long.MIN_VALUE + 1L, Long.MIN_VALUE + 2L}) {
            Holder h = new Holder();
            assertTrue(h.badRequest(n));
            assertEquals(Long.MIN_VALUE + 1L, h.requested, "above CANCELLED");
            assertTrue(Demand.endError(h.requested).getMessage().endsWith("got " + Long.MIN_VALUE));
        }
    }

    @Test
    void aCancelBeforeABadRequestKeepsTheEndSilent() {
        Holder h = new Holder();
        h.add(Long.MAX_VALUE);
        assertTrue(h.cancel());
        assertFalse(h.badRequest(0L), "RS 3.6: a request after the cancel is a no-op");
        assertEquals(Demand.CANCELLED, h.requested);
        assertEquals(null, Demand.endError(h.requested));
    }

    @Test
    void onlyEndedValuesHaveAnEndErrorAndOnlyBadRequestsAMark() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Demand.endError(0L));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Demand.endError(5L));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Holder().badRequest(1L));
    }

    @Test
    void exactlyOneOfRacingCancelsAndBadRequestsEndsTheDemand() {
        for (int round = 0; round < 300; round++) {
            Holder h = new Holder();
            h.add(1L);
            java.util.concurrent.atomic.AtomicInteger winners = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger badWon = new java.util.concurrent.atomic.AtomicInteger();
            Race.race(4, i -> {
                boolean won = (i & 1) == 0 ? h.cancel() : h.badRequest(-i);
                if (won) {
                    winners.incrementAndGet();
                    if ((i & 1) != 0) {
                        badWon.set(i);
                    }
                }
                h.add(5L);
            });
            assertEquals(1, winners.get());
            long r = h.requested;
            if (badWon.get() != 0) {
                assertTrue(Demand.endError(r).getMessage().endsWith("got " + -badWon.get()));
            } else {
                assertEquals(Demand.CANCELLED, r);
            }
        }
    }
}
