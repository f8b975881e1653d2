package io.flowrelay.stress.kernel;

import io.flowrelay.internal.DeliveryLoop;
import io.flowrelay.stress.support.Inline;
import io.flowrelay.stress.support.QueueLoop;
import io.flowrelay.stress.support.SignalLog;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link DeliveryLoop}: the one drain loop. Its loop runs on an inline executor, so it runs on
 * whichever actor thread takes {@code wip} from 0, and has finished by the time the arbiter looks:
 * an item left undelivered with demand outstanding is a lost wake-up. Every outcome also carries
 * the subscriber's rule violations (RS 1.1, 1.3, 1.7, 1.9: {@link SignalLog}), which must be 0.
 */
public final class DeliveryLoopStress {

    private DeliveryLoopStress() {
    }

    @JCStressTest
    @Description("Two producers publish and wake an idle loop at once: both items are delivered (no lost wake-up), never concurrently (RS 1.3).")
    @Outcome(id = "2, 0, 0", expect = ACCEPTABLE, desc = "both delivered, one at a time")
    @Outcome(id = "1, .*", expect = FORBIDDEN, desc = "lost wake-up: an item stayed behind with demand outstanding")
    @Outcome(expect = FORBIDDEN, desc = "overlapping or extra signals")
    @State
    public static class EmitVsEmit {
        final SignalLog<Integer> log = SignalLog.unbounded();
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16);

        public EmitVsEmit() {
            loop.start();
        }

        @Actor
        public void producer1() {
            loop.emit(1);
        }

        @Actor
        public void producer2() {
            loop.emit(2);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = log.nexts();
            r.r2 = loop.left();
            r.r3 = log.violations();
        }
    }

    @JCStressTest
    @Description("request(1) races a producer's emit into an idle loop without demand: the item is delivered.")
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "delivered")
    @Outcome(id = "0, 1, 0", expect = FORBIDDEN, desc = "lost wake-up: demand and item both there, nobody delivered")
    @Outcome(expect = FORBIDDEN, desc = "overlapping or extra signals")
    @State
    public static class RequestVsEmit {
        final SignalLog<Integer> log = SignalLog.requesting(0);
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16);

        public RequestVsEmit() {
            loop.start();
        }

        @Actor
        public void subscriber() {
            log.request(1);
        }

        @Actor
        public void producer() {
            loop.emit(1);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = log.nexts();
            r.r2 = loop.left();
            r.r3 = log.violations();
        }
    }

    @JCStressTest
    @Description("Demand 1, two producers: exactly one item is delivered (RS 1.1), the other waits in the source.")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "one delivered, one waiting for demand")
    @Outcome(id = "2, .*", expect = FORBIDDEN, desc = "more onNext than requested (RS 1.1)")
    @Outcome(expect = FORBIDDEN, desc = "lost wake-up or a rule broken")
    @State
    public static class DemandOneEmitVsEmit {
        final SignalLog<Integer> log = SignalLog.requesting(1);
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16);

        public DemandOneEmitVsEmit() {
            loop.start();
        }

        @Actor
        public void producer1() {
            loop.emit(1);
        }

        @Actor
        public void producer2() {
            loop.emit(2);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = log.nexts();
            r.r2 = loop.left();
            r.r3 = log.violations();
        }
    }

    @JCStressTest
    @Description("Two items waiting; two threads request(1) each: both items come, one at a time, never beyond demand.")
    @Outcome(id = "2, 0, 0", expect = ACCEPTABLE, desc = "both delivered")
    @Outcome(expect = FORBIDDEN, desc = "a request was lost, or signals overlapped")
    @State
    public static class RequestVsRequest {
        final SignalLog<Integer> log = SignalLog.requesting(0);
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16);

        public RequestVsRequest() {
            loop.preload(1);
            loop.preload(2);
            loop.start();
        }

        @Actor
        public void request1() {
            log.request(1);
        }

        @Actor
        public void request2() {
            log.request(1);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = log.nexts();
            r.r2 = loop.left();
            r.r3 = log.violations();
        }
    }

    @JCStressTest
    @Description("cancel() races an emit: the item is delivered or not, no terminal signal follows a cancel, and the loop finishes exactly once.")
    @Outcome(id = "1, 0, 1, 0", expect = ACCEPTABLE, desc = "delivered before the cancel took effect")
    @Outcome(id = "0, 0, 1, 0", expect = ACCEPTABLE, desc = "cancelled first: nothing delivered")
    @Outcome(expect = FORBIDDEN, desc = "a signal after cancel, or the loop did not finish exactly once")
    @State
    public static class CancelVsEmit {
        final SignalLog<Integer> log = SignalLog.unbounded();
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16);

        public CancelVsEmit() {
            loop.start();
        }

        @Actor
        public void cancel() {
            log.cancel();
        }

        @Actor
        public void producer() {
            loop.emit(1);
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r1 = log.nexts();
            r.r2 = log.terminals();
            r.r3 = loop.finished();
            r.r4 = log.violations();
        }
    }

    /** A loop whose source has no items; the subscriber requested everything. */
    public static class Terminal {
        final SignalLog<Integer> log = SignalLog.unbounded();
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16);

        public Terminal() {
            loop.start();
        }

        /** completes, errors (1 if exactly one IllegalArgumentException, else 10 per error), finishes, violations. */
        void record(IIII_Result r) {
            r.r1 = log.completes();
            r.r2 = log.errors() == 1 && log.error() instanceof IllegalArgumentException ? 1 : log.errors() * 10;
            r.r3 = loop.finished();
            r.r4 = log.violations();
        }
    }

    @JCStressTest
    @Description("The source completes while the subscriber calls request(-1): exactly one terminal signal, one finish.")
    @Outcome(id = "1, 0, 1, 0", expect = ACCEPTABLE, desc = "onComplete won")
    @Outcome(id = "0, 1, 1, 0", expect = ACCEPTABLE, desc = "onError(IllegalArgumentException) won: RS 3.9")
    @Outcome(expect = FORBIDDEN, desc = "two terminal signals or none, or the loop did not finish exactly once")
    @State
    public static class CompleteVsBadRequest extends Terminal {
        @Actor
        public void complete() {
            loop.complete();
        }

        @Actor
        public void badRequest() {
            log.request(-1);
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            record(r);
        }
    }

    @JCStressTest
    @Description("The source completes while the subscriber cancels: at most one terminal signal (none once cancelled), one finish.")
    @Outcome(id = "1, 0, 1, 0", expect = ACCEPTABLE, desc = "onComplete won")
    @Outcome(id = "0, 0, 1, 0", expect = ACCEPTABLE, desc = "cancel won: silence (RS 1.8)")
    @Outcome(expect = FORBIDDEN, desc = "two terminal signals, or the loop did not finish exactly once")
    @State
    public static class CompleteVsCancel extends Terminal {
        @Actor
        public void complete() {
            loop.complete();
        }

        @Actor
        public void cancel() {
            log.cancel();
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            record(r);
        }
    }

    @JCStressTest
    @Description("request(-1) races cancel(): the error may or may not be signalled (cancel is best effort), but at most once, and the loop finishes once.")
    @Outcome(id = "0, 1, 1, 0", expect = ACCEPTABLE, desc = "onError(IllegalArgumentException): RS 3.9")
    @Outcome(id = "0, 0, 1, 0", expect = ACCEPTABLE, desc = "cancel took effect first: silence")
    @Outcome(expect = FORBIDDEN, desc = "two terminal signals, or the loop did not finish exactly once")
    @State
    public static class BadRequestVsCancel extends Terminal {
        @Actor
        public void badRequest() {
            log.request(-1);
        }

        @Actor
        public void cancel() {
            log.cancel();
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            record(r);
        }
    }

    @JCStressTest
    @Description("An item, then completion, race a late request(1) (no demand before): the item comes, then onComplete, exactly once each (RS 1.4: completion needs no demand).")
    @Outcome(id = "1, 1, 1, 0", expect = ACCEPTABLE, desc = "item then onComplete")
    @Outcome(expect = FORBIDDEN, desc = "the item or the completion was lost, or came twice or out of order")
    @State
    public static class EmitCompleteVsRequest {
        final SignalLog<Integer> log = SignalLog.requesting(0);
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16);

        public EmitCompleteVsRequest() {
            loop.start();
        }

        @Actor
        public void producer() {
            loop.emit(1);
            loop.complete();
        }

        @Actor
        public void subscriber() {
            log.request(1);
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r1 = log.nexts();
            r.r2 = log.completes();
            r.r3 = loop.finished();
            r.r4 = log.violations();
        }
    }

    @JCStressTest
    @Description("The source fails while an item is emitted: an item that came first is delivered before onError; one that came after the end stays undelivered; exactly one terminal signal.")
    @Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "item, then onError")
    @Outcome(id = "0, 1, 1, 0", expect = ACCEPTABLE, desc = "onError first; the late item was not delivered after it (RS 1.7)")
    @Outcome(expect = FORBIDDEN, desc = "an item vanished or came after the error, two terminal signals, or no single finish")
    @State
    public static class EmitVsError {
        final SignalLog<Integer> log = SignalLog.unbounded();
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16);

        public EmitVsError() {
            loop.start();
        }

        @Actor
        public void producer() {
            loop.emit(1);
        }

        @Actor
        public void failer() {
            loop.error(new IllegalStateException("boom"));
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r1 = log.nexts();
            r.r2 = log.errors();
            r.r3 = loop.left();
            r.r4 = log.violations() | (loop.finished() == 1 ? 0 : 1 << 10);
        }
    }

    /**
     * A producer on the loop's executor that takes the loop inline (a fused hop, as an actor
     * stage to its output): one item inline if it gets the loop, else through the source; then
     * one through the source.
     */
    static void inlineThenEmit(QueueLoop<Integer> loop) {
        long room = loop.acquireInline();
        if (room > 0L && loop.deliverInline(1)) {
            loop.releaseInline(1);
        } else {
            if (room > 0L) {
                loop.releaseInline(0);
            }
            loop.emit(1);
        }
        loop.emit(2);
    }

    @JCStressTest
    @Description("A producer delivers inline and then through the source while the subscriber requests more: both items come, one at a time (a request during the hold is not lost).")
    @Outcome(id = "2, 0, 0", expect = ACCEPTABLE, desc = "both delivered")
    @Outcome(id = "1, 1, 0", expect = FORBIDDEN, desc = "lost wake-up: the request that came while the loop was held inline was dropped")
    @Outcome(expect = FORBIDDEN, desc = "overlapping, extra or missing signals")
    @State
    public static class InlineVsRequest {
        final SignalLog<Integer> log = SignalLog.requesting(1);
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16);

        public InlineVsRequest() {
            loop.start();
        }

        @Actor
        public void producer() {
            inlineThenEmit(loop);
        }

        @Actor
        public void subscriber() {
            log.request(1);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = log.nexts();
            r.r2 = loop.left();
            r.r3 = log.violations();
        }
    }

    @JCStressTest
    @Description("A producer delivers inline while another thread queues an item through the source and then requests more (two actors: jcstress runs no more than the machine's CPUs): the release runs the loop for the queued item (new demand alone would not), so both items come.")
    @Outcome(id = "2, 0, 0", expect = ACCEPTABLE, desc = "both delivered")
    @Outcome(id = "1, 1, 0", expect = FORBIDDEN, desc = "lost wake-up: the item queued while the loop was held stayed there")
    @Outcome(expect = FORBIDDEN, desc = "overlapping, extra or missing signals")
    @State
    public static class InlineVsRequestAndSend {
        final SignalLog<Integer> log = SignalLog.requesting(1);
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16);

        public InlineVsRequestAndSend() {
            loop.start();
        }

        @Actor
        public void inlineProducer() {
            long room = loop.acquireInline();
            if (room > 0L && loop.deliverInline(1)) {
                loop.releaseInline(1);
            } else {
                if (room > 0L) {
                    loop.releaseInline(0);
                }
                loop.emit(1);
            }
        }

        @Actor
        public void queueingProducerThenSubscriber() {
            loop.emit(2);
            log.request(1);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = log.nexts();
            r.r2 = loop.left();
            r.r3 = log.violations();
        }
    }

    @JCStressTest
    @Description("A loop fed inline (spinsWhenIdle false), idle without demand: a request that finds the source empty runs nothing, while a producer publishes and wakes. The item is delivered either way: the request sees it, or the producer sees the demand.")
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "delivered")
    @Outcome(id = "0, 1, 0", expect = FORBIDDEN, desc = "lost wake-up: the request skipped the run and the producer missed the demand")
    @Outcome(expect = FORBIDDEN, desc = "overlapping, extra or missing signals")
    @State
    public static class DryRequestVsEmit {
        final SignalLog<Integer> log = SignalLog.requesting(0);
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16).fedInline();

        public DryRequestVsEmit() {
            loop.start();
        }

        @Actor
        public void producer() {
            loop.emit(1);
        }

        @Actor
        public void subscriber() {
            log.request(1);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = log.nexts();
            r.r2 = loop.left();
            r.r3 = log.violations();
        }
    }

    @JCStressTest
    @Description("A loop fed inline, idle after delivering its demand: a new request races the loop's own leave and a producer's publication. The item is delivered.")
    @Outcome(id = "2, 0, 0", expect = ACCEPTABLE, desc = "both delivered")
    @Outcome(id = "1, 1, 0", expect = FORBIDDEN, desc = "lost wake-up")
    @Outcome(expect = FORBIDDEN, desc = "overlapping, extra or missing signals")
    @State
    public static class DryRequestVsLeaveAndEmit {
        final SignalLog<Integer> log = SignalLog.requesting(1);
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16).fedInline();

        public DryRequestVsLeaveAndEmit() {
            loop.start();
        }

        @Actor
        public void producer() {
            loop.emit(1); // delivered with the first demand; the loop then leaves
            loop.emit(2);
        }

        @Actor
        public void subscriber() {
            log.request(1);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = log.nexts();
            r.r2 = loop.left();
            r.r3 = log.violations();
        }
    }

    @JCStressTest
    @Description("A producer tries to take a loop inline while the loop is being started (a subscriber attached, start() racing): the start is never lost, so onSubscribe and both items come.")
    @Outcome(id = "2, 0, 0", expect = ACCEPTABLE, desc = "started, both delivered")
    @Outcome(id = "0, 2, 0", expect = FORBIDDEN, desc = "the start was lost: the inline attempt swallowed it")
    @Outcome(expect = FORBIDDEN, desc = "overlapping, extra or missing signals")
    @State
    public static class InlineVsStart {
        final SignalLog<Integer> log = SignalLog.unbounded();
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16);

        @Actor
        public void producer() {
            inlineThenEmit(loop);
        }

        @Actor
        public void starter() {
            loop.start();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = log.nexts();
            r.r2 = loop.left();
            r.r3 = log.violations();
        }
    }

    @JCStressTest
    @Description("A producer delivers inline while the subscriber cancels: no signal after the cancel took effect, no terminal signal, one finish.")
    @Outcome(id = "2, 0, 1, 0", expect = ACCEPTABLE, desc = "both delivered before the cancel took effect")
    @Outcome(id = "1, 0, 1, 0", expect = ACCEPTABLE, desc = "one delivered, then cancelled")
    @Outcome(id = "0, 0, 1, 0", expect = ACCEPTABLE, desc = "cancelled first")
    @Outcome(expect = FORBIDDEN, desc = "a signal after cancel, or the loop did not finish exactly once")
    @State
    public static class InlineVsCancel {
        final SignalLog<Integer> log = SignalLog.unbounded();
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16);

        public InlineVsCancel() {
            loop.start();
        }

        @Actor
        public void producer() {
            inlineThenEmit(loop);
        }

        @Actor
        public void cancel() {
            log.cancel();
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r1 = log.nexts();
            r.r2 = log.terminals();
            r.r3 = loop.finished();
            r.r4 = log.violations();
        }
    }

    @JCStressTest
    @Description("The source completes while a producer delivers inline and through it: exactly one onComplete (one that comes during the hold is not lost), nothing after it; what is emitted after the end stays in the source.")
    @Outcome(id = "2, 1, 1, 0", expect = ACCEPTABLE, desc = "both items, then onComplete")
    @Outcome(id = "1, 1, 1, 0", expect = ACCEPTABLE, desc = "one item, then onComplete; the other came after the end")
    @Outcome(id = "0, 1, 1, 0", expect = ACCEPTABLE, desc = "onComplete first; both came after the end")
    @Outcome(expect = FORBIDDEN, desc = "the completion lost or doubled, or a signal after it")
    @State
    public static class InlineVsComplete {
        final SignalLog<Integer> log = SignalLog.unbounded();
        final QueueLoop<Integer> loop = new QueueLoop<>(log, Inline.EXECUTOR, 16);

        public InlineVsComplete() {
            loop.start();
        }

        @Actor
        public void producer() {
            inlineThenEmit(loop);
        }

        @Actor
        public void complete() {
            loop.complete();
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r1 = log.nexts();
            r.r2 = log.completes();
            r.r3 = loop.finished();
            r.r4 = log.violations();
        }
    }
}
