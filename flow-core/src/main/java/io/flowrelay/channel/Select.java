package io.flowrelay.channel;

import io.flowrelay.internal.BufferedChannel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Waits on several channel operations at once and runs exactly one of them: Go's {@code select},
 * crossbeam's {@code select!}.
 *
 * <pre>{@code
 * String what = Select.<String>builder()
 *         .onReceive(orders, order -> "order " + order)
 *         .onReceive(cancels, id -> "cancel " + id, () -> "cancels closed")
 *         .onSend(audit, entry, () -> "audited")
 *         .onTimeout(Duration.ofSeconds(1), () -> "idle")
 *         .select();
 * }</pre>
 *
 * <p>Clauses:
 * <ul>
 *   <li>{@link Builder#onReceive onReceive(channel, onItem)} is ready when the channel has an item;
 *       winning, it takes that one item and runs {@code onItem} with it;</li>
 *   <li>{@link Builder#onSend onSend(channel, item, onSent)} is ready when the channel accepts
 *       {@code item} without waiting ({@link Sender#trySend} would return {@code OK}); winning, the
 *       item is in the channel (or, for a rendezvous channel, taken by a receiver) and
 *       {@code onSent} runs;</li>
 *   <li>a receive clause on a channel that is closed and drained, and a send clause on a closed
 *       channel, are ready too: they run their {@code onClosed} handler, or, if they have none,
 *       {@code select()} throws the {@link ChannelClosedException} that {@code receive()} /
 *       {@code send()} would throw (with the channel's failure as cause);</li>
 *   <li>{@link Builder#onTimeout onTimeout(d, handler)} runs {@code handler} if no clause became ready
 *       within {@code d} of the call; {@link Builder#orElse orElse(handler)} runs it at once if no
 *       clause is ready now (the select never waits).</li>
 * </ul>
 *
 * <p>Exactly one clause runs. A receive clause that does not win takes nothing from its channel
 * and a send clause that does not win puts nothing into its channel: the other channels are as
 * if the select had never looked at them.
 *
 * <p>Fairness: by default, when several clauses are ready, each is equally likely to win (the
 * clauses are tried in a fresh random order each time, as Go does), so a busy channel cannot
 * starve another. {@link Builder#biased()} tries them in declaration order instead: the first
 * ready clause wins.
 *
 * <p>Interrupts: {@code select()} throws {@link InterruptedException} if the thread is
 * interrupted when it is called, or while it waits and before a clause has won; then nothing was
 * taken, nothing sent and no handler ran. If a clause wins at the same moment as the interrupt
 * (a channel handed the select an item or took its item), that clause runs and {@code select()}
 * returns normally, with the interrupt status still set: an item is never dropped.
 *
 * <p>Backpressure: a send clause waits for room exactly as {@link Sender#send} does, behind
 * senders that were waiting before it; on a full channel with policy {@link Overflow#FAIL} it
 * waits for room too (the select is the waiting), and under the drop policies it is always ready.
 *
 * <p>Threading: a select waits by spinning briefly, then parking with {@code LockSupport} (never
 * {@code synchronized}), so it suits platform and virtual threads alike. Handlers run on the
 * selecting thread after the clause won; what they throw propagates from {@code select()}. A
 * builder may be {@code select()}ed again and again, but by one thread at a time.
 *
 * <p>The channels must come from {@link Channels}; a select may not both send to and receive from
 * one channel (for a rendezvous channel it could only ever meet itself).
 */
public final class Select {

    private Select() {
    }

    /**
     * A new, empty select.
     *
     * @param <R> what the handlers return and {@link Builder#select()} returns ({@code Void} and
     *            {@code null} if nothing)
     */
    public static <R> Builder<R> builder() {
        return new Builder<>();
    }

    /**
     * The clauses of a select; {@link #select()} runs it.
     *
     * @param <R> the result type of the handlers
     */
    public static final class Builder<R> {

        private final List<Selection.Clause> clauses = new ArrayList<>();
        private Selection.Clause[] frozen;
        private Supplier<? extends R> onTimeout;
        private long timeoutNanos = -1L;
        private Supplier<? extends R> orElse;
        private boolean biased;

        private Builder() {
        }

        /**
         * A receive clause: ready when {@code channel} has an item; runs {@code onItem} with it. If
         * the channel is closed and drained, {@code select()} throws {@link ChannelClosedException}.
         */
        public <T> Builder<R> onReceive(Channel<T> channel, Function<? super T, ? extends R> onItem) {
            return receive(channel, onItem, null);
        }

        /**
         * A receive clause that also handles the end: runs {@code onItem} with the next item, or
         * {@code onClosed} once the channel is closed and drained ({@link Channel#error()} tells
         * whether it failed). A closed channel stays ready: drop the clause from the next select.
         */
        public <T> Builder<R> onReceive(Channel<T> channel, Function<? super T, ? extends R> onItem, Supplier<? extends R> onClosed) {
            return receive(channel, onItem, Objects.requireNonNull(onClosed, "onClosed"));
        }

        /**
         * A send clause: ready when {@code channel} takes {@code item} without waiting; then
         * {@code onSent} runs. If the channel is closed, {@code select()} throws
         * {@link ChannelClosedException} and the item was not sent.
         */
        public <T> Builder<R> onSend(Channel<T> channel, T item, Supplier<? extends R> onSent) {
            return send(channel, item, onSent, null);
        }

        /** A send clause that runs {@code onClosed}, instead of throwing, if the channel is closed; the item was not sent. */
        public <T> Builder<R> onSend(Channel<T> channel, T item, Supplier<? extends R> onSent, Supplier<? extends R> onClosed) {
            return send(channel, item, onSent, Objects.requireNonNull(onClosed, "onClosed"));
        }

        /**
         * Runs {@code onTimeout} if no other clause became ready within {@code timeout} of the call
         * to {@code select()}; {@code Duration.ZERO} looks once, like {@link #orElse}.
         *
         * @throws IllegalArgumentException if {@code timeout} is negative
         * @throws IllegalStateException    if this select has a timeout or an {@code orElse} already
         */
        public Builder<R> onTimeout(Duration timeout, Supplier<? extends R> onTimeout) {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(onTimeout, "onTimeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
            }
            if (this.onTimeout != null || orElse != null) {
                throw new IllegalStateException(this.onTimeout != null ? "a select has at most one timeout"
                        : "a select with orElse never waits: it cannot also have a timeout");
            }
            long nanos;
            try {
                nanos = timeout.toNanos();
            } catch (ArithmeticException tooLong) {
                nanos = Long.MAX_VALUE; // about 292 years: as good as forever
            }
            this.timeoutNanos = nanos;
            this.onTimeout = onTimeout;
            return this;
        }

        /**
         * Runs {@code orElse} if no clause is ready when the select looks: the select never waits
         * (Go's {@code default}).
         *
         * @throws IllegalStateException if this select has an {@code orElse} or a timeout already
         */
        public Builder<R> orElse(Supplier<? extends R> orElse) {
            Objects.requireNonNull(orElse, "orElse");
            if (this.orElse != null || onTimeout != null) {
                throw new IllegalStateException(this.orElse != null ? "a select has at most one orElse"
                        : "a select with a timeout cannot also have orElse");
            }
            this.orElse = orElse;
            return this;
        }

        /** Tries the clauses in declaration order: the first ready one wins (by default the order is random). */
        public Builder<R> biased() {
            this.biased = true;
            return this;
        }

        /**
         * Waits until one clause is ready and runs it (or the timeout, or {@code orElse}).
         *
         * @return what the handler that ran returned
         * @throws InterruptedException   if interrupted on entry, or while waiting before a clause won
         * @throws ChannelClosedException if the winning clause found its channel closed and has no {@code onClosed}
         * @throws IllegalStateException  if the select has no receive or send clause
         */
        @SuppressWarnings("unchecked")
        public R select() throws InterruptedException {
            Selection.Clause[] c = frozen;
            if (c == null) {
                if (clauses.isEmpty()) {
                    throw new IllegalStateException("a select needs at least one onReceive or onSend clause");
                }
                c = clauses.toArray(new Selection.Clause[0]);
                frozen = c;
            }
            return (R) new Selection(c, biased, timeoutNanos, onTimeout, orElse).run();
        }

        @SuppressWarnings("unchecked")
        private <T> Builder<R> receive(Channel<T> channel, Function<? super T, ? extends R> onItem, Supplier<? extends R> onClosed) {
            BufferedChannel<Object> ch = kernel(channel);
            Objects.requireNonNull(onItem, "onItem");
            refuseBothWays(ch, Selection.SEND);
            add(new Selection.Clause(Selection.RECEIVE, ch, null, (Function<Object, ?>) onItem, null, onClosed));
            return this;
        }

        private <T> Builder<R> send(Channel<T> channel, T item, Supplier<? extends R> onSent, Supplier<? extends R> onClosed) {
            BufferedChannel<Object> ch = kernel(channel);
            Objects.requireNonNull(item, "item"); // RS 2.13
            Objects.requireNonNull(onSent, "onSent");
            refuseBothWays(ch, Selection.RECEIVE);
            add(new Selection.Clause(Selection.SEND, ch, item, null, onSent, onClosed));
            return this;
        }

        private void add(Selection.Clause clause) {
            clauses.add(clause);
            frozen = null;
        }

        private void refuseBothWays(BufferedChannel<Object> ch, int otherKind) {
            for (Selection.Clause c : clauses) {
                if (c.channel == ch && c.kind == otherKind) {
                    throw new IllegalArgumentException("a select cannot both send to and receive from one channel: " + ch);
                }
            }
        }

        @SuppressWarnings("unchecked")
        private static BufferedChannel<Object> kernel(Channel<?> channel) {
            Objects.requireNonNull(channel, "channel");
            if (!(channel instanceof BufferedChannel)) {
                throw new IllegalArgumentException("Select works with channels made by Channels, not " + channel.getClass().getName());
            }
            return (BufferedChannel<Object>) channel;
        }
    }
}
