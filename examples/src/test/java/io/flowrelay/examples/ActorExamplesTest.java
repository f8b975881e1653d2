package io.flowrelay.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the actor examples: each checks its own results and throws if something was lost. */
class ActorExamplesTest {

    @Test
    void actorPipelineCountsEveryLine() throws Throwable {
        String out = run(() -> ActorPipeline.main(new String[0]));
        assertTrue(out.contains("lines 200,000 = records 199,980 + malformed 20"), out);
        assertTrue(out.contains("shutdown: completed=true"), out);
    }

    @Test
    void pinnedSessionsStayOnTheirThreads() throws Throwable {
        String out = run(() -> PinnedSessions.main(new String[0]));
        assertTrue(out.contains("every session stayed on its thread"), out);
        assertTrue(out.contains("shutdown: completed=true"), out);
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
