package io.flowrelay.stress.kernel;

import io.flowrelay.channel.Channels;
import io.flowrelay.internal.MpscChunkQueue;
import io.flowrelay.internal.MpscRing;
import io.flowrelay.stress.support.Inline;
import io.flowrelay.stress.support.SleepVsSend;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.L_Result;
import org.openjdk.jcstress.infra.results.ZI_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link MpscChunkQueue}, the buffer of unbounded channels and mailboxes, with two-slot chunks so
 * that every other claim links a chunk: the wake-up bit works as in {@link MpscRing} also when the
 * claim is the linking one; producers that race at a chunk's last slot lose and reorder nothing;
 * a chunk the consumer hands back is reused by a producer without resurrecting or losing items.
 */
public final class MpscChunkQueueStress {

    private MpscChunkQueueStress() {
    }

    /** A queue of two-slot chunks that has taken {@code used} items and is empty, its IDLE bit clear. */
    static MpscChunkQueue<Integer> used(int used) {
        MpscChunkQueue<Integer> q = new MpscChunkQueue<>(2, false);
        for (int i = 0; i < used; i++) {
            q.offer(-1);
            q.poll();
        }
        return q;
    }

    @JCStressTest
    @Description("A consumer arms on an empty queue while a producer's offer claims the last slot of a chunk (and links the next): either the consumer sees the claim or the producer is told to wake it.")
    @Outcome(id = "true, 0", expect = ACCEPTABLE, desc = "the consumer saw the claim and does not sleep; no wake-up needed")
    @Outcome(id = "false, 1", expect = ACCEPTABLE, desc = "the consumer armed first; the linking claim reports OK_WAKE, the next one does not")
    @Outcome(expect = FORBIDDEN, desc = "a lost, doubled or invented wake-up")
    @State
    public static class ArmVsLinkingOffer {
        final MpscChunkQueue<Integer> q = used(1); // the next offer claims index 1: a chunk's last slot

        @Actor
        public void consumer(ZI_Result r) {
            r.r1 = q.armIdle();
        }

        @Actor
        public void producer(ZI_Result r) {
            int a = q.offer(1);
            int b = q.offer(2);
            r.r2 = (a == MpscRing.OK_WAKE ? 1 : 0) + (b == MpscRing.OK_WAKE ? 10 : 0);
        }
    }

    @JCStressTest
    @Description("Two producers offer at once where one claim is a chunk's last slot (the linking claim) and the other must wait for the link: both items arrive, each once.")
    @Outcome(id = "12, 2", expect = ACCEPTABLE, desc = "producer 1 claimed first")
    @Outcome(id = "21, 2", expect = ACCEPTABLE, desc = "producer 2 claimed first")
    @Outcome(expect = FORBIDDEN, desc = "an item lost or duplicated")
    @State
    public static class TwoProducersAtTheLink {
        final MpscChunkQueue<Integer> q = used(1);

        @Actor
        public void producer1() {
            q.offer(1);
        }

        @Actor
        public void producer2() {
            q.offer(2);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            int size = q.size();
            Integer x = q.poll();
            Integer y = q.poll();
            Integer z = q.poll();
            r.r1 = (x == null ? 0 : x) * 10 + (y == null ? 0 : y) + (z == null ? 0 : 100);
            r.r2 = size;
        }
    }

    @JCStressTest
    @Description("The consumer empties a chunk (handing it back as the spare) while the producer fills the next one and links a third, maybe reusing the spare: the consumer takes 1 then 2, and 3, 4, 5 follow in order, none lost, none resurrected.")
    @Outcome(id = "12, 345", expect = ACCEPTABLE, desc = "every item once, in order")
    @Outcome(expect = FORBIDDEN, desc = "an item lost, duplicated, reordered or read from a recycled slot")
    @State
    public static class RecycleVsLink {
        final MpscChunkQueue<Integer> q = used(2); // chunk A used and handed back once already

        public RecycleVsLink() {
            q.offer(1); // slot 0 of the current chunk
            q.offer(2); // slot 1: links the next chunk (the spare)
        }

        @Actor
        public void consumer(II_Result r) {
            Integer x = q.poll();
            Integer y = q.poll(); // the chunk's last item: the chunk becomes the spare
            r.r1 = (x == null ? 0 : x) * 10 + (y == null ? 0 : y);
        }

        @Actor
        public void producer() {
            q.offer(3);
            q.offer(4); // links a chunk: the one the consumer hands back, or a new one
            q.offer(5);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            int v = 0;
            Integer e;
            while ((e = q.poll()) != null) {
                v = v * 10 + e;
            }
            r.r2 = v;
        }
    }

    @JCStressTest
    @Description("An unbounded channel's lone subscriber goes to sleep (its loop arms the queue) while its demand arrives and an item is sent: the item is delivered, never left in the channel with a subscriber that has demand and sleeps.")
    @Outcome(id = SleepVsSend.DELIVERED, expect = ACCEPTABLE, desc = "delivered")
    @Outcome(id = SleepVsSend.STRANDED, expect = FORBIDDEN, desc = "lost wake-up: the item waits while the subscriber has demand")
    @Outcome(expect = FORBIDDEN, desc = "a rule broken or an item lost")
    @State
    public static class LoneSubscriberSleepsVsSend {
        final SleepVsSend race = new SleepVsSend(Channels.<Integer>builder().unbounded().executor(Inline.EXECUTOR).batch(16).build());

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
     * written it waits for it (awaitReady) and takes it. Racing one offer that claims a chunk's
     * last slot (and links the next): the item is
     * taken at once, or after the arming found it, or the consumer sleeps and the offer is told
     * to wake it; never lost.
     */
    @JCStressTest
    @Description("pollReady, then arm and awaitReady, vs an offer that claims a chunk's last slot (and links the next): taken, or a wake-up")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "pollReady took the item")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "arming found the claim; awaitReady, then pollReady took it")
    @Outcome(id = "3, 1", expect = ACCEPTABLE, desc = "armed first: the offer reports OK_WAKE")
    @Outcome(expect = FORBIDDEN, desc = "a lost item or a lost wake-up")
    @State
    public static class PollReadyVsLinkingOffer {
        final MpscChunkQueue<Integer> q = used(1);

        @Actor
        public void consumer(II_Result r) {
            r.r1 = MpscRingStress.takeReadyOrArm(q::pollReady, q::armIdle, q::awaitReady);
        }

        @Actor
        public void producer(II_Result r) {
            r.r2 = q.offer(1) == MpscRing.OK_WAKE ? 1 : 0;
        }
    }
}
