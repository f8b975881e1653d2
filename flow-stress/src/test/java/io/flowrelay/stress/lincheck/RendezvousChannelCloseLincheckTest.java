package io.flowrelay.stress.lincheck;

import io.flowrelay.channel.Channel;
import io.flowrelay.channel.Channels;
import io.flowrelay.channel.SendResult;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * rendezvous (a pending sendAsync's item is taken straight from its waiter) with close(): one producer at a time (sends and close in the "producer" non-parallel group,
 * see {@link LincheckRun} for why) against concurrent consumers: {@code close} fails pending
 * sendAsyncs, keeps what was sent for {@code poll}, and {@code isTerminated} turns true exactly
 * when the closed channel is drained. A sendAsync's status is "accepted" (taken or waiting) or
 * "closed": see the comment in {@link #sendAsync}.
 */
@Tag("lincheck")
public class RendezvousChannelCloseLincheckTest {

    private final Channel<Integer> ch = Channels.rendezvous();

    @Operation(nonParallelGroup = "producer")
    public SendResult trySend(@Param(gen = IntGen.class, conf = "1:4") int item) {
        return ch.trySend(item);
    }

    @Operation(nonParallelGroup = "producer")
    public String sendAsync(@Param(gen = IntGen.class, conf = "1:4") int item) {
        String s = LincheckRun.status(ch.sendAsync(item));
        // a rendezvous send completes only when a consumer takes it: "OK" at return means a
        // concurrent poll took it, which no sequential history can show (poll is no parked
        // receiver). Taken or still waiting are one outcome here; refused stays distinct.
        return s.equals("OK") || s.equals("PENDING") ? "ACCEPTED" : s;
    }

    @Operation(nonParallelGroup = "producer")
    public void close() {
        ch.close();
    }

    @Operation
    public Integer poll() {
        return ch.poll();
    }

    @Operation
    public boolean isTerminated() {
        return ch.isTerminated();
    }

    @Test
    public void modelChecking() {
        LincheckRun.modelCheck(getClass());
    }
}
