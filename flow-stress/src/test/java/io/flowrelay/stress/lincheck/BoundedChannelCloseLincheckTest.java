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
 * bounded(2) with close(): one producer at a time (sends and close in the "producer" non-parallel group,
 * see {@link LincheckRun} for why) against concurrent consumers: {@code close} fails pending
 * sendAsyncs, keeps what was sent for {@code poll}, and {@code isTerminated} turns true exactly
 * when the closed channel is drained.
 */
@Tag("lincheck")
public class BoundedChannelCloseLincheckTest {

    private final Channel<Integer> ch = Channels.bounded(2);

    @Operation(nonParallelGroup = "producer")
    public SendResult trySend(@Param(gen = IntGen.class, conf = "1:4") int item) {
        return ch.trySend(item);
    }

    @Operation(nonParallelGroup = "producer")
    public String sendAsync(@Param(gen = IntGen.class, conf = "1:4") int item) {
        return LincheckRun.status(ch.sendAsync(item));
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
