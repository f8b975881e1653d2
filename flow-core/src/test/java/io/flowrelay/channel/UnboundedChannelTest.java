package io.flowrelay.channel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnboundedChannelTest extends ChannelContractTest {

    @Override
    <T> Channel<T> newChannel() {
        return Channels.unbounded();
    }

    @Override
    boolean buffers() {
        return true;
    }

    @Override
    boolean canBeFull() {
        return false;
    }

    @Test
    void sendsNeverWait() throws Exception {
        Channel<Integer> ch = newChannel();
        assertEquals(Integer.MAX_VALUE, ch.capacity());
        for (int i = 0; i < 100_000; i++) {
            assertEquals(SendResult.OK, ch.trySend(i));
        }
        ch.send(100_000);
        assertTrue(ch.sendAsync(100_001).toCompletableFuture().isDone());
        assertEquals(100_002, ch.size());
        for (int i = 0; i < 100_002; i++) {
            assertEquals(i, ch.poll());
        }
    }
}
