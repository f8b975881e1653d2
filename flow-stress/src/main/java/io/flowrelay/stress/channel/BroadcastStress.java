package io.flowrelay.stress.channel;

import io.flowrelay.channel.Broadcast;
import io.flowrelay.channel.Channels;
import io.flowrelay.channel.SendResult;
import io.flowrelay.stress.support.Inline;
import io.flowrelay.stress.support.SignalLog;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link Broadcast}: a caught-up subscriber's loop goes to sleep by setting the SLEEPING bit in
 * the broadcast's tail (no fence or subscriber scan per publication); the publisher whose claim
 * clears the bit wakes the sleepers. No publication is left undelivered to a subscriber with
 * demand, and completion reaches every subscriber.
 */
public final class BroadcastStress {

    private BroadcastStress() {
    }

    static Broadcast<Integer> inline() {
        return Channels.<Integer>broadcastBuilder().capacity(4).executor(Inline.EXECUTOR).batch(16).build();
    }

    @JCStressTest
    @Description("Two subscribers; one gets its demand (its loop runs, catches up and sleeps) while an item is published: both get the item, nobody is left asleep with demand.")
    @Outcome(id = "OK, a=1, b=1, bad=0", expect = ACCEPTABLE, desc = "delivered to both")
    @Outcome(expect = FORBIDDEN, desc = "a lost wake-up, or a rule broken")
    @State
    public static class SubscriberSleepsVsPublish {
        final Broadcast<Integer> b = inline();
        final SignalLog<Integer> late = SignalLog.requesting(0);
        final SignalLog<Integer> early = SignalLog.unbounded();
        volatile SendResult sent;

        public SubscriberSleepsVsPublish() {
            b.subscribe(early);
            b.subscribe(late);
        }

        @Actor
        public void demand() {
            late.request(1); // runs late's loop here: it finds nothing, sets SLEEPING and leaves
        }

        @Actor
        public void publisher() {
            sent = b.trySend(1);
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = sent + ", a=" + early.nexts() + ", b=" + late.nexts() + ", bad=" + (early.violations() + late.violations());
        }
    }

    @JCStressTest
    @Description("A subscriber caught up and asleep; a publish races close(): it gets the item if the publish was accepted, then exactly one onComplete.")
    @Outcome(id = "OK, next=1, complete=1, bad=0", expect = ACCEPTABLE, desc = "published, delivered, completed")
    @Outcome(id = "CLOSED, next=0, complete=1, bad=0", expect = ACCEPTABLE, desc = "closed first")
    @Outcome(expect = FORBIDDEN, desc = "an accepted item not delivered, completion missing or twice")
    @State
    public static class SleepingSubscriberPublishVsClose {
        final Broadcast<Integer> b = inline();
        final SignalLog<Integer> log = SignalLog.unbounded();
        volatile SendResult sent;

        public SleepingSubscriberPublishVsClose() {
            b.subscribe(log); // runs at once (inline), finds nothing, sleeps with SLEEPING set
        }

        @Actor
        public void publisher() {
            sent = b.trySend(1);
        }

        @Actor
        public void closer() {
            b.close();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = sent + ", next=" + log.nexts() + ", complete=" + log.completes() + ", bad=" + log.violations();
        }
    }
}
