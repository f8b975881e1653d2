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
 * bounded(2), many producers and consumers: every concurrent history of {@code trySend},
 * {@code sendAsync} (its status when it returns: done or pending) and {@code poll} is explained
 * by a sequential order of the same calls on a fresh channel. Pending sendAsyncs are moved in by
 * the sender drain as polls make room. Blocking send/receive are left out (a sequential
 * specification cannot block); sendAsync covers the waiting-sender path.
 */
@Tag("lincheck")
public class BoundedChannelLincheckTest {

    private final Channel<Integer> ch = Channels.bounded(2);

    @Operation
    public SendResult trySend(@Param(gen = IntGen.class, conf = "1:4") int item) {
        return ch.trySend(item);
    }

    @Operation
    public String sendAsync(@Param(gen = IntGen.class, conf = "1:4") int item) {
        return LincheckRun.status(ch.sendAsync(item));
    }

    @Operation
    public Integer poll() {
        return ch.poll();
    }

    @Test
    public void modelChecking() {
        LincheckRun.modelCheck(getClass());
    }
}
