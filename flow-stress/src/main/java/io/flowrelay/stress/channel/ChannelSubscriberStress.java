package io.flowrelay.stress.channel;

import io.flowrelay.channel.Channel;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A channel as a {@link Flow.Publisher} (competing subscribers, each its own delivery loop on an
 * inline executor) and as a {@link Flow.Subscriber} of an upstream, under races with sends,
 * cancels and close. Every accepted item reaches exactly one subscriber or stays queued, every
 * subscriber gets exactly one terminal signal once the channel is closed and drained, and no
 * subscriber sees a rule broken ({@link SignalLog}).
 */
public final class ChannelSubscriberStress {

    private ChannelSubscriberStress() {
    }

    static Channel<Integer> inline(int capacity) {
        return Channels.<Integer>builder().capacity(capacity).executor(Inline.EXECUTOR).batch(16).build();
    }

    @JCStressTest
    @Description("One subscriber: trySend races close(). OK means delivered then onComplete, or (ADR 0002) still available to poll(); CLOSED means just onComplete.")
    @Outcome(id = "OK, next=1, left=0, complete=1, bad=0", expect = ACCEPTABLE, desc = "sent, delivered, completed")
    @Outcome(id = "CLOSED, next=0, left=0, complete=1, bad=0", expect = ACCEPTABLE, desc = "refused, completed")
    @Outcome(id = "OK, next=0, left=1, complete=1, bad=0", expect = ACCEPTABLE_INTERESTING,
            desc = "ADR 0002: the send passed the CLOSED check, enqueued after the subscriber completed; it stays available to poll()")
    @Outcome(id = "OK, next=0, left=0, .*", expect = FORBIDDEN, desc = "an accepted item was lost")
    @Outcome(expect = FORBIDDEN, desc = "completion missing or twice, or a rule broken")
    @State
    public static class TrySendVsClose {
        final Channel<Integer> ch = inline(4);
        final SignalLog<Integer> log = SignalLog.unbounded();
        volatile SendResult sent;

        public TrySendVsClose() {
            ch.subscribe(log);
        }

        @Actor
        public void sender() {
            sent = ch.trySend(1);
        }

        @Actor
        public void closer() {
            ch.close();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            int left = ch.poll() != null ? 1 : 0;
            r.r1 = sent + ", next=" + log.nexts() + ", left=" + left + ", complete=" + log.completes() + ", bad=" + log.violations();
        }
    }

    @JCStressTest
    @Description("A channel whose producer delivers inline when it can (an actor stage's output, setInlineProducer): its lone subscriber, idle without demand, requests while a send races. The request runs nothing if it finds nothing queued (it asks the ring's IDLE bit to be set instead); the item is delivered either way.")
    @Outcome(id = "OK, next=1, left=0, bad=0", expect = ACCEPTABLE, desc = "sent and delivered")
    @Outcome(id = "OK, next=0, left=1, .*", expect = FORBIDDEN, desc = "lost wake-up: the item waits with demand outstanding")
    @Outcome(expect = FORBIDDEN, desc = "an item lost or a rule broken")
    @State
    public static class InlineProducerRequestVsSend {
        final io.flowrelay.internal.BufferedChannel<Integer> ch =
                new io.flowrelay.internal.BufferedChannel<>(4, io.flowrelay.channel.Overflow.BLOCK, null, Inline.EXECUTOR, 16, 1, false);
        final SignalLog<Integer> log = SignalLog.requesting(0);
        volatile SendResult sent;

        public InlineProducerRequestVsSend() {
            ch.setInlineProducer();
            ch.subscribe(log);
        }

        @Actor
        public void sender() {
            sent = ch.trySend(1);
        }

        @Actor
        public void subscriber() {
            log.request(1);
        }

        @Arbiter
        public void arbiter(L_Result r) {
            int left = ch.size();
            r.r1 = sent + ", next=" + log.nexts() + ", left=" + left + ", bad=" + log.violations();
        }
    }

    @JCStressTest
    @Description("Two competing subscribers, two senders, one of them then closes: each accepted item reaches exactly one subscriber; both complete exactly once.")
    @Outcome(id = "ok=(\\d) accounted=\\1 completes=2 bad=0", expect = ACCEPTABLE,
            desc = "every accepted item delivered once (or, ADR 0002, left for poll() after a send that raced the close), both completed")
    @Outcome(expect = FORBIDDEN, desc = "an item lost or delivered twice, a completion missing, or a rule broken")
    @State
    public static class TwoSubscribersTwoSendsVsClose {
        final Channel<Integer> ch = inline(4);
        final SignalLog<Integer> a = SignalLog.unbounded();
        final SignalLog<Integer> b = SignalLog.unbounded();
        volatile SendResult s1;
        volatile SendResult s2;

        public TwoSubscribersTwoSendsVsClose() {
            ch.subscribe(a);
            ch.subscribe(b);
        }

        @Actor
        public void sender1() {
            s1 = ch.trySend(1);
        }

        @Actor
        public void sender2ThenCloser() {
            s2 = ch.trySend(2);
            ch.close();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            int ok = (s1 == SendResult.OK ? 1 : 0) + (s2 == SendResult.OK ? 1 : 0);
            List<Integer> all = new ArrayList<>(a.items());
            all.addAll(b.items());
            boolean distinct = all.stream().distinct().count() == all.size();
            int left = 0;
            while (ch.poll() != null) {
                left++;
            }
            r.r1 = "ok=" + ok + " accounted=" + (distinct ? all.size() + left : -all.size())
                    + " completes=" + (a.completes() + b.completes()) + " bad=" + (a.violations() | b.violations());
        }
    }

    @JCStressTest
    @Description("Two competing subscribers with demand; one cancels while an item is sent. The item reaches a subscriber (the cancelled one, before its cancel, or the other): it is not left waiting in the channel while a subscriber with demand sits idle.")
    @Outcome(id = "to-cancelled, bad=0", expect = ACCEPTABLE, desc = "delivered before the cancel took effect")
    @Outcome(id = "to-other, bad=0", expect = ACCEPTABLE, desc = "delivered to the other subscriber")
    @Outcome(id = "stranded, bad=0", expect = FORBIDDEN, desc = "lost wake-up: the item waits in the channel while the other subscriber has demand and is idle")
    @Outcome(expect = FORBIDDEN, desc = "an item lost or duplicated, or a rule broken")
    @State
    public static class CancelVsSendWithTwoSubscribers {
        final Channel<Integer> ch = inline(4);
        final SignalLog<Integer> cancelled = SignalLog.unbounded();
        final SignalLog<Integer> other = SignalLog.unbounded();

        public CancelVsSendWithTwoSubscribers() {
            ch.subscribe(cancelled);
            ch.subscribe(other);
        }

        @Actor
        public void canceller() {
            cancelled.cancel();
        }

        @Actor
        public void sender() {
            ch.trySend(1);
        }

        @Arbiter
        public void arbiter(L_Result r) {
            int c = cancelled.nexts();
            int o = other.nexts();
            int left = ch.size();
            String where = c + o + left != 1 ? "c=" + c + " o=" + o + " left=" + left
                    : c == 1 ? "to-cancelled" : o == 1 ? "to-other" : "stranded";
            r.r1 = where + ", bad=" + (cancelled.violations() | other.violations());
        }
    }

    @JCStressTest
    @Description("bounded(2) as a subscriber of an upstream: an upstream onNext races a poll() then close(). The item is taken, still queued, or handed to onDrop (it came after the close: RS 2.8), exactly once; the close cancels the upstream.")
    @Outcome(id = "taken, cancelled", expect = ACCEPTABLE, desc = "taken by the racing poll")
    @Outcome(id = "left, cancelled", expect = ACCEPTABLE, desc = "still queued for a later poll")
    @Outcome(id = "dropped, cancelled", expect = ACCEPTABLE, desc = "arrived after the close: handed to onDrop")
    @Outcome(expect = FORBIDDEN, desc = "the item lost or counted twice, or the upstream not cancelled")
    @State
    public static class UpstreamOnNextVsPollVsClose {
        static final Integer ITEM = 1;
        final ConcurrentLinkedQueue<Integer> dropped = new ConcurrentLinkedQueue<>();
        final Channel<Integer> ch = Channels.<Integer>builder().capacity(2).executor(Inline.EXECUTOR)
                .onDrop(dropped::add).build();
        final Upstream up = new Upstream();
        volatile Integer polled;

        public UpstreamOnNextVsPollVsClose() {
            ch.onSubscribe(up);
        }

        @Actor
        public void upstream() {
            ch.onNext(ITEM);
        }

        @Actor
        public void consumerThenCloser() {
            polled = ch.poll();
            ch.close();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            Integer later = ch.poll();
            int n = (polled == ITEM ? 1 : 0) + (later == ITEM ? 1 : 0) + dropped.size();
            String where = n != 1 ? "count " + n : polled == ITEM ? "taken" : later == ITEM ? "left" : "dropped";
            r.r1 = where + ", " + (up.cancelled.get() == 1 ? "cancelled" : "cancels=" + up.cancelled.get());
        }
    }

    /** An upstream subscription that records requests and cancels. */
    static final class Upstream implements Flow.Subscription {
        final AtomicLong requested = new AtomicLong();
        final AtomicInteger cancelled = new AtomicInteger();

        @Override
        public void request(long n) {
            requested.addAndGet(n);
        }

        @Override
        public void cancel() {
            cancelled.incrementAndGet();
        }
    }
}
