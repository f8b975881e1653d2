package io.flowrelay.channel;

import io.flowrelay.test.Await;
import io.flowrelay.test.Forked;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What one select does: which clause runs, what the other channels look like afterwards (as if
 * the select had not looked at them), timeouts, defaults, closed channels, interrupts, fairness,
 * and bad input. Concurrency at volume is in {@link SelectRaceTest}.
 */
@Timeout(60) // a lost wake-up shows as a failure with the stuck thread's stack, not as a hung build
class SelectTest {

    /** Everything left in {@code ch}, polled. */
    static <T> List<T> drain(Channel<T> ch) {
        List<T> out = new ArrayList<>();
        T v;
        while ((v = ch.poll()) != null) {
            out.add(v);
        }
        return out;
    }

    static Channel<Integer> full(int a, int b) {
        Channel<Integer> c = Channels.bounded(2);
        assertEquals(SendResult.OK, c.trySend(a));
        assertEquals(SendResult.OK, c.trySend(b));
        assertEquals(SendResult.FULL, c.trySend(-1));
        return c;
    }

    // ------------------------------------------------------------------ ready clauses

    @Test
    void aReadyReceiveClauseRunsAndTheOtherChannelIsUntouched() throws Exception {
        Channel<Integer> a = Channels.bounded(8);
        Channel<Integer> b = Channels.bounded(8);
        b.send(7);
        String r = Select.<String>builder()
                .onReceive(a, v -> "a:" + v)
                .onReceive(b, v -> "b:" + v)
                .select();
        assertEquals("b:7", r);
        assertEquals(0, a.size());
        assertEquals(0, b.size());
    }

    @Test
    void aReadySendClauseSendsAndTheReceiveChannelKeepsItsItems() throws Exception {
        Channel<Integer> in = Channels.bounded(8);
        Channel<Integer> out = Channels.bounded(8);
        // in is empty, out has room: the send clause is the only ready one
        String r = Select.<String>builder()
                .onReceive(in, v -> "in:" + v)
                .onSend(out, 42, () -> "sent")
                .select();
        assertEquals("sent", r);
        assertEquals(List.of(42), drain(out));
        assertEquals(0, in.size());
    }

    @Test
    void aSendClauseToAFullChannelDoesNotEnqueueWhenTheReceiveWins() throws Exception {
        Channel<Integer> in = Channels.bounded(8);
        Channel<Integer> out = full(1, 2);
        in.send(9);
        String r = Select.<String>builder()
                .onSend(out, 3, () -> "sent")
                .onReceive(in, v -> "in:" + v)
                .select();
        assertEquals("in:9", r);
        assertEquals(List.of(1, 2), drain(out));
        assertEquals(SendResult.OK, out.trySend(4), "no stale select left behind in the senders");
    }

    @Test
    void biasedTakesTheFirstReadyClauseInDeclarationOrder() throws Exception {
        Channel<Integer> a = Channels.unbounded();
        Channel<Integer> b = Channels.unbounded();
        for (int i = 0; i < 100; i++) {
            a.send(i);
            b.send(i);
        }
        Select.Builder<String> s = Select.<String>builder().onReceive(a, v -> "a").onReceive(b, v -> "b").biased();
        for (int i = 0; i < 100; i++) {
            assertEquals("a", s.select());
        }
        assertEquals(100, b.size(), "b was never touched");
        assertEquals("b", s.select(), "a is empty now");
        assertEquals(99, b.size());
    }

    /** The never-ready clause sits first, in the middle or last: a mere rotation would favour one of the two ready ones. */
    @ParameterizedTest(name = "empty clause at {0}")
    @ValueSource(ints = {0, 1, 2})
    void fairSelectGivesEveryReadyClauseItsShare(int emptyAt) throws Exception {
        int rounds = 20_000;
        Channel<Integer> a = Channels.unbounded();
        Channel<Integer> b = Channels.unbounded();
        Channel<Integer> never = Channels.unbounded();
        for (int i = 0; i < rounds; i++) {
            a.send(i);
            b.send(i);
        }
        List<Channel<Integer>> order = new ArrayList<>(List.of(a, b));
        order.add(emptyAt, never);
        Select.Builder<Channel<Integer>> s = Select.builder();
        for (Channel<Integer> c : order) {
            s.onReceive(c, v -> c);
        }
        int fromA = 0;
        for (int i = 0; i < rounds; i++) {
            if (s.select() == a) {
                fromA++;
            }
        }
        // binomial(20000, 0.5): sd about 71; 47 %..53 % is more than 8 sd
        int fa = fromA;
        assertTrue(fromA > rounds * 47 / 100 && fromA < rounds * 53 / 100, () -> "a won " + fa + " of " + rounds);
        assertEquals(rounds - fromA, a.size());
        assertEquals(fromA, b.size());
    }

    @Test
    void twoReceiveClausesOnOneChannelTakeOneItem() throws Exception {
        Channel<Integer> a = Channels.bounded(8);
        a.send(1);
        a.send(2);
        String r = Select.<String>builder().onReceive(a, v -> "x" + v).onReceive(a, v -> "y" + v).select();
        assertTrue(r.equals("x1") || r.equals("y1"), r);
        assertEquals(List.of(2), drain(a));
    }

    @Test
    void twoSendClausesToOneFullChannelSendOneItem() throws Exception {
        Channel<Integer> c = full(1, 2);
        Forked<String> f = Forked.start("selector", () -> Select.<String>builder()
                .onSend(c, 10, () -> "ten")
                .onSend(c, 20, () -> "twenty")
                .select());
        Await.parkedInChannel(f.thread());
        assertEquals(1, c.poll());
        String r = f.join();
        assertEquals(List.of(2, r.equals("ten") ? 10 : 20), drain(c));
    }

    @Test
    void aBuilderCanBeSelectedAgainAndAgain() throws Exception {
        Channel<Integer> a = Channels.bounded(8);
        AtomicInteger sum = new AtomicInteger();
        Select.Builder<Void> s = Select.<Void>builder().onReceive(a, v -> {
            sum.addAndGet(v);
            return null;
        });
        for (int i = 1; i <= 5; i++) {
            a.send(i);
            s.select();
        }
        assertEquals(15, sum.get());
    }

    // ------------------------------------------------------------------ waiting

    @Test
    void aParkedSelectReceivesWhatArrivesOnAnyChannel() throws Exception {
        Channel<Integer> a = Channels.bounded(8);
        Channel<Integer> b = Channels.unbounded();
        Forked<String> f = Forked.start("selector", () -> Select.<String>builder()
                .onReceive(a, v -> "a:" + v)
                .onReceive(b, v -> "b:" + v)
                .onTimeout(Duration.ofMinutes(1), () -> "timeout")
                .select());
        Await.parkedInChannel(f.thread());
        b.send(5);
        assertEquals("b:5", f.join());
        assertEquals(0, a.size() + b.size());
    }

    @Test
    void aRendezvousSenderHandsItsItemToAParkedSelect() throws Exception {
        Channel<String> a = Channels.rendezvous();
        Channel<String> b = Channels.bounded(4);
        Forked<String> f = Forked.start("selector", () -> Select.<String>builder()
                .onReceive(a, v -> "a:" + v)
                .onReceive(b, v -> "b:" + v)
                .select());
        Await.parkedInChannel(f.thread());
        assertEquals(SendResult.OK, a.trySend("x"), "the parked select is a waiting receiver");
        assertEquals("a:x", f.join());
        assertEquals(SendResult.FULL, a.trySend("y"), "and it is gone once it has won");
    }

    @Test
    void aParkedSendToARendezvousChannelIsTakenByAReceiver() throws Exception {
        Channel<String> r = Channels.rendezvous();
        Channel<String> other = Channels.bounded(4);
        Forked<String> f = Forked.start("selector", () -> Select.<String>builder()
                .onSend(r, "x", () -> "sent")
                .onReceive(other, v -> "other:" + v)
                .select());
        Await.parkedInChannel(f.thread());
        assertEquals("x", r.receive());
        assertEquals("sent", f.join());
        assertNull(r.poll());
        assertEquals(SendResult.OK, other.trySend("o"));
        assertEquals(List.of("o"), drain(other));
    }

    @Test
    void aParkedSendToAFullChannelGoesInWhenRoomIsMade() throws Exception {
        Channel<Integer> c = full(1, 2);
        Channel<Integer> in = Channels.bounded(4);
        Forked<String> f = Forked.start("selector", () -> Select.<String>builder()
                .onSend(c, 3, () -> "sent")
                .onReceive(in, v -> "in:" + v)
                .select());
        Await.parkedInChannel(f.thread());
        assertEquals(1, c.poll());
        assertEquals("sent", f.join());
        assertEquals(List.of(2, 3), drain(c));
        in.send(4);
        assertEquals(List.of(4), drain(in), "the receive clause took nothing");
    }

    @Test
    void aParkedSendToAFullChannelEnqueuesNothingWhenTheReceiveWins() throws Exception {
        Channel<Integer> c = full(1, 2);
        Channel<Integer> in = Channels.bounded(4);
        Forked<String> f = Forked.start("selector", () -> Select.<String>builder()
                .onSend(c, 3, () -> "sent")
                .onReceive(in, v -> "in:" + v)
                .select());
        Await.parkedInChannel(f.thread());
        in.send(9);
        assertEquals("in:9", f.join());
        assertEquals(List.of(1, 2), drain(c));
        assertEquals(SendResult.OK, c.trySend(5), "no stale select waiter holds the senders' queue");
        assertEquals(List.of(5), drain(c));
    }

    @Test
    void aSendClauseOnAFailPolicyChannelWaitsForRoom() throws Exception {
        Channel<Integer> c = Channels.<Integer>builder().capacity(2).overflow(Overflow.FAIL).build();
        c.send(1);
        c.send(2);
        Forked<String> f = Forked.start("selector", () -> Select.<String>builder().onSend(c, 3, () -> "sent").select());
        Await.parkedInChannel(f.thread());
        assertEquals(1, c.poll());
        assertEquals("sent", f.join());
        assertEquals(List.of(2, 3), drain(c));
    }

    // ------------------------------------------------------------------ timeout and default

    @Test
    void orElseRunsWhenNothingIsReadyAndTouchesNothing() throws Exception {
        Channel<Integer> in = Channels.bounded(4);
        Channel<Integer> out = full(1, 2);
        String r = Select.<String>builder()
                .onReceive(in, v -> "in")
                .onSend(out, 3, () -> "sent")
                .orElse(() -> "default")
                .select();
        assertEquals("default", r);
        assertEquals(List.of(1, 2), drain(out));
        assertEquals(SendResult.OK, in.trySend(1));
        assertEquals(List.of(1), drain(in));
    }

    @Test
    void orElseDoesNotRunWhenAClauseIsReady() throws Exception {
        Channel<Integer> in = Channels.bounded(4);
        in.send(1);
        assertEquals("in:1", Select.<String>builder().onReceive(in, v -> "in:" + v).orElse(() -> "default").select());
    }

    @Test
    void theTimeoutRunsOnceTheDeadlineHasPassed() throws Exception {
        Channel<Integer> a = Channels.bounded(4);
        Channel<Integer> b = Channels.rendezvous();
        long t0 = System.nanoTime();
        String r = Select.<String>builder()
                .onReceive(a, v -> "a")
                .onReceive(b, v -> "b")
                .onTimeout(Duration.ofMillis(50), () -> "timeout")
                .select();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("timeout", r);
        assertTrue(ms >= 50, () -> "returned after " + ms + " ms");
        assertEquals(SendResult.FULL, b.trySend(1), "no waiter left in the rendezvous channel");
        assertEquals(SendResult.OK, a.trySend(1));
    }

    @Test
    void aZeroTimeoutLooksOnce() throws Exception {
        Channel<Integer> a = Channels.bounded(4);
        assertEquals("timeout", Select.<String>builder().onReceive(a, v -> "a").onTimeout(Duration.ZERO, () -> "timeout").select());
        a.send(1);
        assertEquals("a", Select.<String>builder().onReceive(a, v -> "a").onTimeout(Duration.ZERO, () -> "timeout").select());
    }

    @Test
    void anEnormousTimeoutIsNoTimeout() throws Exception {
        Channel<Integer> a = Channels.bounded(4);
        Forked<String> f = Forked.start("selector", () -> Select.<String>builder()
                .onReceive(a, v -> "a:" + v)
                .onTimeout(Duration.ofSeconds(Long.MAX_VALUE), () -> "timeout")
                .select());
        Await.parkedInChannel(f.thread());
        a.send(1);
        assertEquals("a:1", f.join());
    }

    // ------------------------------------------------------------------ closed channels

    @Test
    void aReceiveClauseOnAClosedChannelGetsTheRestThenOnClosed() throws Exception {
        Channel<Integer> a = Channels.bounded(4);
        Channel<Integer> b = Channels.bounded(4);
        a.send(1);
        a.close();
        Select.Builder<String> s = Select.<String>builder()
                .onReceive(a, v -> "a:" + v, () -> "a closed")
                .onReceive(b, v -> "b:" + v)
                .biased();
        assertEquals("a:1", s.select());
        assertEquals("a closed", s.select());
        assertEquals("a closed", s.select(), "a closed channel stays ready");
    }

    @Test
    void withoutOnClosedAClosedReceiveThrows() throws Exception {
        Channel<Integer> a = Channels.bounded(4);
        a.close();
        ChannelClosedException e = assertThrows(ChannelClosedException.class,
                () -> Select.<String>builder().onReceive(a, v -> "a").select());
        assertNull(e.getCause());
        Channel<Integer> f = Channels.bounded(4);
        IllegalStateException boom = new IllegalStateException("boom");
        f.fail(boom);
        e = assertThrows(ChannelClosedException.class, () -> Select.<String>builder().onReceive(f, v -> "f").select());
        assertSame(boom, e.getCause());
    }

    @Test
    void aSendClauseOnAClosedChannelRunsOnClosedAndSendsNothing() throws Exception {
        Channel<Integer> c = Channels.bounded(4);
        c.close();
        assertEquals("closed", Select.<String>builder().onSend(c, 1, () -> "sent", () -> "closed").select());
        assertThrows(ChannelClosedException.class, () -> Select.<String>builder().onSend(c, 1, () -> "sent").select());
        assertNull(c.poll());
        assertTrue(c.isTerminated());
    }

    @Test
    void closingAChannelWakesAParkedReceiveClause() throws Exception {
        Channel<Integer> a = Channels.bounded(4);
        Channel<Integer> b = Channels.rendezvous();
        Forked<String> f = Forked.start("selector", () -> Select.<String>builder()
                .onReceive(a, v -> "a:" + v, () -> "a closed")
                .onReceive(b, v -> "b:" + v, () -> "b closed")
                .select());
        Await.parkedInChannel(f.thread());
        b.close();
        assertEquals("b closed", f.join());
    }

    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(ints = {0, 2})
    void closingAChannelWakesAParkedSendClause(int capacity) throws Exception {
        Channel<Integer> c = capacity == 0 ? Channels.rendezvous() : full(1, 2);
        Channel<Integer> in = Channels.bounded(4);
        Forked<String> f = Forked.start("selector", () -> Select.<String>builder()
                .onSend(c, 3, () -> "sent", () -> "closed")
                .onReceive(in, v -> "in")
                .select());
        Await.parkedInChannel(f.thread());
        c.close();
        assertEquals("closed", f.join());
        assertEquals(capacity == 0 ? List.of() : List.of(1, 2), drain(c), "the select's item did not go in");
    }

    // ------------------------------------------------------------------ interrupts

    @Test
    void anInterruptOnEntryThrowsAndTakesNothing() throws Exception {
        Channel<Integer> a = Channels.bounded(4);
        a.send(1);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> Select.<String>builder().onReceive(a, v -> "a").select());
        assertFalse(Thread.currentThread().isInterrupted(), "the status is cleared, as by any InterruptedException");
        assertEquals(List.of(1), drain(a));
    }

    @Test
    void anInterruptWhileParkedThrowsAndLeavesNoWaiterBehind() throws Exception {
        Channel<Integer> a = Channels.rendezvous();
        Channel<Integer> c = full(1, 2);
        Forked<String> f = Forked.start("selector", () -> Select.<String>builder()
                .onReceive(a, v -> "a")
                .onSend(c, 3, () -> "sent")
                .select());
        Await.parkedInChannel(f.thread());
        f.thread().interrupt();
        assertInstanceOf(InterruptedException.class, f.failure());
        assertEquals(SendResult.FULL, a.trySend(9), "the select no longer waits on a");
        assertEquals(List.of(1, 2), drain(c), "its item never went in");
        assertEquals(SendResult.OK, c.trySend(4));
    }

    @Test
    void aHandlerThatThrowsPropagatesAfterItsClauseWon() throws Exception {
        Channel<Integer> a = Channels.bounded(4);
        a.send(1);
        a.send(2);
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Select.<String>builder().onReceive(a, v -> {
                    throw boom;
                }).select());
        assertSame(boom, e);
        assertEquals(List.of(2), drain(a), "the item went to the handler");
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void aSelectWithoutChannelClausesIsRefused() {
        assertThrows(IllegalStateException.class, () -> Select.<String>builder().select());
        assertThrows(IllegalStateException.class, () -> Select.<String>builder().onTimeout(Duration.ofMillis(1), () -> "t").select());
        assertThrows(IllegalStateException.class, () -> Select.<String>builder().orElse(() -> "e").select());
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void nullsAreRefusedWhenTheClauseIsAdded() {
        Channel<Integer> a = Channels.bounded(4);
        Select.Builder<String> s = Select.builder();
        assertThrows(NullPointerException.class, () -> s.onReceive(null, v -> "x"));
        assertThrows(NullPointerException.class, () -> s.onReceive(a, null));
        assertThrows(NullPointerException.class, () -> s.onReceive(a, v -> "x", null));
        assertThrows(NullPointerException.class, () -> s.onSend(null, 1, () -> "x"));
        assertThrows(NullPointerException.class, () -> s.onSend(a, null, () -> "x"));
        assertThrows(NullPointerException.class, () -> s.onSend(a, 1, null));
        assertThrows(NullPointerException.class, () -> s.onSend(a, 1, () -> "x", null));
        assertThrows(NullPointerException.class, () -> s.onTimeout(null, () -> "x"));
        assertThrows(NullPointerException.class, () -> s.onTimeout(Duration.ZERO, null));
        assertThrows(NullPointerException.class, () -> s.orElse(null));
        assertThrows(IllegalStateException.class, s::select, "nothing was added");
    }

    @Test
    void aNegativeTimeoutIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Select.<String>builder().onTimeout(Duration.ofNanos(-1), () -> "t"));
    }

    @Test
    void timeoutAndOrElseExcludeEachOtherAndComeOnce() {
        Select.Builder<String> t = Select.<String>builder().onTimeout(Duration.ofMillis(1), () -> "t");
        assertThrows(IllegalStateException.class, () -> t.onTimeout(Duration.ofMillis(2), () -> "t"));
        assertThrows(IllegalStateException.class, () -> t.orElse(() -> "e"));
        Select.Builder<String> e = Select.<String>builder().orElse(() -> "e");
        assertThrows(IllegalStateException.class, () -> e.orElse(() -> "e"));
        assertThrows(IllegalStateException.class, () -> e.onTimeout(Duration.ofMillis(1), () -> "t"));
    }

    @Test
    void sendingToAndReceivingFromOneChannelIsRefused() {
        Channel<Integer> a = Channels.rendezvous();
        assertThrows(IllegalArgumentException.class, () -> Select.<String>builder().onReceive(a, v -> "r").onSend(a, 1, () -> "s"));
        assertThrows(IllegalArgumentException.class, () -> Select.<String>builder().onSend(a, 1, () -> "s").onReceive(a, v -> "r"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aChannelNotMadeByChannelsIsRefused() {
        Channel<Integer> foreign = (Channel<Integer>) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Channel.class},
                (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
        assertThrows(IllegalArgumentException.class, () -> Select.<String>builder().onReceive(foreign, v -> "r"));
        assertThrows(IllegalArgumentException.class, () -> Select.<String>builder().onSend(foreign, 1, () -> "s"));
    }
}
