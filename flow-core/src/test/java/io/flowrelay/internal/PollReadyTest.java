package io.flowrelay.internal;

import io.flowrelay.test.Race;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChannelBuffer#pollReady()} and {@link ChannelBuffer#awaitReady()}, the reads of a
 * consumer loop that has caught up with its producers (an actor's turn): the ring and the chunk
 * queue, a lone and a shared consumer.
 */
class PollReadyTest {

    /** 0: a ring of 8; 1: two-slot chunks (every other claim links a chunk); 2: 64-slot chunks. */
    private static ChannelBuffer<Long> buffer(int kind, boolean shared) {
        return switch (kind) {
            case 0 -> new MpscRing<>(8, shared);
            case 1 -> new MpscChunkQueue<>(2, shared);
            default -> new MpscChunkQueue<>(64, shared);
        };
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void takesWhatIsWrittenInOrderAndNothingFromAnEmptyBuffer(int kind) {
        for (boolean shared : new boolean[] {false, true}) {
            ChannelBuffer<Long> q = buffer(kind, shared);
            assertNull(q.pollReady());
            q.awaitReady(); // empty: returns at once
            List<Long> got = new ArrayList<>();
            for (long round = 0; round < 20; round++) {
                for (long i = 0; i < 5; i++) {
                    assertTrue(q.offer(round * 5 + i) != MpscRing.FULL);
                }
                q.awaitReady(); // all written: returns at once
                for (Long v; (v = q.pollReady()) != null; ) {
                    got.add(v);
                }
                assertTrue(q.isEmpty());
                assertFalse(q.isReady());
            }
            assertEquals(100, got.size());
            for (int i = 0; i < 100; i++) {
                assertEquals(i, got.get(i));
            }
        }
    }

    /**
     * Producers race a consumer that takes with pollReady and, when that finds nothing, asks as
     * a loop about to sleep would (armIdle) and waits for an item still being written
     * (awaitReady): every item is taken once, in each producer's order, and an armed consumer
     * is told by exactly one offer (OK_WAKE).
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void aConsumerThatTakesWhatIsReadyLosesNothingAndIsWokenWhenArmed(int kind) {
        int producers = 2;
        int perProducer = 100_000;
        for (int round = 0; round < 3; round++) {
            ChannelBuffer<Long> q = buffer(kind, false);
            long[] last = {-1L, -1L};
            AtomicInteger wakes = new AtomicInteger();
            AtomicInteger arms = new AtomicInteger();
            Race.race(producers + 1, index -> {
                if (index < producers) {
                    for (long i = 0; i < perProducer; ) {
                        int r = q.offer(((long) index << 32) | i);
                        if (r == MpscRing.FULL) {
                            Thread.onSpinWait();
                            continue;
                        }
                        if (r == MpscRing.OK_WAKE) {
                            wakes.incrementAndGet();
                        }
                        i++;
                    }
                    return;
                }
                long taken = 0;
                boolean armed = false;
                while (taken < (long) producers * perProducer) {
                    Long v = q.pollReady();
                    if (v == null) {
                        if (!armed && !q.armIdle()) {
                            armed = true; // "asleep": the next claim reports OK_WAKE
                            arms.incrementAndGet();
                        }
                        q.awaitReady();
                        Thread.onSpinWait();
                        continue;
                    }
                    armed = false;
                    MpscChunkQueueTest.takeInProducerOrder(last, v);
                    taken++;
                }
            });
            assertEquals(perProducer - 1, last[0]);
            assertEquals(perProducer - 1, last[1]);
            assertTrue(q.isEmpty());
            // a new buffer asks to be woken from the start: its first offer reports OK_WAKE, which
            // also answers an arming made before it; every other arming gets its own
            assertTrue(wakes.get() == arms.get() || wakes.get() == arms.get() + 1,
                    "OK_WAKE " + wakes.get() + " times for " + arms.get() + " armings");
        }
    }
}
