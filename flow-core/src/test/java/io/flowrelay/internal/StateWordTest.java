package io.flowrelay.internal;

import io.flowrelay.test.Race;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateWordTest {

    static final int CLOSED = 1;
    static final int FAILED = 2;
    static final int DONE = 4;

    static final class Owner {
        volatile int state;
        static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Owner.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    @Test
    void bitsAreOnlyEverSet() {
        Owner o = new Owner();
        assertEquals(0, StateWord.set(Owner.STATE, o, CLOSED));
        assertEquals(CLOSED, StateWord.set(Owner.STATE, o, DONE));
        assertEquals(CLOSED | DONE, o.state);
        assertTrue(StateWord.has(o.state, CLOSED | DONE));
        assertFalse(StateWord.has(o.state, CLOSED | FAILED));
    }

    @Test
    void setOnceReportsTheFirstSetter() {
        Owner o = new Owner();
        assertTrue(StateWord.setOnce(Owner.STATE, o, DONE));
        assertFalse(StateWord.setOnce(Owner.STATE, o, DONE));
        assertTrue(StateWord.setOnce(Owner.STATE, o, CLOSED), "another bit is independent");
    }

    @Test
    void setUnlessRefusesOnceABlockingBitIsSet() {
        Owner o = new Owner();
        assertTrue(StateWord.setUnless(Owner.STATE, o, CLOSED | FAILED, CLOSED));
        assertFalse(StateWord.setUnless(Owner.STATE, o, CLOSED, CLOSED));
        assertEquals(CLOSED | FAILED, o.state);
    }

    @Test
    void exactlyOneConcurrentTerminationWins() {
        for (int round = 0; round < 300; round++) {
            Owner o = new Owner();
            AtomicInteger winners = new AtomicInteger();
            Race.race(3, i -> {
                int bits = i == 0 ? CLOSED | FAILED : CLOSED;
                if (StateWord.setUnless(Owner.STATE, o, bits, CLOSED)) {
                    winners.incrementAndGet();
                }
            });
            assertEquals(1, winners.get());
            assertTrue(StateWord.has(o.state, CLOSED));
        }
    }
}
