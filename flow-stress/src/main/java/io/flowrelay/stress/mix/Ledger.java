package io.flowrelay.stress.mix;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The books of one round: what each send reported, where each item ended, and the invariants
 * over both. Items are {@code long}s: producer in the high half, the producer's sequence number
 * in the low half, so order per producer is a comparison.
 *
 * <ul>
 *   <li>at most once: no item is delivered (or dropped) twice;</li>
 *   <li>accounted for: an accepted item is delivered, dropped to onDrop/dead letters, or still
 *       queued at the end; a refused one is nowhere;</li>
 *   <li>per-producer order: each consumer sees each producer's items in send order;</li>
 *   <li>settled: no send is still pending once the target has ended.</li>
 * </ul>
 */
public final class Ledger {

    /** How a send ended. */
    public enum Sent { ACCEPTED, REFUSED, PENDING }

    private static final int MAX_REPORTED = 20;

    private final ConcurrentHashMap<Long, Sent> sent = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<List<Long>> consumers = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> dropped = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private volatile int violationCount;

    public static long item(int producer, int seq) {
        return ((long) producer << 32) | (seq & 0xffffffffL);
    }

    public static int producer(long item) {
        return (int) (item >>> 32);
    }

    public static String describe(long item) {
        return "p" + producer(item) + "#" + (int) item;
    }

    public void sent(long item, Sent outcome) {
        sent.put(item, outcome);
    }

    /** What one consumer took, in the order it took it. */
    public void consumed(List<Long> inOrder) {
        consumers.add(inOrder);
    }

    public void dropped(long item) {
        dropped.add(item);
    }

    public synchronized void violation(String what) {
        violationCount++;
        if (violations.size() < MAX_REPORTED) {
            violations.add(what);
        }
    }

    public int violationCount() {
        return violationCount;
    }

    public Collection<String> violations() {
        return List.copyOf(violations);
    }

    /**
     * Checks the books once the round has settled.
     *
     * @param where    the target, for messages
     * @param uncounted items that may have ended in a place counted only in bulk (dead letters):
     *                  accepted items neither delivered nor dropped must number exactly this
     */
    public void check(String where, Stats stats, long uncounted) {
        Map<Long, Integer> seen = new HashMap<>();
        long delivered = 0;
        for (List<Long> c : consumers) {
            Map<Integer, Long> last = new HashMap<>();
            for (Long v : c) {
                delivered++;
                seen.merge(v, 1, Integer::sum);
                Long prev = last.put(producer(v), v);
                if (prev != null && prev >= v) {
                    violation(where + ": a consumer saw " + describe(v) + " after " + describe(prev) + " (per-producer order)");
                }
            }
        }
        for (Long v : dropped) {
            seen.merge(v, 1, Integer::sum);
        }
        long missing = 0;
        List<Long> unseen = new ArrayList<>();
        for (Map.Entry<Long, Sent> e : sent.entrySet()) {
            int n = seen.getOrDefault(e.getKey(), 0);
            switch (e.getValue()) {
                case ACCEPTED -> {
                    if (n == 0) {
                        missing++;
                        if (unseen.size() < 8) {
                            unseen.add(e.getKey());
                        }
                    } else if (n > 1) {
                        violation(where + ": " + describe(e.getKey()) + " delivered or dropped " + n + " times");
                    }
                }
                case REFUSED -> {
                    if (n != 0) {
                        violation(where + ": " + describe(e.getKey()) + " was refused but delivered " + n + " times");
                    }
                }
                case PENDING -> violation(where + ": a send of " + describe(e.getKey()) + " is still pending after the end");
            }
        }
        for (Long v : seen.keySet()) {
            if (!sent.containsKey(v)) {
                violation(where + ": " + describe(v) + " delivered but never sent");
            }
        }
        if (missing != uncounted) {
            violation(where + ": " + missing + " accepted items neither delivered, dropped nor queued; "
                    + uncounted + " went to bulk-counted places (dead letters)"
                    + (uncounted == 0 ? "; missing: " + unseen.stream().map(Ledger::describe).toList() : ""));
        }
        long accepted = sent.values().stream().filter(s -> s == Sent.ACCEPTED).count();
        stats.accepted.add(accepted);
        stats.refused.add(sent.size() - accepted);
        stats.delivered.add(delivered);
        stats.dropped.add(dropped.size());
    }

    /** A consumer's list that only its owner appends to. */
    public static List<Long> newConsumer() {
        return new ArrayList<>();
    }
}
