package io.flowrelay.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoundedChannelTest extends ChannelContractTest {

    static final int CAPACITY = 16;

    @Override
    <T> Channel<T> newChannel() {
        return Channels.bounded(CAPACITY);
    }

    @Override
    boolean buffers() {
        return true;
    }

    @Override
    boolean canBeFull() {
        return true;
    }

    @Test
    void holdsExactlyItsCapacity() {
        Channel<Integer> ch = newChannel();
        assertEquals(CAPACITY, ch.capacity());
        assertEquals(Overflow.BLOCK, ch.overflow());
        assertEquals(CAPACITY, fill(ch).size());
        assertEquals(CAPACITY, ch.size());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 5, 16, 17, 1000, 1024})
    void capacityIsRoundedUpToAPowerOfTwoAndThatManyItemsFit(int requested) {
        Channel<Integer> ch = Channels.bounded(requested);
        int c = ch.capacity();
        assertEquals(1, Integer.bitCount(c), () -> c + " is not a power of two");
        assertTrue(c >= requested && c < 2 * requested, () -> requested + " rounded up to " + c);
        assertEquals(c, fill(ch).size(), "capacity() items fit, no more");
    }
}
