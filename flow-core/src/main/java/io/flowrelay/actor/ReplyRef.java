package io.flowrelay.actor;

import io.flowrelay.channel.SendResult;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The one-shot reply handle of an ask: its first {@code tell} completes the asker's future; any
 * later one (after a timeout, or a second reply) goes to dead letters.
 *
 * <p>Its path ({@code <target>/$ask}) is made only when asked for: an ask does not pay for it.
 *
 * @param <R> reply type
 */
final class ReplyRef<R> implements ActorRef<R> {

    private final ActorSystemImpl sys;
    private final CompletableFuture<R> future;
    private final ActorRef<?> target;
    private String path; // benign race: made on demand, the same string by any thread

    ReplyRef(ActorSystemImpl sys, CompletableFuture<R> future, ActorRef<?> target) {
        this.sys = sys;
        this.future = future;
        this.target = target;
    }

    @Override
    public String path() {
        String p = path;
        if (p == null) {
            p = target.path() + "/$ask";
            path = p;
        }
        return p;
    }

    @Override
    public SendResult tell(R reply) {
        Objects.requireNonNull(reply, "reply");
        if (future.complete(reply)) {
            return SendResult.OK;
        }
        sys.deadLetter(this, reply, DeadLetter.Reason.LATE_REPLY, null);
        return SendResult.CLOSED;
    }

    @Override
    public <X> CompletableFuture<X> ask(Function<ActorRef<X>, ? extends R> request, Duration timeout) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("a reply handle cannot be asked: " + path()));
    }

    @Override
    public MailboxStats stats() {
        return new MailboxStats(0, future.isDone() ? 1 : 0, 0, 0);
    }

    @Override
    public boolean isTerminated() {
        return future.isDone();
    }

    @Override
    public String toString() {
        return "ReplyRef[" + path() + "]";
    }
}
