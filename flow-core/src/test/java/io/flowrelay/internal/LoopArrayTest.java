package io.flowrelay.internal;

import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop set: empty is null, one is the loop itself, two or more an array; adds and removes race safely. */
class LoopArrayTest {

    volatile Object set;

    static final VarHandle SET;

    static {
        try {
            SET = MethodHandles.lookup().findVarHandle(LoopArrayTest.class, "set", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A loop (DeliveryLoopTest's) whose executor runs nothing and counts how often it was handed the loop. */
    private static DeliveryLoopTest.QueueLoop countingLoop(AtomicInteger submitted) {
        return new DeliveryLoopTest.QueueLoop(io.flowrelay.test.TestSubscriber.create(0), r -> submitted.incrementAndGet(), 1);
    }

    @Test
    void theRepresentationFollowsTheSize() {
        AtomicInteger n = new AtomicInteger();
        DeliveryLoopTest.QueueLoop a = countingLoop(n);
        DeliveryLoopTest.QueueLoop b = countingLoop(n);
        DeliveryLoopTest.QueueLoop c = countingLoop(n);
        assertEquals(0, LoopArray.size(set));
        assertFalse(LoopArray.isMany(set));

        LoopArray.add(SET, this, a);
        assertSame(a, set, "a set of one is the loop itself: no array");
        assertEquals(1, LoopArray.size(set));
        assertSame(a, LoopArray.get(set, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> LoopArray.get(set, 1));
        assertFalse(LoopArray.isMany(set));

        LoopArray.add(SET, this, b);
        LoopArray.add(SET, this, c);
        assertTrue(LoopArray.isMany(set));
        assertEquals(3, LoopArray.size(set));
        assertSame(b, LoopArray.get(set, 1));

        assertFalse(LoopArray.remove(SET, this, countingLoop(n)), "not a member");
        assertTrue(LoopArray.remove(SET, this, a));
        assertEquals(2, LoopArray.size(set));
        assertTrue(LoopArray.remove(SET, this, c));
        assertSame(b, set, "back to one: the loop itself");
        assertFalse(LoopArray.remove(SET, this, c), "removed already");
        assertTrue(LoopArray.remove(SET, this, b));
        assertNull(set);
        assertFalse(LoopArray.remove(SET, this, b));
    }

    @Test
    void scheduleAllAndWakeReachEveryMember() {
        AtomicInteger n = new AtomicInteger();
        LoopArray.scheduleAll(set); // empty: nothing
        assertFalse(LoopArray.wakeOne(set));
        DeliveryLoopTest.QueueLoop a = countingLoop(n);
        LoopArray.add(SET, this, a);
        LoopArray.scheduleAll(set);
        assertEquals(1, n.get());
        DeliveryLoopTest.QueueLoop b = countingLoop(n);
        DeliveryLoopTest.QueueLoop c = countingLoop(n);
        LoopArray.add(SET, this, b);
        LoopArray.add(SET, this, c);
        LoopArray.scheduleAll(set); // a is still "running" (wip 1): only b and c are submitted
        assertEquals(3, n.get());
        assertFalse(LoopArray.wakeOne(set), "no loop has demand");
        c.request(1); // c's wip is still 1 (its executor never ran it): no second submission
        assertEquals(3, n.get());
    }

    @Test
    void concurrentAddsAndRemovesLoseNobody() throws Exception {
        AtomicInteger n = new AtomicInteger();
        for (int round = 0; round < 200; round++) {
            set = null;
            int threads = 4;
            int each = 50;
            List<List<DeliveryLoopTest.QueueLoop>> mine = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<DeliveryLoopTest.QueueLoop> l = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    l.add(countingLoop(n));
                }
                mine.add(l);
            }
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                List<DeliveryLoopTest.QueueLoop> l = mine.get(t);
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                        for (DeliveryLoopTest.QueueLoop x : l) {
                            LoopArray.add(SET, this, x);
                        }
                        for (int i = 0; i < l.size(); i += 2) { // every other one leaves again
                            assertTrue(LoopArray.remove(SET, this, l.get(i)));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        done.countDown();
                    }
                });
                th.start();
            }
            go.countDown();
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(threads * each / 2, LoopArray.size(set), "round " + round);
            for (List<DeliveryLoopTest.QueueLoop> l : mine) {
                for (int i = 1; i < l.size(); i += 2) {
                    boolean found = false;
                    for (int j = 0; j < LoopArray.size(set); j++) {
                        found |= LoopArray.get(set, j) == l.get(i);
                    }
                    assertTrue(found, "round " + round + ": a loop that stayed is missing");
                }
            }
        }
    }
}
