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
 * <p>It is also the ask's timeout entry ({@link DeferredTimeouts.Entry}): an ask allocates its
 * future and this handle, nothing else. Its path ({@code <target>/$ask}) is made only when asked for.
 *
 * @param <R> reply type
 */
final class ReplyRef<R> extends DeferredTimeouts.Entry<R> implements ActorRef<R> {

    private final ActorSystemImpl sys;
    private final ActorRef<?> target;
    private String path; // benign race: made on demand, the same string by any thread

    ReplyRef(ActorSystemImpl sys, CompletableFuture<R> future, ActorRef<?> target, Duration timeout) {
        super(future, timeout);
        this.sys = sys;
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
    String what() {
        return "ask to " + target.path();
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
