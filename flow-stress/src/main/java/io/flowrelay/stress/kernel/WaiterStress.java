package io.flowrelay.stress.kernel;

import io.flowrelay.internal.Waiter;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;
import org.openjdk.jcstress.infra.results.ZZ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link Waiter}: whoever takes a waiter out of its queue decides its fate with one CAS, and its
 * owner may give up (interrupt, timeout, found an item by itself) with another. Exactly one of
 * them wins, and an item is never both handed over and refused. Each actor does exactly what the
 * channel does on that side (BufferedChannel: handOff, pollItem, transferSenders, receive0, send).
 */
public final class WaiterStress {

    static final Object ITEM = "item";

    private WaiterStress() {
    }

    @JCStressTest
    @Description("Rendezvous hand-off to a parked receiver races the receiver leaving: the item is handed over exactly when the sender says so.")
    @Outcome(id = "true, true", expect = ACCEPTABLE, desc = "handed over, and the receiver has it")
    @Outcome(id = "false, false", expect = ACCEPTABLE, desc = "the receiver left first; the sender keeps its item")
    @Outcome(id = "true, false", expect = FORBIDDEN, desc = "the sender thinks it handed the item over, the receiver never got it: lost")
    @Outcome(id = "false, true", expect = FORBIDDEN, desc = "the receiver got an item whose sender keeps it: duplicated")
    @State
    public static class HandOffVsReceiverLeaves {
        final Waiter w = Waiter.receiver();

        @Actor
        public void sender(ZZ_Result r) {
            w.item(ITEM); // BufferedChannel.handOff
            if (w.casState(Waiter.WAITING, Waiter.SIGNALLED)) {
                r.r1 = true;
            } else {
                w.item(null);
            }
        }

        @Actor
        public void receiver(ZZ_Result r) {
            boolean signalled = !w.casState(Waiter.WAITING, Waiter.LEFT); // BufferedChannel.receive0
            r.r2 = signalled && w.item() == ITEM;
        }
    }

    @JCStressTest
    @Description("A consumer takes a rendezvous sender's item (WAITING -> DONE) while the sender is interrupted (WAITING -> CANCELLED): exactly one wins.")
    @Outcome(id = "true, false, 3", expect = ACCEPTABLE, desc = "taken: the send completes")
    @Outcome(id = "false, true, 5", expect = ACCEPTABLE, desc = "cancelled: the send throws InterruptedException, the item was not taken")
    @Outcome(expect = FORBIDDEN, desc = "both or neither won")
    @State
    public static class TakeVsCancel {
        final Waiter w = Waiter.sender(ITEM);

        @Actor
        public void consumer(ZZI_Result r) {
            Object item = w.item(); // BufferedChannel.pollItem (rendezvous)
            r.r1 = w.casState(Waiter.WAITING, Waiter.DONE) && item == ITEM;
        }

        @Actor
        public void owner(ZZI_Result r) {
            r.r2 = w.casState(Waiter.WAITING, Waiter.CANCELLED);
        }

        @Arbiter
        public void arbiter(ZZI_Result r) {
            r.r3 = w.state();
        }
    }

    @JCStressTest
    @Description("The sender drain claims a waiting sender (WAITING -> CLAIMED -> DONE) while its owner is interrupted: the owner cancels only if unclaimed, else waits for the settled state.")
    @Outcome(id = "true, false, 3", expect = ACCEPTABLE, desc = "moved into the buffer: the send completes")
    @Outcome(id = "false, true, 5", expect = ACCEPTABLE, desc = "cancelled before the claim; the drain skips it")
    @Outcome(expect = FORBIDDEN, desc = "both or neither won")
    @State
    public static class ClaimVsCancel {
        final Waiter w = Waiter.sender(ITEM);

        @Actor
        public void drain(ZZI_Result r) {
            if (w.casState(Waiter.WAITING, Waiter.CLAIMED)) { // BufferedChannel.transferSenders, offer succeeded
                w.item(null);
                w.setState(Waiter.DONE);
                r.r1 = true;
            }
        }

        @Actor
        public void owner(ZZI_Result r) {
            r.r2 = ownerGivesUp(w);
        }

        @Arbiter
        public void arbiter(ZZI_Result r) {
            r.r3 = w.state();
        }
    }

    @JCStressTest
    @Description("The sender drain claims a sender but finds the buffer full (CLAIMED -> WAITING) while the owner is interrupted: the owner is never stranded and cancels.")
    @Outcome(id = "true, true, 5", expect = ACCEPTABLE, desc = "claimed and given back; the owner then cancelled")
    @Outcome(id = "false, true, 5", expect = ACCEPTABLE, desc = "the owner cancelled before the claim")
    @Outcome(expect = FORBIDDEN, desc = "the owner did not cancel, or the waiter ended in another state")
    @State
    public static class FailedClaimVsCancel {
        final Waiter w = Waiter.sender(ITEM);

        @Actor
        public void drain(ZZI_Result r) {
            if (w.casState(Waiter.WAITING, Waiter.CLAIMED)) { // buffer.offer failed
                w.setState(Waiter.WAITING);
                r.r1 = true;
            }
        }

        @Actor
        public void owner(ZZI_Result r) {
            r.r2 = ownerGivesUp(w);
        }

        @Arbiter
        public void arbiter(ZZI_Result r) {
            r.r3 = w.state();
        }
    }

    @JCStressTest
    @Description("close() fails a waiting sender (WAITING -> FAILED) while a consumer takes it (WAITING -> DONE): exactly one outcome for the send.")
    @Outcome(id = "true, false", expect = ACCEPTABLE, desc = "taken before the close")
    @Outcome(id = "false, true", expect = ACCEPTABLE, desc = "failed by the close; not taken")
    @Outcome(expect = FORBIDDEN, desc = "both (an item delivered and its send failed) or neither")
    @State
    public static class FailVsTake {
        final Waiter w = Waiter.sender(ITEM);

        @Actor
        public void consumer(ZZ_Result r) {
            r.r1 = w.casState(Waiter.WAITING, Waiter.DONE);
        }

        @Actor
        public void closer(ZZ_Result r) {
            r.r2 = w.casState(Waiter.WAITING, Waiter.FAILED); // BufferedChannel.failSenders
        }
    }

    /** The owner's side of BufferedChannel.send after an interrupt: cancel if still waiting, else wait for the settled state. */
    static boolean ownerGivesUp(Waiter w) {
        for (;;) {
            int s = w.state();
            if (s == Waiter.WAITING && w.casState(Waiter.WAITING, Waiter.CANCELLED)) {
                return true;
            }
            s = w.awaitSettled();
            if (s == Waiter.DONE || s == Waiter.FAILED) {
                return false;
            }
        }
    }
}
