package io.flowrelay.examples;

import io.flowrelay.actor.ActorSystem;
import io.flowrelay.actor.Dispatcher;
import io.flowrelay.actor.KeyedPool;
import io.flowrelay.actor.PinnedDispatcher;
import io.flowrelay.actor.PoolItem;
import io.flowrelay.actor.ShutdownReport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pinned keyed pool — the "messaging thread pool": stateful sessions by id, each living on one of
 * four dedicated threads for its whole life, so its state is a plain {@link HashMap} and
 * {@link ArrayList}. Several caller threads drive them at once with {@code ask} (one request) and
 * {@code sendAndReceive} (a batch over several sessions, answers gathered in request order).
 * Each session notes the thread of every request it handles; the program prints, per session,
 * its counts and its thread, and throws if a session ran on two threads or a request was lost.
 *
 * <pre>mvn -B -q -pl examples -am compile exec:java -Dexample=io.flowrelay.examples.PinnedSessions</pre>
 */
public final class PinnedSessions {

    private static final int SESSIONS = 8;
    private static final int CALLERS = 4;
    private static final int ROUNDS = 2_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    public static void main(String[] args) throws InterruptedException {
        ActorSystem system = ActorSystem.create("sessions");
        Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
        try (PinnedDispatcher threads = Dispatcher.pinned(4)) {
            KeyedPool<String, Command, Reply> sessions = system.keyedPool("sessions", threads, Session::new);
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= SESSIONS; i++) {
                String id = "session-" + i;
                sessions.create(id);
                ids.add(id);
                sent.put(id, new AtomicLong());
            }

            // Callers: each round, one ask to one session and one batch across three sessions.
            List<Throwable> failures = new ArrayList<>();
            CountDownLatch finished = new CountDownLatch(CALLERS);
            for (int c = 0; c < CALLERS; c++) {
                int caller = c;
                Thread t = new Thread(() -> {
                    try {
                        for (int r = 0; r < ROUNDS; r++) {
                            String id = ids.get((caller + r) % SESSIONS);
                            Reply one = sessions.ask(id, new Add("item-" + r % 5), TIMEOUT).join();
                            sent.get(id).incrementAndGet();
                            if (!one.session().equals(id)) {
                                throw new IllegalStateException("reply from " + one.session() + " to a request for " + id);
                            }
                            List<Map.Entry<String, Command>> batch = new ArrayList<>();
                            for (int k = 1; k <= 3; k++) {
                                String to = ids.get((caller + r + k) % SESSIONS);
                                batch.add(Map.entry(to, new Add("caller-" + caller)));
                            }
                            List<Reply> replies = sessions.sendAndReceive(batch, TIMEOUT).join();
                            for (int k = 0; k < batch.size(); k++) {
                                String to = batch.get(k).getKey();
                                sent.get(to).incrementAndGet();
                                if (!replies.get(k).session().equals(to)) {
                                    throw new IllegalStateException("batch reply " + k + " came from " + replies.get(k).session());
                                }
                            }
                        }
                    } catch (Throwable e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    } finally {
                        finished.countDown();
                    }
                }, "caller-" + c);
                t.start();
            }
            finished.await();
            if (!failures.isEmpty()) {
                IllegalStateException e = new IllegalStateException(failures.size() + " caller(s) failed");
                failures.forEach(e::addSuppressed);
                throw e;
            }

            // Per-session results: one more ask each, for its summary.
            long total = 0;
            for (String id : ids) {
                Reply s = sessions.ask(id, new Summary(), TIMEOUT).join();
                System.out.printf("%-10s on %-20s %,6d adds, %d distinct items, last: %s%n",
                        id, s.thread(), s.adds(), s.distinct(), s.last());
                if (s.adds() != sent.get(id).get()) {
                    throw new IllegalStateException(id + " handled " + s.adds() + " adds, callers sent " + sent.get(id));
                }
                total += s.adds();
            }
            System.out.printf("%,d requests to %d sessions on %d pinned threads from %d callers; every session stayed on its thread%n",
                    total, SESSIONS, threads.threads(), CALLERS);
            sessions.close();
            ShutdownReport report = system.shutdown(Duration.ofSeconds(5)).toCompletableFuture().join();
            System.out.printf("shutdown: completed=%b, processed=%,d, dead letters=%d%n",
                    report.completed(), report.processed(), report.deadLettered());
            if (!report.completed()) {
                throw new IllegalStateException("shutdown did not complete: " + report.unfinished());
            }
        } finally {
            system.shutdown(Duration.ofSeconds(5)); // no-op if already shut down; returns the same stage
        }
    }

    /** What a session is asked to do. */
    sealed interface Command permits Add, Summary {
    }

    /** Records an item. */
    record Add(String item) implements Command {
    }

    /** Asks for the session's summary. */
    record Summary() implements Command {
    }

    /** A session's answer: who answered, on which thread, and its counts so far. */
    record Reply(String session, String thread, long adds, int distinct, String last) {
    }

    /** One session: plain collections, safe because it only ever runs on its pinned thread. */
    static final class Session implements PoolItem<Command, Reply> {
        private final String id;
        private final Map<String, Integer> counts = new HashMap<>();
        private final List<String> history = new ArrayList<>();
        private Thread home;

        Session(String id) {
            this.id = id;
        }

        @Override
        public Reply handle(Command command) {
            Thread current = Thread.currentThread();
            if (home == null) {
                home = current;
            } else if (home != current) {
                throw new IllegalStateException(id + " moved from " + home.getName() + " to " + current.getName());
            }
            if (command instanceof Add add) {
                counts.merge(add.item(), 1, Integer::sum);
                history.add(add.item());
            }
            String last = history.isEmpty() ? "-" : history.get(history.size() - 1);
            return new Reply(id, home.getName(), history.size(), counts.size(), last);
        }
    }
}
