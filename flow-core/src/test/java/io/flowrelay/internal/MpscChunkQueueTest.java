package io.flowrelay.internal;

import io.flowrelay.test.Race;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Method;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MpscChunkQueueTest {

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 64})
    void keepsFifoOrderAcrossManyChunks(int chunkSize) {
        MpscChunkQueue<Integer> q = new MpscChunkQueue<>(chunkSize, false);
        int n = chunkSize * 10 + 3;
        for (int round = 0; round < 3; round++) { // later rounds run on recycled chunks
            for (int i = 0; i < n; i++) {
                q.offer(i);
                assertEquals(i + 1, q.size());
            }
            assertFalse(q.isEmpty());
            for (int i = 0; i < n; i++) {
                assertTrue(q.isReady());
                assertEquals(i, q.poll());
            }
            assertTrue(q.isEmpty());
            assertFalse(q.isReady());
            assertNull(q.poll());
            assertEquals(0, q.size());
        }
        assertEquals(3L * n, q.taken());
    }

    @Test
    void interleavedOffersAndPollsStayInOrderAcrossChunkBoundaries() {
        MpscChunkQueue<Integer> q = new MpscChunkQueue<>(2, false);
        int next = 0;
        int expected = 0;
        for (int step = 0; step < 1000; step++) {
            for (int k = 0; k < step % 5; k++) {
                q.offer(next++);
            }
            for (int k = 0; k < step % 3 && !q.isEmpty(); k++) {
                assertEquals(expected++, q.poll());
            }
        }
        Integer v;
        while ((v = q.poll()) != null) {
            assertEquals(expected++, v);
        }
        assertEquals(next, expected);
    }

    @Test
    void aNewQueueAsksToBeWokenByItsFirstItem() {
        MpscChunkQueue<Integer> q = new MpscChunkQueue<>(4, false);
        assertEquals(MpscRing.OK_WAKE, q.offer(1), "a consumer may have gone idle before the queue existed");
        assertEquals(MpscRing.OK, q.offer(2));
    }

    @Test
    void armIdleOnAnEmptyQueueMakesTheNextOfferWakeAndOnlyThatOne() {
        MpscChunkQueue<Integer> q = new MpscChunkQueue<>(2, false);
        q.offer(0);
        assertTrue(q.armIdle(), "an item is there: do not sleep");
        q.poll();
        for (int i = 1; i <= 9; i++) { // odd items land on the last slot of a chunk (the linking claim)
            assertFalse(q.armIdle(), "empty: the consumer may sleep");
            assertFalse(q.armIdle(), "arming twice is harmless");
            assertEquals(MpscRing.OK_WAKE, q.offer(i), "item " + i);
            assertEquals(MpscRing.OK, q.offer(100 + i), "item " + (100 + i));
            assertEquals(i, q.poll());
            assertEquals(100 + i, q.poll());
        }
    }

    @Test
    void refusesNullAndBadChunkSizes() {
        MpscChunkQueue<Integer> q = new MpscChunkQueue<>(2, false);
        assertThrows(NullPointerException.class, () -> q.offer(null));
        assertTrue(q.isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new MpscChunkQueue<Integer>(1, false));
        assertThrows(IllegalArgumentException.class, () -> new MpscChunkQueue<Integer>(48, false));
    }

    @Test
    void aSteadyStateWithinAChunkAllocatesNothing() throws Exception {
        MpscChunkQueue<Integer> q = new MpscChunkQueue<>(64, false);
        Integer item = 7;
        for (int i = 0; i < 200_000; i++) { // warm up: the recycled chunk exists, the code is compiled
            churn(q, item);
        }
        long before = allocatedByThisThread();
        int ops = 0;
        for (int i = 0; i < 200_000; i++) {
            ops += churn(q, item);
        }
        long bytes = allocatedByThisThread() - before;
        // a chunk per 64 items would be over 4 bytes an item: 2.4 MB here
        assertTrue(bytes < 64 * 1024, bytes + " bytes allocated for " + ops + " items");
    }

    /** HotSpot's per-thread allocation counter (java.management and jdk.management, which this module does not read: by reflection). */
    private static long allocatedByThisThread() throws ReflectiveOperationException {
        Object mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Method m = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        return (long) m.invoke(mx);
    }

    /** Ten items in, ten out: a backlog well within a chunk, crossing a chunk boundary every few calls. */
    private static int churn(MpscChunkQueue<Integer> q, Integer item) {
        for (int k = 0; k < 10; k++) {
            q.offer(item);
        }
        for (int k = 0; k < 10; k++) {
            if (q.poll() == null) {
                throw new AssertionError("lost an item");
            }
        }
        return 10;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 64})
    void concurrentProducersLoseNothingAndKeepEachProducersOrder(int chunkSize) {
        int producers = 3;
        int perProducer = 200_000;
        for (int round = 0; round < 3; round++) {
            MpscChunkQueue<Long> q = new MpscChunkQueue<>(chunkSize, false);
            long[] last = new long[producers];
            java.util.Arrays.fill(last, -1L);
            AtomicInteger done = new AtomicInteger();
            Race.race(producers + 1, index -> {
                if (index < producers) {
                    for (long i = 0; i < perProducer; i++) {
                        q.offer(((long) index << 32) | i);
                    }
                    done.incrementAndGet();
                    return;
                }
                long taken = 0;
                while (taken < (long) producers * perProducer) {
                    Long v = q.poll();
                    if (v == null) {
                        Thread.onSpinWait();
                        continue;
                    }
                    takeInProducerOrder(last, v);
                    taken++;
                }
            });
            assertEquals(producers, done.get());
            assertTrue(q.isEmpty());
            assertNull(q.poll());
        }
    }

    @Test
    void sharedConsumersTakeEveryItemExactlyOnce() {
        int producers = 2;
        int consumers = 2;
        int perProducer = 200_000;
        int total = producers * perProducer;
        MpscChunkQueue<Integer> q = new MpscChunkQueue<>(2, true);
        BitSet[] seen = new BitSet[consumers];
        AtomicInteger taken = new AtomicInteger();
        Race.race(producers + consumers, index -> {
            if (index < producers) {
                for (int i = 0; i < perProducer; i++) {
                    q.offer(index * perProducer + i);
                }
                return;
            }
            BitSet mine = new BitSet(total);
            seen[index - producers] = mine;
            while (taken.get() < total) {
                Integer v = q.poll();
                if (v == null) {
                    Thread.onSpinWait();
                    continue;
                }
                mine.set(v);
                taken.incrementAndGet();
            }
        });
        assertEquals(total, taken.get());
        BitSet all = new BitSet(total);
        for (BitSet s : seen) {
            assertFalse(all.intersects(s), "an item was taken twice");
            all.or(s);
        }
        assertEquals(total, all.cardinality());
    }

    /**
     * Checks that {@code v} ({@code producer << 32 | sequence}) is its producer's next item after
     * {@code last[producer]}, and records it: per-producer FIFO order, nothing lost or doubled.
     */
    static void takeInProducerOrder(long[] last, long v) {
        int p = (int) (v >>> 32);
        long seq = v & 0xFFFF_FFFFL;
        if (seq != last[p] + 1) {
            throw new AssertionError("producer " + p + ": " + seq + " after " + last[p]);
        }
        last[p] = seq;
    }
}
