package io.flowrelay.stress.support;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.SendResult;

/**
 * The race of a channel's lone subscriber going to sleep against a send: one actor asks for an
 * item (which runs the subscriber's loop on an {@link Inline} executor; it finds nothing and
 * sleeps, asking its buffer to wake it), the other sends one. The outcome must be the item
 * delivered, never left in the channel while the subscriber has demand and sleeps. Shared by the
 * tests of each buffer that carries the wake-up request ({@code MpscRingStress},
 * {@code MpscChunkQueueStress}).
 */
public final class SleepVsSend {

    /** The only acceptable outcome. */
    public static final String DELIVERED = "OK, next=1, left=0, bad=0";
    /** The lost wake-up. */
    public static final String STRANDED = "OK, next=0, left=1, bad=0";

    private final Channel<Integer> ch;
    private final SignalLog<Integer> log = SignalLog.requesting(0);
    private volatile SendResult sent;

    /** @param ch a channel on the {@link Inline} executor, used by nobody else */
    public SleepVsSend(Channel<Integer> ch) {
        this.ch = ch;
        ch.subscribe(log);
        ch.trySend(0); // creates the buffer (and uses up the wake-up a new buffer asks for)
        ch.poll();
    }

    /** Actor 1: demand for one item; the loop runs here, finds nothing and sleeps. */
    public void demand() {
        log.request(1);
    }

    /** Actor 2: the send. */
    public void send() {
        sent = ch.trySend(1);
    }

    /** Arbiter: what was sent, delivered, left in the channel, and any rule broken. */
    public String outcome() {
        int left = ch.size();
        return sent + ", next=" + log.nexts() + ", left=" + left + ", bad=" + log.violations();
    }
}
