package io.flowrelay.stress.kernel;

import io.flowrelay.channel.Channels;
import io.flowrelay.internal.MpscRing;
import io.flowrelay.stress.support.Inline;
import io.flowrelay.stress.support.SleepVsSend;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.L_Result;
import org.openjdk.jcstress.infra.results.ZI_Result;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link MpscRing}, the buffer of bounded channels and mailboxes: a consumer that is about to
 * sleep asks to be woken by setting the IDLE bit in the producer word ({@code armIdle}); the next
 * claim clears it and reports {@code OK_WAKE}. No wake-up is lost or invented, no item is lost or
 * taken twice, also across the wrap of a two-slot ring and with competing (locked) consumers.
 */
public final class MpscRingStress {

    private MpscRingStress() {
    }

    /**
     * An actor's turn loop reading its mailbox, as one step for a jcstress actor: pollReady; if
     * nothing, arm as before sleeping; if arming found a claim, awaitReady and pollReady again.
     *
     * @return 1 taken at once, 2 taken after arming found the claim, 3 armed (asleep), 0 lost
     */
    static int takeReadyOrArm(Supplier<Integer> pollReady, BooleanSupplier armIdle, Runnable awaitReady) {
        if (pollReady.get() != null) {
            return 1;
        }
        if (!armIdle.getAsBoolean()) {
            return 3;
        }
        awaitReady.run();
        return pollReady.get() != null ? 2 : 0;
    }

    /** A two-slot ring that has been used once: its IDLE bit (set in a new ring) is clear. */
    static MpscRing<Integer> usedRing(boolean shared) {
        MpscRing<Integer> ring = new MpscRing<>(2, shared);
        ring.offer(0);
        ring.poll();
        return ring;
    }

    @JCStressTest
    @Description("A consumer arms on an empty ring while a producer offers: either the consumer sees the item (and stays awake) or the producer is told to wake it.")
    @Outcome(id = "true, 1", expect = ACCEPTABLE, desc = "the consumer saw the claim and does not sleep; no wake-up needed")
    @Outcome(id = "false, 2", expect = ACCEPTABLE, desc = "the consumer armed first; the producer's claim reports OK_WAKE")
    @Outcome(id = "false, 1", expect = FORBIDDEN, desc = "lost wake-up: the consumer sleeps and nobody wakes it")
    @Outcome(id = "true, 2", expect = FORBIDDEN, desc = "a wake-up nobody asked for")
    @State
    public static class ArmVsOffer {
        final MpscRing<Integer> ring = usedRing(false);

        @Actor
        public void consumer(ZI_Result r) {
            r.r1 = ring.armIdle();
        }

        @Actor
        public void producer(ZI_Result r) {
            r.r2 = ring.offer(1);
        }
    }

    @JCStressTest
    @Description("A consumer arms while a producer offers two items: the wake-up request is answered by exactly one claim (the first), or the consumer saw an item.")
    @Outcome(id = "1, 0, 2", expect = ACCEPTABLE, desc = "the consumer saw a claim; nobody wakes it")
    @Outcome(id = "0, 1, 2", expect = ACCEPTABLE, desc = "armed before the first claim, which reports OK_WAKE; the second does not")
    @Outcome(expect = FORBIDDEN, desc = "a lost or doubled wake-up, or a lost item")
    @State
    public static class ArmVsTwoOffers {
        final MpscRing<Integer> ring = usedRing(false);

        @Actor
        public void consumer(III_Result r) {
            r.r1 = ring.armIdle() ? 1 : 0;
        }

        @Actor
        public void producer(III_Result r) {
            int a = ring.offer(1);
            int b = ring.offer(2);
            r.r2 = (a == MpscRing.OK_WAKE ? 1 : 0) + (b == MpscRing.OK_WAKE ? 1 : 0);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = ring.size();
        }
    }

    @JCStressTest
    @Description("A full two-slot ring [1, 2]: an offer of 3 races two polls. The polls get 1 then 2; 3 is either refused (FULL) or taken afterwards, never lost, never overwriting 1 or 2.")
    @Outcome(id = "12, 0", expect = ACCEPTABLE, desc = "3 refused: the ring was still full")
    @Outcome(id = "12, 3", expect = ACCEPTABLE, desc = "3 claimed the slot 1 left, after the consumer freed it")
    @Outcome(expect = FORBIDDEN, desc = "an item lost, duplicated or reordered")
    @State
    public static class OfferVsPollAcrossTheWrap {
        final MpscRing<Integer> ring = new MpscRing<>(2, false);
        volatile int offered;

        public OfferVsPollAcrossTheWrap() {
            ring.offer(1);
            ring.offer(2);
        }

        @Actor
        public void producer() {
            offered = ring.offer(3);
        }

        @Actor
        public void consumer(II_Result r) {
            Integer x = ring.poll();
            Integer y = ring.poll();
            r.r1 = (x == null ? 0 : x) * 10 + (y == null ? 0 : y);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            Integer z = ring.poll();
            r.r2 = offered == MpscRing.FULL ? (z == null ? 0 : -1) : (z == null ? -2 : z);
        }
    }

    @JCStressTest
    @Description("Competing consumers on a shared ring (the consumer lock) poll at once: each takes one item, never the same one, and the ring is empty after.")
    @Outcome(id = "1, 2, 0", expect = ACCEPTABLE, desc = "each consumer took one")
    @Outcome(id = "2, 1, 0", expect = ACCEPTABLE, desc = "each consumer took one")
    @Outcome(expect = FORBIDDEN, desc = "an item taken twice, or lost")
    @State
    public static class SharedConsumersPoll {
        final MpscRing<Integer> ring = new MpscRing<>(4, true);

        public SharedConsumersPoll() {
            ring.offer(1);
            ring.offer(2);
        }

        @Actor
        public void consumer1(III_Result r) {
            Integer v = ring.poll();
            r.r1 = v == null ? 0 : v;
        }

        @Actor
        public void consumer2(III_Result r) {
            Integer v = ring.poll();
            r.r2 = v == null ? 0 : v;
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = ring.poll() == null ? 0 : -1;
        }
    }

    @JCStressTest
    @Description("A bounded channel's lone subscriber goes to sleep (its loop arms the ring) while its demand arrives and an item is sent: the item is delivered, never left in the channel with a subscriber that has demand and sleeps.")
    @Outcome(id = SleepVsSend.DELIVERED, expect = ACCEPTABLE, desc = "delivered")
    @Outcome(id = SleepVsSend.STRANDED, expect = FORBIDDEN, desc = "lost wake-up: the item waits while the subscriber has demand")
    @Outcome(expect = FORBIDDEN, desc = "a rule broken or an item lost")
    @State
    public static class LoneSubscriberSleepsVsSend {
        final SleepVsSend race = new SleepVsSend(Channels.<Integer>builder().capacity(4).executor(Inline.EXECUTOR).batch(16).build());

        @Actor
        public void demand() {
            race.demand();
        }

        @Actor
        public void sender() {
            race.send();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = race.outcome();
        }
    }

    /**
     * An actor's turn loop reads its mailbox with pollReady (the next slot only, never the
     * producers' word) and, before it sleeps, arms; when arming finds an item still being
     * written it waits for it (awaitReady) and takes it. Racing one offer: the item is
     * taken at once, or after the arming found it, or the consumer sleeps and the offer is told
     * to wake it; never lost.
     */
    @JCStressTest
    @Description("pollReady, then arm and awaitReady, vs an offer: taken, or a wake-up")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "pollReady took the item")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "arming found the claim; awaitReady, then pollReady took it")
    @Outcome(id = "3, 1", expect = ACCEPTABLE, desc = "armed first: the offer reports OK_WAKE")
    @Outcome(expect = FORBIDDEN, desc = "a lost item or a lost wake-up")
    @State
    public static class PollReadyVsOffer {
        final MpscRing<Integer> q = usedRing(false);

        @Actor
        public void consumer(II_Result r) {
            r.r1 = takeReadyOrArm(q::pollReady, q::armIdle, q::awaitReady);
        }

        @Actor
        public void producer(II_Result r) {
            r.r2 = q.offer(1) == MpscRing.OK_WAKE ? 1 : 0;
        }
    }
}
