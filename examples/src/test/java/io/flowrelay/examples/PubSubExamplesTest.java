package io.flowrelay.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the pub-sub and queue examples: each checks its own accounting and throws if something was lost. */
class PubSubExamplesTest {

    @Test
    void ackQueueWorkersProcessEveryJobExactlyOnceDespiteACrashAndAStall() {
        String out = run(() -> AckQueueWorkers.main(new String[0]));
        assertTrue(out.contains("worker-1 crashes holding job 3 (attempt 1)"), out);
        assertTrue(out.contains("worker-2 stalls 700 ms on job 4 (attempt 1)"), out);
        assertTrue(out.contains("every job processed exactly once: 2,000 jobs, 2,000 side effects"), out);
    }

    @Test
    void pubSubAccountsForEveryMessage() {
        String out = run(() -> PubSub.main(new String[0]));
        assertTrue(out.contains("billing   got  1,000 of  1,000 created orders"), out);
        assertTrue(out.contains("weather.today reached 0 subscribers"), out);
        assertTrue(out.contains("every message accounted for"), out);
    }

    /** Runs a main within 60 s (it throws if its own checks fail) and returns what it printed. */
    private static String run(Executable main) {
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), main);
        } finally {
            System.setOut(original);
        }
        String printed = buf.toString(StandardCharsets.UTF_8);
        original.print(printed);
        return printed;
    }
}
