package io.flowrelay.stress.kernel;

import io.flowrelay.internal.StateWord;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;
import org.openjdk.jcstress.infra.results.ZZI_Result;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link StateWord}: the terminal-state word. Bits are only ever set; a terminal transition is won
 * by exactly one caller, which is what makes a terminal signal happen exactly once.
 */
public final class StateWordStress {

    static final int CLOSED = 1;
    static final int FAILED = 2;
    static final int CANCELLED = 4;

    private StateWordStress() {
    }

    /** A state word, as every channel and subscription holds one. */
    public static class Word {
        volatile int state;

        static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Word.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    @JCStressTest
    @Description("Two setOnce of the same bit: exactly one is first.")
    @Outcome(id = "true, false, 4", expect = ACCEPTABLE, desc = "the first caller won")
    @Outcome(id = "false, true, 4", expect = ACCEPTABLE, desc = "the second caller won")
    @Outcome(expect = FORBIDDEN, desc = "both or neither won: a terminal signal would be sent twice or never")
    @State
    public static class SetOnceVsSetOnce extends Word {
        @Actor
        public void first(ZZI_Result r) {
            r.r1 = StateWord.setOnce(STATE, this, CANCELLED);
        }

        @Actor
        public void second(ZZI_Result r) {
            r.r2 = StateWord.setOnce(STATE, this, CANCELLED);
        }

        @Arbiter
        public void arbiter(ZZI_Result r) {
            r.r3 = state;
        }
    }

    @JCStressTest
    @Description("close() and fail() race as a channel does (setUnless CLOSED): exactly one terminates, and the word says which.")
    @Outcome(id = "true, false, 1", expect = ACCEPTABLE, desc = "close won: CLOSED")
    @Outcome(id = "false, true, 3", expect = ACCEPTABLE, desc = "fail won: CLOSED | FAILED")
    @Outcome(expect = FORBIDDEN, desc = "both won, neither won, or the word disagrees with the winner")
    @State
    public static class CloseVsFail extends Word {
        @Actor
        public void close(ZZI_Result r) {
            r.r1 = StateWord.setUnless(STATE, this, CLOSED, CLOSED);
        }

        @Actor
        public void fail(ZZI_Result r) {
            r.r2 = StateWord.setUnless(STATE, this, CLOSED | FAILED, CLOSED);
        }

        @Arbiter
        public void arbiter(ZZI_Result r) {
            r.r3 = state;
        }
    }

    @JCStressTest
    @Description("Different bits set concurrently (set, setOnce, setUnless with an unrelated guard): none is lost.")
    @Outcome(id = "7", expect = ACCEPTABLE, desc = "every bit set")
    @Outcome(expect = FORBIDDEN, desc = "a bit was lost")
    @State
    public static class BitsAreNeverLost extends Word {
        @Actor
        public void closedThenCancelled() {
            StateWord.set(STATE, this, CLOSED);
            StateWord.setUnless(STATE, this, CANCELLED, 8);
        }

        @Actor
        public void failed() {
            StateWord.setOnce(STATE, this, FAILED);
        }

        @Arbiter
        public void arbiter(I_Result r) {
            r.r1 = state;
        }
    }
}
