package io.flowrelay.stress.lincheck;

import io.flowrelay.channel.Overflow;
import io.flowrelay.channel.SendResult;
import io.flowrelay.internal.BufferedChannel;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An actor's mailbox, Mailbox.bounded(2): the kernel channel in single-consumer mode (a JCTools
 * MPSC array queue). Any thread tells; one consumer at a time takes and does the after-take
 * bookkeeping, as the actor's turn loop (ActorLoop) does: {@code nonParallelGroup = "consumer"}.
 */
@Tag("lincheck")
public class MailboxLincheckTest {

    private final BufferedChannel<Integer> mailbox = new BufferedChannel<>(2, Overflow.BLOCK, null, Runnable::run, 16, 1, true);

    @Operation
    public SendResult tell(@Param(gen = IntGen.class, conf = "1:4") int message) {
        return mailbox.trySend(message);
    }

    @Operation(nonParallelGroup = "consumer")
    public Integer take() {
        Integer v = mailbox.pollItem();
        if (v != null) {
            mailbox.consumed(1);
        }
        return v;
    }

    @Operation(nonParallelGroup = "consumer")
    public boolean hasItem() {
        return mailbox.hasItem();
    }

    @Test
    public void modelChecking() {
        LincheckRun.modelCheck(getClass());
    }
}
