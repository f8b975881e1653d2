package io.flowrelay.internal;

import io.flowrelay.channel.Overflow;
import io.flowrelay.test.ManualExecutor;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A channel whose producer delivers inline when it can ({@link BufferedChannel#setInlineProducer},
 * an actor stage's output): a request to its idle subscription runs nothing unless items wait,
 * and everything else works as for any channel.
 */
class InlineProducerChannelTest {

    private static BufferedChannel<Integer> channel(ManualExecutor ex) {
        BufferedChannel<Integer> ch = new BufferedChannel<>(16, Overflow.BLOCK, null, ex, 16, 1, false);
        ch.setInlineProducer();
        return ch;
    }

    @Test
    void aRequestRunsTheLoopOnlyWhenItemsWaitAndASendWakesTheIdleLoopAsUsual() {
        ManualExecutor ex = new ManualExecutor();
        BufferedChannel<Integer> ch = channel(ex);
        TestSubscriber<Integer> ts = TestSubscriber.create(0);
        ch.subscribe(ts);
        ex.runAll();
        ts.request(2);
        assertEquals(0, ex.pending(), "nothing queued: the request runs nothing");
        ch.trySend(0);
        assertEquals(1, ex.runAll(), "the send finds the demand and wakes the loop");
        assertEquals(List.of(0), ts.items());
        for (int i = 1; i < 4; i++) {
            ch.trySend(i);
        }
        ex.runAll();
        assertEquals(List.of(0, 1), ts.items(), "the demand ran out with two items queued");
        ts.request(5);
        assertEquals(1, ex.runAll(), "items queued: the request runs the loop");
        assertEquals(List.of(0, 1, 2, 3), ts.items());
        ts.request(1);
        assertEquals(0, ex.pending());
        ch.close();
        ex.runAll();
        ts.assertCompleted().assertNoViolations();
    }

    @Test
    void theLoopIsTakenInlineAndGivenBackAndARequestDuringTheHoldRunsNothingAfterIt() {
        ManualExecutor ex = new ManualExecutor();
        BufferedChannel<Integer> ch = channel(ex);
        TestSubscriber<Integer> ts = TestSubscriber.create(1);
        ch.subscribe(ts);
        ex.runAll();
        DeliveryLoop<Integer> s = ch.soleSubscription();
        assertEquals(1L, s.acquireInline());
        assertEquals(true, s.deliverInline(7));
        ts.request(3);
        s.releaseInline(1);
        assertEquals(0, ex.pending(), "new demand alone: no run");
        ch.trySend(8);
        ex.runAll();
        assertEquals(List.of(7, 8), ts.items());
        ts.assertNoViolations();
    }

    @Test
    void competingSubscribersOfSuchAChannelGetEachItemOnce() {
        ManualExecutor ex = new ManualExecutor();
        BufferedChannel<Integer> ch = channel(ex);
        TestSubscriber<Integer> a = TestSubscriber.create(0);
        TestSubscriber<Integer> b = TestSubscriber.create(0);
        ch.subscribe(a);
        ch.subscribe(b);
        ex.runAll();
        for (int i = 0; i < 6; i++) {
            ch.trySend(i);
        }
        a.request(2);
        b.request(10);
        ex.runAll();
        assertEquals(6, a.itemCount() + b.itemCount(), "each item once, to one of them");
        a.assertNoViolations();
        b.assertNoViolations();
    }
}
