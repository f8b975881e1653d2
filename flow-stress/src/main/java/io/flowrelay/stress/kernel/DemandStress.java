package io.flowrelay.stress.kernel;

import io.flowrelay.internal.Demand;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;
import org.openjdk.jcstress.infra.results.J_Result;
import org.openjdk.jcstress.infra.results.ZZJ_Result;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link Demand}: the one place where demand arithmetic lives. Every race between request (add),
 * delivery (produced), cancel and a bad request keeps the books: nothing added is lost, the floor
 * is zero, unbounded stays unbounded (RS 3.17), and an ended subscription (a cancel, or the mark
 * of a non-positive request, RS 3.9) stays ended, the first of the two deciding which (RS 3.6, 3.7).
 */
public final class DemandStress {

    static final long MAX = Long.MAX_VALUE;
    static final long CANCELLED = Demand.CANCELLED;

    private DemandStress() {
    }

    /** A demand field, as every subscription holds one. */
    public static class Field {
        volatile long requested;

        Field(long initial) {
            requested = initial;
        }

        long demandAdd(long n) {
            return Demand.add(REQUESTED, this, n);
        }

        long demandProduced(long n) {
            return Demand.produced(REQUESTED, this, n);
        }

        boolean demandCancel() {
            return Demand.cancel(REQUESTED, this);
        }

        boolean demandBadRequest(long n) {
            return Demand.endWithBadRequest(REQUESTED, this, n);
        }

        static final VarHandle REQUESTED;

        static {
            try {
                REQUESTED = MethodHandles.lookup().findVarHandle(Field.class, "requested", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    @JCStressTest
    @Description("request(2) and request(3) race: both are counted, each sees the other's add or none.")
    @Outcome(id = "0, 2, 5", expect = ACCEPTABLE, desc = "the first add went first")
    @Outcome(id = "3, 0, 5", expect = ACCEPTABLE, desc = "the second add went first")
    @Outcome(expect = FORBIDDEN, desc = "an add was lost or seen twice")
    @State
    public static class AddVsAdd extends Field {
        public AddVsAdd() {
            super(0L);
        }

        @Actor
        public void first(JJJ_Result r) {
            r.r1 = demandAdd(2);
        }

        @Actor
        public void second(JJJ_Result r) {
            r.r2 = demandAdd(3);
        }

        @Arbiter
        public void arbiter(JJJ_Result r) {
            r.r3 = requested;
        }
    }

    @JCStressTest
    @Description("Adds near the cap saturate at Long.MAX_VALUE, never wrap to a negative (cancelled-looking) value: RS 3.17.")
    @Outcome(id = "9223372036854775807", expect = ACCEPTABLE, desc = "capped at Long.MAX_VALUE")
    @Outcome(expect = FORBIDDEN, desc = "overflowed")
    @State
    public static class AddsCapAtMax extends Field {
        public AddsCapAtMax() {
            super(MAX - 2);
        }

        @Actor
        public void small() {
            demandAdd(1);
            demandAdd(3);
        }

        @Actor
        public void huge() {
            demandAdd(MAX);
        }

        @Arbiter
        public void arbiter(J_Result r) {
            r.r1 = requested;
        }
    }

    @JCStressTest
    @Description("Demand 1; request(3) races produced(2): the floor is zero and no add is lost.")
    @Outcome(id = "2", expect = ACCEPTABLE, desc = "the add went first: 1 + 3 - 2")
    @Outcome(id = "3", expect = ACCEPTABLE, desc = "produced went first and floored at 0, then + 3")
    @Outcome(expect = FORBIDDEN, desc = "an update was lost, or demand went negative")
    @State
    public static class AddVsProduced extends Field {
        public AddVsProduced() {
            super(1L);
        }

        @Actor
        public void request() {
            demandAdd(3);
        }

        @Actor
        public void deliver() {
            demandProduced(2);
        }

        @Arbiter
        public void arbiter(J_Result r) {
            r.r1 = requested;
        }
    }

    @JCStressTest
    @Description("Cancel races request(3): cancel wins for good (RS 3.6); the add either came before it or saw CANCELLED.")
    @Outcome(id = "1, 5, -9223372036854775808", expect = ACCEPTABLE, desc = "the add came first, cancel overrode it")
    @Outcome(id = "1, -9223372036854775808, -9223372036854775808", expect = ACCEPTABLE, desc = "cancel first; the add saw it and did nothing")
    @Outcome(expect = FORBIDDEN, desc = "an add resurrected a cancelled subscription, or the cancel did not count")
    @State
    public static class CancelVsAdd extends Field {
        public CancelVsAdd() {
            super(5L);
        }

        @Actor
        public void cancel(JJJ_Result r) {
            r.r1 = demandCancel() ? 1L : 0L;
        }

        @Actor
        public void request(JJJ_Result r) {
            r.r2 = demandAdd(3);
        }

        @Arbiter
        public void arbiter(JJJ_Result r) {
            r.r3 = requested;
        }
    }

    @JCStressTest
    @Description("Cancel races produced(5): delivery never overwrites a cancellation with 0.")
    @Outcome(id = "-9223372036854775808", expect = ACCEPTABLE, desc = "still cancelled")
    @Outcome(expect = FORBIDDEN, desc = "produced() un-cancelled the subscription")
    @State
    public static class CancelVsProduced extends Field {
        public CancelVsProduced() {
            super(5L);
        }

        @Actor
        public void cancel() {
            demandCancel();
        }

        @Actor
        public void deliver() {
            demandProduced(5);
        }

        @Arbiter
        public void arbiter(J_Result r) {
            r.r1 = requested;
        }
    }

    @JCStressTest
    @Description("Two cancels (RS 3.5, 3.7): exactly one reports that it cancelled.")
    @Outcome(id = "true, false, -9223372036854775808", expect = ACCEPTABLE, desc = "the first cancel won")
    @Outcome(id = "false, true, -9223372036854775808", expect = ACCEPTABLE, desc = "the second cancel won")
    @Outcome(expect = FORBIDDEN, desc = "both or neither won")
    @State
    public static class CancelVsCancel extends Field {
        public CancelVsCancel() {
            super(7L);
        }

        @Actor
        public void first(ZZJ_Result r) {
            r.r1 = demandCancel();
        }

        @Actor
        public void second(ZZJ_Result r) {
            r.r2 = demandCancel();
        }

        @Arbiter
        public void arbiter(ZZJ_Result r) {
            r.r3 = requested;
        }
    }

    @JCStressTest
    @Description("Demand 3; request(Long.MAX_VALUE) races produced(3): unbounded demand is never decremented again (RS 3.17).")
    @Outcome(id = "9223372036854775807", expect = ACCEPTABLE, desc = "unbounded")
    @Outcome(expect = FORBIDDEN, desc = "unbounded demand was decremented")
    @State
    public static class UnboundedVsProduced extends Field {
        public UnboundedVsProduced() {
            super(3L);
        }

        @Actor
        public void request() {
            demandAdd(MAX);
        }

        @Actor
        public void deliver() {
            demandProduced(3);
        }

        @Arbiter
        public void arbiter(J_Result r) {
            r.r1 = requested;
        }
    }

    @JCStressTest
    @Description("Cancel races request(-3) (RS 3.6, 3.9): exactly one ends the subscription, and the end is the winner's.")
    @Outcome(id = "true, false, -9223372036854775808", expect = ACCEPTABLE, desc = "cancel first: a silent end")
    @Outcome(id = "false, true, -4", expect = ACCEPTABLE, desc = "the bad request first: its mark (n - 1), an error end")
    @Outcome(expect = FORBIDDEN, desc = "both or neither ended it, or the end is not the winner's")
    @State
    public static class CancelVsBadRequest extends Field {
        public CancelVsBadRequest() {
            super(5L);
        }

        @Actor
        public void cancel(ZZJ_Result r) {
            r.r1 = demandCancel();
        }

        @Actor
        public void badRequest(ZZJ_Result r) {
            r.r2 = demandBadRequest(-3L);
        }

        @Arbiter
        public void arbiter(ZZJ_Result r) {
            r.r3 = requested;
        }
    }

    @JCStressTest
    @Description("request(0) races request(3) then produced(2) on demand 5: the end's mark stays; neither revives the subscription.")
    @Outcome(id = "5, 6, -1", expect = ACCEPTABLE, desc = "the add and the delivery came first, then the bad request ended it")
    @Outcome(id = "5, -1, -1", expect = ACCEPTABLE, desc = "the add, the end, then the delivery saw the end")
    @Outcome(id = "-1, -1, -1", expect = ACCEPTABLE, desc = "the bad request first; the add and the delivery saw the end and did nothing")
    @Outcome(expect = FORBIDDEN, desc = "an add or a delivery overwrote the end")
    @State
    public static class BadRequestVsAddAndProduced extends Field {
        public BadRequestVsAddAndProduced() {
            super(5L);
        }

        @Actor
        public void badRequest() {
            demandBadRequest(0L);
        }

        @Actor
        public void requestThenDeliver(JJJ_Result r) {
            r.r1 = demandAdd(3);
            r.r2 = demandProduced(2);
        }

        @Arbiter
        public void arbiter(JJJ_Result r) {
            r.r3 = requested;
        }
    }
}
