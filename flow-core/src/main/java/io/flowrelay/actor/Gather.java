package io.flowrelay.actor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Collects replies of {@code total} asks: all of them in ask order, or the first {@code need} in
 * arrival order. Lock-free: arrivals claim a slot with one counter and publish it with another.
 *
 * @param <R> reply type
 */
final class Gather<R> {

    private final int total;
    private final int need;
    private final boolean ordered;
    private final AtomicReferenceArray<R> slots;
    private final AtomicInteger claimed = new AtomicInteger();
    private final AtomicInteger filled = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    final CompletableFuture<List<R>> result = new CompletableFuture<>();

    private Gather(int total, int need, boolean ordered) {
        this.total = total;
        this.need = need;
        this.ordered = ordered;
        this.slots = new AtomicReferenceArray<>(ordered ? total : need);
        if (need == 0) {
            result.complete(List.of());
        }
    }

    /** Every reply, in the order of the asks. */
    static <R> Gather<R> all(int total) {
        return new Gather<>(total, total, true);
    }

    /** The first {@code need} replies, in arrival order. */
    static <R> Gather<R> first(int total, int need) {
        return new Gather<>(total, need, false);
    }

    /** Attaches the {@code i}-th ask. */
    void add(int i, CompletableFuture<? extends R> ask) {
        ask.whenComplete((r, e) -> {
            if (e != null) {
                onFailure(e);
            } else {
                onReply(i, r);
            }
        });
    }

    private void onReply(int i, R r) {
        if (result.isDone()) {
            return;
        }
        int slot = ordered ? i : claimed.getAndIncrement();
        if (slot >= slots.length()) {
            return;
        }
        slots.set(slot, r);
        if (filled.incrementAndGet() == need) {
            List<R> out = new ArrayList<>(need);
            for (int k = 0; k < need; k++) {
                out.add(slots.get(k));
            }
            result.complete(out);
        }
    }

    private void onFailure(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        int failed = failures.incrementAndGet();
        if (total - failed >= need) {
            return; // enough asks may still answer
        }
        if (cause instanceof TimeoutException) {
            TimeoutException t = new TimeoutException(filled.get() + " of " + need + " needed replies came in time ("
                    + total + " asked)");
            t.initCause(cause);
            result.completeExceptionally(t);
        } else {
            result.completeExceptionally(cause);
        }
    }

    /** Replies collected so far. */
    int filled() {
        return filled.get();
    }

    @Override
    public String toString() {
        return "Gather[" + filled.get() + "/" + need + " of " + total + ", slots=" + Arrays.toString(new Object[0]) + "]";
    }
}
