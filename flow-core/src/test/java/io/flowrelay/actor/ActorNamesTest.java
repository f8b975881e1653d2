package io.flowrelay.actor;

import io.flowrelay.test.Race;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry of actors by name (ActorNames): unique names, removal of the cell itself, growth
 * and shrinking, the backward shift that replaces tombstones, and racing writers. The cells are
 * made but never started.
 */
class ActorNamesTest {

    private final ActorSystemImpl system = (ActorSystemImpl) ActorSystem.create("names");

    @AfterEach
    void tearDown() {
        system.shutdown(Duration.ofSeconds(5)).toCompletableFuture().join();
    }

    private ActorCell<Object> cell(String name) {
        return new ActorCell<>(system, null, name, () -> (ctx, m) -> Behaviors.same(), ActorOptions.defaults());
    }

    @Test
    void aNameIsTakenOnceAndFreeAgainAfterItsCellIsRemoved() {
        ActorNames names = new ActorNames();
        ActorCell<Object> first = cell("worker");
        ActorCell<Object> second = cell("worker");
        assertNull(names.putIfAbsent(first));
        assertSame(first, names.putIfAbsent(second));
        assertFalse(names.remove(second), "a cell of the same name is not the one registered");
        assertEquals(1, names.size());
        assertTrue(names.remove(first));
        assertFalse(names.remove(first));
        assertNull(names.putIfAbsent(second));
        assertEquals(List.of(second), names.snapshot());
    }

    @Test
    void randomInsertsAndRemovesAgreeWithAMap() {
        ActorNames names = new ActorNames();
        Map<String, ActorCell<?>> model = new HashMap<>();
        Random random = new Random(42);
        List<ActorCell<?>> cells = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            cells.add(cell("c" + i));
        }
        for (int step = 0; step < 200_000; step++) {
            ActorCell<?> c = cells.get(random.nextInt(cells.size()));
            if (random.nextInt(3) != 0) {
                ActorCell<?> expected = model.putIfAbsent(c.name, c);
                assertSame(expected, names.putIfAbsent(c), "putIfAbsent of " + c.name);
            } else {
                boolean expected = model.remove(c.name, c);
                assertEquals(expected, names.remove(c), "remove of " + c.name);
            }
            if (step % 10_000 == 0) {
                assertEquals(new HashSet<>(model.values()), new HashSet<>(names.snapshot()));
            }
        }
        assertEquals(model.size(), names.size());
        assertEquals(new HashSet<>(model.values()), new HashSet<>(names.snapshot()));
        // every cell still present is found under its name (the shifts kept each run unbroken)
        for (ActorCell<?> c : model.values()) {
            assertSame(c, names.putIfAbsent(cell(c.name)));
        }
    }

    @Test
    void growsWhenFilledAndGivesItsMemoryBackWhenEmptiedInIndexOrder() {
        ActorNames names = new ActorNames();
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            assertNull(names.putIfAbsent(cell("a" + i)));
        }
        assertEquals(n, names.size());
        int capacity = names.capacity();
        assertTrue(capacity >= n * 4 / 3 && capacity <= n * 8 / 3, "at most 3/4 full, at least 3/8: " + capacity);
        // Removing in the order of the index's home slots: with the home in the top bits of the
        // hash, each shrink doubled the density of what was left, and this took minutes; with the
        // low bits it takes milliseconds.
        List<ActorCell<?>> inIndexOrder = new ArrayList<>(names.snapshot());
        inIndexOrder.sort(Comparator.comparingInt(c -> ActorNames.hash(c.name) & (capacity - 1)));
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < n; i++) {
                assertTrue(names.remove(inIndexOrder.get(i)));
                if (i % 1000 == 0) { // every one left is still found under its name
                    ActorCell<?> next = inIndexOrder.get((i + n) / 2);
                    assertSame(next, names.putIfAbsent(cell(next.name)));
                }
            }
        });
        assertEquals(0, names.size());
        assertEquals(8, names.capacity(), "shrunk back to the minimum");
        assertEquals(List.of(), names.snapshot());
    }

    @Test
    void namesWithEqualHashCodesStillSpreadOut() {
        // 2^16 names of "Aa" and "BB" blocks: String.hashCode is the same for all of them, so a
        // table keyed by it would put them in one run and walk it on every spawn (quadratic)
        List<String> colliding = new ArrayList<>(List.of(""));
        for (int round = 0; round < 16; round++) {
            List<String> next = new ArrayList<>();
            for (String prefix : colliding) {
                next.add(prefix + "Aa");
                next.add(prefix + "BB");
            }
            colliding = next;
        }
        assertEquals(1, colliding.stream().mapToInt(String::hashCode).distinct().count());
        ActorNames names = new ActorNames();
        for (String name : colliding) {
            assertNull(names.putIfAbsent(cell(name)));
        }
        assertEquals(colliding.size(), names.size());
        int longest = names.longestProbe();
        assertTrue(longest < 100, "longest probe " + longest + " for " + colliding.size() + " names");
        for (String name : colliding.subList(0, 1000)) {
            assertEquals(name, names.putIfAbsent(cell(name)).name);
        }
    }

    @Test
    void racingSpawnsOfOneNameHaveOneWinnerAndRacingRemovesKeepTheRest() {
        int threads = 4;
        int perThread = 5_000;
        for (int round = 0; round < 10; round++) {
            ActorNames names = new ActorNames();
            List<List<ActorCell<?>>> contenders = new ArrayList<>();
            List<List<ActorCell<?>>> fresh = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<ActorCell<?>> cs = new ArrayList<>();
                List<ActorCell<?>> fs = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    cs.add(cell("shared" + i)); // every thread tries every name
                    fs.add(cell("t" + t + "-" + i)); // and later some of its own
                }
                contenders.add(cs);
                fresh.add(fs);
            }
            Set<ActorCell<?>>[] won = newSets(threads);
            Race.race(threads, t -> {
                for (ActorCell<?> c : contenders.get(t)) {
                    if (names.putIfAbsent(c) == null) {
                        won[t].add(c);
                    }
                }
            });
            Set<ActorCell<?>> winners = new HashSet<>();
            for (Set<ActorCell<?>> s : won) {
                winners.addAll(s);
            }
            assertEquals(perThread, winners.size(), "each name won exactly once");
            assertEquals(winners, new HashSet<>(names.snapshot()));

            // each thread removes every other of its wins while all insert their own new names
            Race.race(threads, t -> {
                int k = 0;
                List<ActorCell<?>> mine = fresh.get(t);
                for (ActorCell<?> c : won[t]) {
                    if (k % 2 == 0) {
                        assertTrue(names.remove(c));
                    }
                    assertNull(names.putIfAbsent(mine.get(k++)));
                }
            });
            Set<ActorCell<?>> expected = new HashSet<>();
            for (int t = 0; t < threads; t++) {
                int k = 0;
                for (ActorCell<?> c : won[t]) {
                    if (k % 2 != 0) {
                        expected.add(c);
                    }
                    expected.add(fresh.get(t).get(k++));
                }
            }
            assertEquals(expected, new HashSet<>(names.snapshot()));
            assertEquals(expected.size(), names.size());
        }
    }

    @Test
    void aChildSpawnedWhileItsParentEndsIsRefusedOrStopped() {
        for (int round = 0; round < 300; round++) {
            ActorCell<Object> parent = (ActorCell<Object>) (ActorRef<?>) system.spawn("parent" + round,
                    () -> (ctx, m) -> Behaviors.stopped());
            AtomicReference<ActorRef<?>> child = new AtomicReference<>();
            Race.race(() -> parent.tell("stop"), () -> {
                try {
                    child.set(system.spawnCell(parent, "child", () -> (ctx, m) -> Behaviors.same(), ActorOptions.defaults()));
                } catch (IllegalStateException refused) {
                    assertTrue(refused.getMessage().contains("has stopped"), refused.getMessage());
                }
            });
            ActorTestKit.awaitTerminated(parent);
            if (child.get() != null) { // spawned before the end: the end stops it (it never hangs on)
                ActorTestKit.awaitTerminated(child.get());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<ActorCell<?>>[] newSets(int n) {
        Set<ActorCell<?>>[] sets = new Set[n];
        for (int i = 0; i < n; i++) {
            sets[i] = new LinkedHashSet<>();
        }
        return sets;
    }
}
