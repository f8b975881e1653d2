package io.flowrelay.internal;

import io.flowrelay.channel.Overflow;
import io.flowrelay.channel.SendResult;
import io.flowrelay.test.ManualExecutor;
import io.flowrelay.test.TestSubscriber;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A channel whose producer delivers inline when it can ({@link BufferedChannel#setInlineProducer},
 * an actor stage's output): deferred wake-ups ({@link BufferedChannel#trySendDeferred},
 * {@link BufferedChannel#wakeDeferred}) and requests that run nothing when nothing is queued.
 */
class InlineProducerChannelTest {

    private static BufferedChannel<Integer> channel(ManualExecutor ex) {
        BufferedChannel<Integer> ch = new BufferedChannel<>(16, Overflow.BLOCK, null, ex, 16, 1, false);
        ch.setInlineProducer();
        return ch;
    }

    @Test
    void deferredSendsWakeNobodyAndTheDeferredWakeHandsThemOnOnTheProducersThread() {
        ManualExecutor ex = new ManualExecutor();
        BufferedChannel<Integer> ch = channel(ex);
        List<Thread> threads = new ArrayList<>();
        TestSubscriber<Integer> ts = TestSubscriber.<Integer>create(10).onNextHook((t, v) -> threads.add(Thread.currentThread()));
        ch.subscribe(ts);
        ex.runAll();
        for (int i = 0; i < 3; i++) {
            assertEquals(SendResult.OK, ch.trySendDeferred(i));
        }
        assertEquals(0, ex.pending(), "no run woken by the first item");
        ch.wakeDeferred();
        assertEquals(List.of(0, 1, 2), ts.items());
        assertEquals(List.of(Thread.currentThread(), Thread.currentThread(), Thread.currentThread()), threads);
        assertEquals(0, ex.pending());
        assertEquals(0, ch.size());
        ts.assertNoViolations().assertNotTerminated();
    }

    @Test
    void whatTheDemandDoesNotCoverWaitsForTheNextRequestWhichRunsTheLoop() {
        ManualExecutor ex = new ManualExecutor();
        BufferedChannel<Integer> ch = channel(ex);
        TestSubscriber<Integer> ts = TestSubscriber.create(1);
        ch.subscribe(ts);
        ex.runAll();
        for (int i = 0; i < 3; i++) {
            ch.trySendDeferred(i);
        }
        ch.wakeDeferred();
        assertEquals(List.of(0), ts.items());
        assertEquals(0, ex.pending(), "no demand left: nothing to run");
        ts.request(5);
        assertEquals(1, ex.runAll(), "items queued: the request runs the loop");
        assertEquals(List.of(0, 1, 2), ts.items());
        ts.request(5);
        assertEquals(0, ex.pending(), "nothing queued: the request runs nothing");
        ch.trySend(3); // a plain send (another thread's, say) wakes the idle loop as usual
        assertEquals(1, ex.runAll());
        assertEquals(List.of(0, 1, 2, 3), ts.items());
        ch.close();
        ex.runAll();
        ts.assertCompleted().assertNoViolations();
    }

    @Test
    void competingSubscribersAreWokenAtOnceAndAWakeWithNoSoleSubscriberWakesThemAll() {
        ManualExecutor ex = new ManualExecutor();
        BufferedChannel<Integer> ch = channel(ex);
        TestSubscriber<Integer> a = TestSubscriber.create(10);
        TestSubscriber<Integer> b = TestSubscriber.create(10);
        ch.subscribe(a);
        ch.subscribe(b);
        ex.runAll();
        ch.trySendDeferred(1);
        ch.wakeDeferred();
        ex.runAll();
        assertEquals(1, a.itemCount() + b.itemCount(), "delivered once, to one of them");
        a.assertNoViolations();
        b.assertNoViolations();
    }

    @Test
    void aDeferredSendToAClosedChannelSaysSo() {
        ManualExecutor ex = new ManualExecutor();
        BufferedChannel<Integer> ch = channel(ex);
        ch.close();
        assertEquals(SendResult.CLOSED, ch.trySendDeferred(1));
    }
}
