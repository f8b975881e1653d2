package io.flowrelay.actor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static io.flowrelay.actor.ActorTestKit.WAIT;
import static io.flowrelay.actor.ActorTestKit.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where actors run: pinned threads, a caller's executor, virtual threads. */
class DispatcherTest {

    private final ActorTestKit kit = new ActorTestKit();

    @AfterEach
    void tearDown() throws Exception {
        kit.close();
    }

    record Add(String key) {
    }

    record Report(Map<String, Integer> counts, Set<String> threads, boolean allVirtual) {
    }

    record GetReport(ActorRef<Report> replyTo) {
    }

    /** Plain, non-thread-safe state; records every thread it ran on. */
    static final class Tally extends Actor<Object> {
        private final HashMap<String, Integer> counts = new HashMap<>();
        private final HashSet<String> threads = new HashSet<>();
        private final Method isVirtual;
        private boolean allVirtual = true;

        Tally(Method isVirtual) {
            this.isVirtual = isVirtual;
        }

        private void note() throws Exception {
            Thread t = Thread.currentThread();
            threads.add(t.getName() + "#" + t.getId());
            if (isVirtual == null || !(Boolean) isVirtual.invoke(t)) {
                allVirtual = false;
            }
        }

        @Override
        public void preStart(ActorContext<Object> ctx) throws Exception {
            note();
        }

        @Override
        public Behavior<Object> receive(ActorContext<Object> ctx, Object msg) throws Exception {
            note();
            if (msg instanceof Add a) {
                counts.merge(a.key(), 1, Integer::sum);
            } else if (msg instanceof GetReport g) {
                g.replyTo().tell(new Report(Map.copyOf(counts), Set.copyOf(threads), allVirtual));
            }
            return Behaviors.same();
        }
    }

    @Test
    void aPinnedActorRunsOnOneThreadForItsWholeLife() {
        PinnedDispatcher pinned = kit.pinned("pin", 2);
        assertEquals(2, pinned.threads());
        ActorSystem system = kit.system("pinned");
        int actors = 4;
        int callers = 4;
        int perCaller = 5_000;
        List<ActorRef<Object>> refs = new ArrayList<>();
        for (int i = 0; i < actors; i++) {
            refs.add(system.spawn("tally-" + i, () -> new Tally(null), ActorOptions.defaults().dispatcher(pinned)));
        }
        ActorTestKit.race(callers, c -> {
            for (int i = 0; i < perCaller; i++) {
                refs.get(i % actors).tell(new Add("caller-" + c));
            }
        });
        List<String> threadOf = new ArrayList<>();
        for (ActorRef<Object> ref : refs) {
            Report r = get(ref.<Report>ask(GetReport::new, WAIT));
            assertEquals(1, r.threads().size(), ref.path() + " ran on " + r.threads());
            String thread = r.threads().iterator().next();
            assertTrue(thread.startsWith("flowrelay-pin-"), thread);
            threadOf.add(thread);
            for (int c = 0; c < callers; c++) {
                assertEquals(perCaller / actors, r.counts().get("caller-" + c), ref.path() + " caller " + c);
            }
        }
        // round robin over the two threads
        assertEquals(threadOf.get(0), threadOf.get(2));
        assertEquals(threadOf.get(1), threadOf.get(3));
        assertNotEquals(threadOf.get(0), threadOf.get(1));
    }

    @Test
    void actorsRunOnACallerSuppliedExecutor() {
        AtomicInteger tasks = new AtomicInteger();
        AtomicInteger ids = new AtomicInteger();
        ExecutorService pool = kit.executor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "caller-exec-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        }));
        Executor counting = task -> {
            tasks.incrementAndGet();
            pool.execute(task);
        };
        Dispatcher dispatcher = Dispatcher.fromExecutor(counting, 8);
        assertEquals(8, dispatcher.throughput());

        // as the system's default, and per actor on a system with the shared default
        ActorSystem custom = kit.system(ActorSystem.builder("custom-exec").dispatcher(dispatcher));
        ActorSystem shared = kit.system("shared-exec");
        List<ActorRef<Object>> refs = List.of(
                custom.spawn("tally", () -> new Tally(null)),
                shared.spawn("tally", () -> new Tally(null), ActorOptions.defaults().dispatcher(dispatcher)));
        for (ActorRef<Object> ref : refs) {
            for (int i = 0; i < 1_000; i++) {
                ref.tell(new Add("k"));
            }
            Report r = get(ref.<Report>ask(GetReport::new, WAIT));
            assertEquals(1_000, r.counts().get("k"));
            for (String t : r.threads()) {
                assertTrue(t.startsWith("caller-exec-"), ref.path() + " ran on " + t);
            }
        }
        assertTrue(tasks.get() >= 2, "the executor ran the actors' turns: " + tasks.get());
        ActorRef<Object> onShared = shared.spawn("default", () -> new Tally(null));
        Report r = get(onShared.<Report>ask(GetReport::new, WAIT));
        for (String t : r.threads()) {
            assertTrue(t.startsWith("flowrelay-"), "the shared pool by default: " + t);
        }
    }

    @Test
    void actorsRunOnVirtualThreadsOnJdk21AndLater() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
        ExecutorService virtual = kit.executor(
                (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null));
        Method isVirtual = Thread.class.getMethod("isVirtual");
        ActorSystem system = kit.system(ActorSystem.builder("virtual").dispatcher(Dispatcher.fromExecutor(virtual)));
        int actors = 200;
        List<ActorRef<Object>> refs = new ArrayList<>();
        for (int i = 0; i < actors; i++) {
            refs.add(system.spawn("v-" + i, () -> new Tally(isVirtual)));
        }
        ActorTestKit.race(4, c -> {
            for (int i = 0; i < 10_000; i++) {
                refs.get(i % actors).tell(new Add("c" + c));
            }
        });
        for (ActorRef<Object> ref : refs) {
            Report r = get(ref.<Report>ask(GetReport::new, WAIT));
            assertTrue(r.allVirtual(), ref.path() + " ran on a platform thread: " + r.threads());
            for (int c = 0; c < 4; c++) {
                assertEquals(10_000 / actors, r.counts().get("c" + c));
            }
        }
    }

    @Test
    void dispatchersRejectBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Dispatcher.pinned(0));
        assertThrows(IllegalArgumentException.class, () -> Dispatcher.pinned("x", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Dispatcher.fromExecutor(Runnable::run, 0));
        assertThrows(NullPointerException.class, () -> Dispatcher.fromExecutor(null));
    }

    @Test
    void aClosedPinnedDispatcherRunsWhatWasQueuedThenStops() {
        ConcurrentHashMap<String, Boolean> ran = new ConcurrentHashMap<>();
        PinnedDispatcher d = Dispatcher.pinned("closing", 1, 4);
        Executor e = d.assign();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        e.execute(() -> ran.put("queued", true));
        d.close();
        ActorTestKit.waitUntil(() -> ran.containsKey("queued"), "the queued task ran");
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> e.execute(done::countDown));
    }

    @Test
    void actorOnAClosedPinnedDispatcherEndsAndItsMessagesBecomeDeadLetters() {
        PinnedDispatcher pinned = kit.pinned("closing", 1);
        ActorSystem system = kit.system("closed-pinned");
        DeadLetterCollector letters = ActorTestKit.deadLetters(system);
        CountDownLatch started = new CountDownLatch(1);
        ActorRef<String> ref = system.spawn("on-closed", () -> new Actor<String>() {
            @Override
            public void preStart(ActorContext<String> ctx) {
                started.countDown();
            }

            @Override
            public Behavior<String> receive(ActorContext<String> ctx, String message) {
                return Behaviors.same();
            }
        }, ActorOptions.defaults().dispatcher(pinned));
        ActorTestKit.await(started, "actor started on the pinned thread");
        // preStart runs inside the actor's first turn; a tell that came before that turn has left
        // would be handled by it. Wait until the pinned thread is idle (parked): the turn is over.
        ActorTestKit.waitUntil(() -> Thread.getAllStackTraces().keySet().stream().anyMatch(t ->
                t.getName().equals("flowrelay-closing-0") && t.getState() == Thread.State.WAITING),
                "the pinned thread to go idle after the first turn");
        pinned.close(); // the actor's thread is gone: its turn loop can never run again

        ref.tell("after close"); // the loop's hand-off is refused: the actor ends here
        ActorTestKit.awaitTerminated(ref);
        DeadLetter letter = letters.await(DeadLetterCollector.of(ref, DeadLetter.Reason.STOPPED), 1).get(0);
        assertEquals("after close", letter.message());
        assertTrue(letter.cause() instanceof java.util.concurrent.RejectedExecutionException, () -> "cause " + letter.cause());
        assertEquals(io.flowrelay.channel.SendResult.CLOSED, ref.tell("later"));
    }
}
