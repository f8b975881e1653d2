package io.flowrelay.bench.jox;

import com.softwaremill.jox.Channel;
import io.flowrelay.bench.Items;
import io.flowrelay.bench.Workload;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * jox {@code Channel.newBufferedChannel(1024)}: one thread {@code send}s, another {@code receive}s.
 * Compiled only when Maven runs on JDK 21+ (jox needs it); the runner loads it by name.
 */
public final class JoxHandOff implements Workload {

    @Override
    public void run(int n) throws Exception {
        Channel<Integer> ch = Channel.newBufferedChannel(1024);
        long[] sum = new long[1];
        Thread consumer = new Thread(() -> {
            try {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    s += ch.receive();
                }
                sum[0] = s;
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, "jox-consumer");
        consumer.setDaemon(true);
        consumer.start();
        for (int i = 0; i < n; i++) {
            ch.send(Items.get(i));
        }
        consumer.join(TimeUnit.SECONDS.toMillis(120));
        if (consumer.isAlive()) {
            consumer.interrupt();
            throw new TimeoutException("jox consumer did not finish within 120 s");
        }
    }
}
