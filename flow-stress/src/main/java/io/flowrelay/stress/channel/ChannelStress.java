package io.flowrelay.stress.channel;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.ChannelClosedException;
import io.flowrelay.channel.Channels;
import io.flowrelay.channel.Overflow;
import io.flowrelay.channel.SendResult;
import io.flowrelay.channel.Sender;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.openjdk.jcstress.infra.results.L_Result;
import org.openjdk.jcstress.infra.results.ZZ_Result;
import org.openjdk.jcstress.infra.results.Z_Result;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The imperative side of a channel under races: trySend/sendAsync vs close vs poll. The
 * invariants: a send reported OK is taken exactly once (by a racing poll, or still queued for a
 * later one); a refused send leaves nothing behind; a closed channel that has been drained is
 * terminated; capacity is exact; producer handles count once each.
 */
public final class ChannelStress {

    private ChannelStress() {
    }

    /** Where the one item of a test went: taken by the racing poll, left for a later poll, nowhere, or twice. */
    static String where(Object racing, Object later, Object item) {
        if (racing == item && later == item) {
            return "twice";
        }
        return racing == item ? "taken" : later == item ? "left" : racing == null && later == null ? "none" : "other";
    }

    @JCStressTest
    @Description("bounded(2): trySend races close() then poll(). OK means the item is taken exactly once; CLOSED means nothing was enqueued; once drained the channel is terminated.")
    @Outcome(id = "OK, taken, terminated", expect = ACCEPTABLE, desc = "sent, and the racing poll took it")
    @Outcome(id = "OK, left, terminated", expect = ACCEPTABLE, desc = "sent before the close; still queued for a later poll")
    @Outcome(id = "CLOSED, none, terminated", expect = ACCEPTABLE, desc = "refused: the close came first")
    @Outcome(id = "OK, none, .*", expect = FORBIDDEN, desc = "an accepted item was lost")
    @Outcome(id = "CLOSED, (taken|left), .*", expect = FORBIDDEN, desc = "a refused item was delivered")
    @Outcome(expect = FORBIDDEN, desc = "an item twice, or not terminated after the drain")
    @State
    public static class TrySendVsCloseVsPoll {
        static final Integer ITEM = 1;
        final Channel<Integer> ch = Channels.bounded(2);
        volatile SendResult sent;
        volatile Integer polled;

        @Actor
        public void sender() {
            sent = ch.trySend(ITEM);
        }

        @Actor
        public void closerThenConsumer() {
            ch.close();
            polled = ch.poll(); // a closed channel still gives what was sent before the close
        }

        @Arbiter
        public void arbiter(L_Result r) {
            Integer later = ch.poll();
            r.r1 = sent + ", " + where(polled, later, ITEM) + ", " + (ch.isTerminated() ? "terminated" : "open");
        }
    }

    @JCStressTest
    @Description("bounded(2) holding 1: two trySends race for the one free slot; exactly one fits.")
    @Outcome(id = {"OK, FULL", "FULL, OK"}, expect = ACCEPTABLE, desc = "one fits, the other is FULL")
    @Outcome(expect = FORBIDDEN, desc = "capacity exceeded, or a free slot refused")
    @State
    public static class TrySendVsTrySend {
        final Channel<Integer> ch = Channels.bounded(2);

        public TrySendVsTrySend() {
            ch.trySend(0);
        }

        @Actor
        public void sender1(LL_Result r) {
            r.r1 = ch.trySend(1);
        }

        @Actor
        public void sender2(LL_Result r) {
            r.r2 = ch.trySend(2);
        }
    }

    @JCStressTest
    @Description("One item, two polls: exactly one gets it.")
    @Outcome(id = {"true, false", "false, true"}, expect = ACCEPTABLE, desc = "one got it")
    @Outcome(expect = FORBIDDEN, desc = "both or neither got it")
    @State
    public static class PollVsPoll {
        final Channel<Integer> ch = Channels.unbounded();

        public PollVsPoll() {
            ch.trySend(1);
        }

        @Actor
        public void consumer1(ZZ_Result r) {
            r.r1 = ch.poll() != null;
        }

        @Actor
        public void consumer2(ZZ_Result r) {
            r.r2 = ch.poll() != null;
        }
    }

    @JCStressTest
    @Description("bounded(2) full of [1, 2]: sendAsync(3) races a poll() that makes room, then close(). The future completes iff 3 is delivered, exactly once and after 1 and 2; it never stays pending.")
    @Outcome(id = "OK, \\[1, 2, 3\\]", expect = ACCEPTABLE, desc = "the poll made room before the close: 3 was sent")
    @Outcome(id = "CLOSED, \\[1, 2\\]", expect = ACCEPTABLE, desc = "the close failed the waiting send; 3 was not enqueued")
    @Outcome(id = "PENDING, .*", expect = FORBIDDEN, desc = "a pending send survived the close: it would wait forever")
    @Outcome(expect = FORBIDDEN, desc = "the future and the delivered items disagree, or an order/duplicate problem")
    @State
    public static class SendAsyncVsCloseVsPoll {
        final Channel<Integer> ch = Channels.bounded(2);
        volatile CompletionStage<Void> sent;
        volatile Integer polled;

        public SendAsyncVsCloseVsPoll() {
            ch.trySend(1);
            ch.trySend(2);
        }

        @Actor
        public void sender() {
            sent = ch.sendAsync(3);
        }

        @Actor
        public void consumerThenCloser() {
            polled = ch.poll(); // makes room: the waiting send may move in, racing the close
            ch.close();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            List<Integer> items = new ArrayList<>();
            if (polled != null) {
                items.add(polled);
            }
            for (Integer v; (v = ch.poll()) != null; ) {
                items.add(v);
            }
            r.r1 = outcome(sent) + ", " + items;
        }
    }

    @JCStressTest
    @Description("rendezvous: sendAsync(1) races a poll() then close(). The future completes iff the item is taken, exactly once.")
    @Outcome(id = "OK, taken", expect = ACCEPTABLE, desc = "the poll took it from the waiting sender")
    @Outcome(id = "CLOSED, none", expect = ACCEPTABLE, desc = "the close failed the waiting send (or refused it)")
    @Outcome(id = "OK, left", expect = FORBIDDEN, desc = "a waiting sender outlived the close")
    @Outcome(expect = FORBIDDEN, desc = "the future and the delivery disagree")
    @State
    public static class RendezvousSendAsyncVsPollVsClose {
        static final Integer ITEM = 1;
        final Channel<Integer> ch = Channels.rendezvous();
        volatile CompletionStage<Void> sent;
        volatile Integer polled;

        @Actor
        public void sender() {
            sent = ch.sendAsync(ITEM);
        }

        @Actor
        public void consumerThenCloser() {
            polled = ch.poll();
            ch.close();
        }

        @Arbiter
        public void arbiter(L_Result r) {
            r.r1 = outcome(sent) + ", " + where(polled, ch.poll(), ITEM);
        }
    }

    @JCStressTest
    @Description("bounded(2, DROP_OLDEST) full of [1, 2]: two trySends race. Both are OK, and every item is either kept or handed to onDrop, exactly once.")
    @Outcome(id = "OK, OK, each once, kept 2", expect = ACCEPTABLE, desc = "the newest two kept, the rest dropped to onDrop")
    @Outcome(expect = FORBIDDEN, desc = "an item lost or duplicated between buffer and onDrop, or the buffer not full")
    @State
    public static class DropOldestVsDropOldest {
        final ConcurrentLinkedQueue<Integer> dropped = new ConcurrentLinkedQueue<>();
        final Channel<Integer> ch = Channels.bounded(2, Overflow.DROP_OLDEST, dropped::add);

        public DropOldestVsDropOldest() {
            ch.trySend(1);
            ch.trySend(2);
        }

        @Actor
        public void sender1(LL_Result r) {
            r.r1 = ch.trySend(3);
        }

        @Actor
        public void sender2(LL_Result r) {
            r.r2 = ch.trySend(4);
        }

        @Arbiter
        public void arbiter(LL_Result r) {
            List<Integer> kept = new ArrayList<>();
            for (Integer v; (v = ch.poll()) != null; ) {
                kept.add(v);
            }
            List<Integer> all = new ArrayList<>(kept);
            all.addAll(dropped);
            Collections.sort(all);
            String each = all.equals(List.of(1, 2, 3, 4)) ? "each once" : "lost or duplicated " + all;
            r.r2 = r.r2 + ", " + each + ", kept " + kept.size();
        }
    }

    @JCStressTest
    @Description("close() races fail(e): exactly one terminates the channel, and error() says which.")
    @Outcome(id = "true, true", expect = ACCEPTABLE, desc = "fail won: error() is e")
    @Outcome(id = "false, false", expect = ACCEPTABLE, desc = "close won: error() is null")
    @Outcome(expect = FORBIDDEN, desc = "fail reported a win that error() does not show, or the reverse")
    @State
    public static class CloseVsFail {
        final Channel<Integer> ch = Channels.bounded(2);
        final Throwable e = new IllegalStateException("boom");

        @Actor
        public void closer() {
            ch.close();
        }

        @Actor
        public void failer(ZZ_Result r) {
            r.r1 = ch.fail(e);
        }

        @Arbiter
        public void arbiter(ZZ_Result r) {
            r.r2 = ch.isClosed() && ch.error() == e;
        }
    }

    @JCStressTest
    @Description("Two producer handles close at once: the channel closes (the last handle out closes it).")
    @Outcome(id = "true", expect = ACCEPTABLE, desc = "closed")
    @Outcome(id = "false", expect = FORBIDDEN, desc = "both handles are closed and the channel is still open: consumers wait forever")
    @State
    public static class HandleCloseVsHandleClose {
        final Channel<Integer> ch = Channels.unbounded();
        final Sender<Integer> h1 = ch.producer();
        final Sender<Integer> h2 = ch.producer();

        @Actor
        public void close1() {
            h1.close();
        }

        @Actor
        public void close2() {
            h2.close();
        }

        @Arbiter
        public void arbiter(Z_Result r) {
            r.r1 = ch.isClosed();
        }
    }

    @JCStressTest
    @Description("One handle closed twice at once while another stays open: the handle counts once, the channel stays open.")
    @Outcome(id = "false", expect = ACCEPTABLE, desc = "still open: the other handle may send")
    @Outcome(id = "true", expect = FORBIDDEN, desc = "a double close released two counts")
    @State
    public static class SameHandleClosedTwice {
        final Channel<Integer> ch = Channels.unbounded();
        final Sender<Integer> h1 = ch.producer();
        final Sender<Integer> h2 = ch.producer();

        @Actor
        public void close1() {
            h1.close();
        }

        @Actor
        public void close2() {
            h1.close();
        }

        @Arbiter
        public void arbiter(Z_Result r) {
            r.r1 = ch.isClosed();
        }
    }

    /** OK, CLOSED (failed with ChannelClosedException), PENDING, or the failure's type. */
    static String outcome(CompletionStage<Void> stage) {
        CompletableFuture<Void> f = stage.toCompletableFuture();
        if (!f.isDone()) {
            return "PENDING";
        }
        if (!f.isCompletedExceptionally()) {
            return "OK";
        }
        try {
            f.join();
            return "?";
        } catch (Exception e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            return c instanceof ChannelClosedException ? "CLOSED" : c.getClass().getSimpleName();
        }
    }
}
