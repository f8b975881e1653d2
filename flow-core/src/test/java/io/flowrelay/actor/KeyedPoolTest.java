package io.flowrelay.actor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;

import static io.flowrelay.actor.ActorTestKit.WAIT;
import static io.flowrelay.actor.ActorTestKit.failure;
import static io.flowrelay.actor.ActorTestKit.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stateful items pinned to threads ("messaging thread pool"). */
class KeyedPoolTest {

    private final ActorTestKit kit = new ActorTestKit();

    @AfterEach
    void tearDown() throws Exception {
        kit.close();
    }

    record Req(int caller, int seq, int amount) {
    }

    record Resp(String id, int caller, int seq, long total, String thread) {
    }

    /** An account with plain collections: correct only if it is never touched by two threads. */
    static final class Account implements PoolItem<Req, Resp> {
        private final String id;
        private final Map<String, String> closedOn;
        private final String createdOn = Thread.currentThread().getName();
        private final HashMap<Integer, Integer> lastSeq = new HashMap<>();
        private final ArrayList<Integer> amounts = new ArrayList<>();
        private long total;

        Account(String id, Map<String, String> closedOn) {
            this.id = id;
            this.closedOn = closedOn;
        }

        @Override
        public Resp handle(Req r) {
            String t = Thread.currentThread().getName();
            if (!t.equals(createdOn)) {
                throw new IllegalStateException(id + " created on " + createdOn + " but called on " + t);
            }
            if (r.amount() < 0) {
                throw new IllegalArgumentException("negative amount " + r.amount());
            }
            Integer last = lastSeq.put(r.caller(), r.seq());
            if (last != null && r.seq() <= last) {
                throw new IllegalStateException(id + ": caller " + r.caller() + " seq " + r.seq() + " after " + last);
            }
            amounts.add(r.amount());
            total += r.amount();
            return new Resp(id, r.caller(), r.seq(), total, t);
        }

        @Override
        public void close() {
            closedOn.put(id, Thread.currentThread().getName());
        }
    }

    @Test
    void itemsStayOnTheirThreadAndAnswerConcurrentCallers() {
        PinnedDispatcher threads = kit.pinned("pool", 3);
        ActorSystem system = kit.system("pool");
        Map<String, String> closedOn = new ConcurrentHashMap<>();
        KeyedPool<String, Req, Resp> pool = system.keyedPool("accounts", threads, id -> new Account(id, closedOn));
        int items = 8;
        int callers = 4;
        int rounds = 500;
        for (int i = 0; i < items; i++) {
            assertTrue(pool.create("acct-" + i));
        }
        assertFalse(pool.create("acct-0"), "exists already");
        assertEquals(items, pool.size());

        Map<String, String> threadOf = new ConcurrentHashMap<>();
        AtomicLongArray expected = new AtomicLongArray(items);
        ActorTestKit.race(callers, c -> {
            int seq = 0;
            for (int k = 0; k < rounds; k++) {
                int item = (k + c) % items;
                int amount = k % 7 + 1;
                Req one = new Req(c, seq++, amount);
                expected.addAndGet(item, amount);
                Resp r = get(pool.ask("acct-" + item, one, WAIT));
                check(r, "acct-" + item, one, threadOf);

                List<Map.Entry<String, Req>> batch = new ArrayList<>();
                for (int j = 0; j < 4; j++) {
                    int target = (k + j * 3) % items;
                    Req q = new Req(c, seq++, j + 1);
                    expected.addAndGet(target, j + 1);
                    batch.add(Map.entry("acct-" + target, q));
                }
                List<Resp> answers = get(pool.sendAndReceive(batch, WAIT));
                assertEquals(batch.size(), answers.size());
                for (int j = 0; j < batch.size(); j++) {
                    check(answers.get(j), batch.get(j).getKey(), batch.get(j).getValue(), threadOf);
                }
            }
        });

        for (int i = 0; i < items; i++) {
            Resp r = get(pool.ask("acct-" + i, new Req(99, 0, 0), WAIT));
            assertEquals(expected.get(i), r.total(), "total of acct-" + i);
            assertTrue(r.thread().startsWith("flowrelay-pool-"), r.thread());
        }
        assertEquals(items, threadOf.size());
        assertEquals(3, new java.util.HashSet<>(threadOf.values()).size(), "8 items spread over the 3 threads");

        pool.close();
        assertEquals(0, pool.size());
        ActorTestKit.waitUntil(() -> closedOn.size() == items, "every item closed");
        for (Map.Entry<String, String> e : closedOn.entrySet()) {
            assertEquals(threadOf.get(e.getKey()), e.getValue(), "closed on its own thread: " + e.getKey());
        }
    }

    private static void check(Resp r, String id, Req q, Map<String, String> threadOf) {
        assertEquals(id, r.id());
        assertEquals(q.caller(), r.caller());
        assertEquals(q.seq(), r.seq());
        String before = threadOf.putIfAbsent(id, r.thread());
        if (before != null) {
            assertEquals(before, r.thread(), id + " moved threads");
        }
    }

    @Test
    void unknownIdsFailWithNoSuchElementException() {
        PinnedDispatcher threads = kit.pinned("pool-missing", 1);
        ActorSystem system = kit.system("pool-missing");
        Map<String, String> closedOn = new ConcurrentHashMap<>();
        KeyedPool<String, Req, Resp> pool = system.keyedPool("accounts", threads, id -> new Account(id, closedOn));
        pool.create("a");

        assertInstanceOf(NoSuchElementException.class, failure(pool.ask("nope", new Req(0, 0, 1), WAIT)));
        Throwable batch = failure(pool.sendAndReceive(
                List.of(Map.entry("a", new Req(0, 1, 1)), Map.entry("nope", new Req(0, 2, 1))), WAIT));
        assertInstanceOf(NoSuchElementException.class, batch);

        assertTrue(pool.remove("a"));
        assertFalse(pool.remove("a"));
        assertFalse(pool.contains("a"));
        ActorTestKit.waitUntil(() -> closedOn.containsKey("a"), "the removed item closed");
        assertInstanceOf(NoSuchElementException.class, failure(pool.ask("a", new Req(0, 3, 1), WAIT)));
    }

    @Test
    void aFailingRequestFailsOnlyItsOwnFutureAndTheItemStays() {
        PinnedDispatcher threads = kit.pinned("pool-fail", 1);
        ActorSystem system = kit.system("pool-fail");
        KeyedPool<String, Req, Resp> pool = system.keyedPool("accounts", threads,
                id -> new Account(id, new ConcurrentHashMap<>()));
        pool.create("a");
        assertEquals(5, get(pool.ask("a", new Req(0, 0, 5), WAIT)).total());
        assertInstanceOf(IllegalArgumentException.class, failure(pool.ask("a", new Req(0, 1, -1), WAIT)));
        assertEquals(7, get(pool.ask("a", new Req(0, 2, 2), WAIT)).total(), "state kept after a failed request");
        assertThrows(IllegalArgumentException.class, () -> pool.ask("a", new Req(0, 3, 1), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> pool.sendAndReceive(List.of(), Duration.ofMillis(-5)));
        assertNotNull(pool.toString());
    }

    @Test
    void aSlowItemTimesOutTheBatchAndSaysHowManyResponsesCame() {
        PinnedDispatcher threads = kit.pinned("pool-slow", 2);
        ActorTestKit.HeldTimer timer = kit.executor(new ActorTestKit.HeldTimer());
        ActorSystem system = kit.system(ActorSystem.builder("pool-slow").timer(timer));
        ActorTestKit.Gate gate = kit.gate();
        KeyedPool<String, String, String> pool = system.keyedPool("slow", threads, id -> request -> {
            if (request.equals("wait")) {
                gate.pass();
            }
            return id + ":" + request;
        });
        pool.create("fast");
        pool.create("slow");
        var batch = pool.sendAndReceive(
                List.of(Map.entry("fast", "a"), Map.entry("slow", "wait"), Map.entry("fast", "b")), Duration.ofMillis(50));
        // "fast" handles in order: once "c" is answered, "a" and "b" are too
        assertEquals("fast:c", get(pool.ask("fast", "c", WAIT)));
        gate.awaitArrival();
        timer.fire.countDown();
        Throwable t = failure(batch);
        assertInstanceOf(TimeoutException.class, t);
        assertTrue(t.getMessage().contains("2 of 3"), "says how many responses came: " + t.getMessage());
        gate.open();
    }
}
