package io.flowrelay.stress.mix;

import io.flowrelay.actor.DeadLetter;
import io.flowrelay.actor.DeadLetters;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;

/**
 * Collects a system's dead letters (ids of the mix's messages) so that the ledger can check them
 * one by one. DeadLetters gives each subscriber a bounded buffer and counts what it missed; letters
 * published after the system completed its dead letters reach only the count. When the tap saw
 * every letter the count shows, the check is exact; otherwise it falls back to counting.
 */
final class DeadLetterTap implements Flow.Subscriber<DeadLetter> {

    private final ConcurrentLinkedQueue<Long> ids = new ConcurrentLinkedQueue<>();
    private volatile boolean done;

    static DeadLetterTap on(DeadLetters letters) {
        DeadLetterTap tap = new DeadLetterTap();
        letters.subscribe(tap);
        return tap;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(DeadLetter letter) {
        if (letter.message() instanceof Long id) {
            ids.add(id);
        }
    }

    @Override
    public void onError(Throwable t) {
        done = true;
    }

    @Override
    public void onComplete() {
        done = true;
    }

    boolean isDone() {
        return done;
    }

    List<Long> ids() {
        return List.copyOf(ids);
    }

    /**
     * Hands the letters to the ledger: each one as a dropped item when the tap saw them all,
     * else returns how many the ledger must accept as uncounted.
     */
    long settle(DeadLetters letters, Ledger ledger, Stats stats) {
        long count = letters.count();
        stats.deadLettered.add(count);
        List<Long> seen = ids();
        if (seen.size() == count) {
            for (Long id : seen) {
                ledger.dropped(id);
            }
            return 0L;
        }
        return count; // bulk: the ledger checks the number only
    }
}
