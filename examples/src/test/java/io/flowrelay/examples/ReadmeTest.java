package io.flowrelay.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps the README's quick start true: it is the source of {@link HelloChannel}, and it runs. */
class ReadmeTest {

    @Test
    void quickStartSnippetIsTheCompiledExample() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = Pattern.compile("## Quick start.*?```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README has a java block under '## Quick start'");
        String source = Files.readString(Path.of("src/main/java/io/flowrelay/examples/HelloChannel.java"));
        String withoutPackage = source.replaceFirst("package io\\.flowrelay\\.examples;\\s*", "");
        assertEquals(withoutPackage.strip(), m.group(1).strip(), "README quick start differs from HelloChannel.java");
    }

    @Test
    void actorSnippetIsTheCompiledExample() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = Pattern.compile("## Actors.*?```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README has a java block under '## Actors'");
        String source = Files.readString(Path.of("src/main/java/io/flowrelay/examples/HelloActor.java"));
        String withoutPackage = source.replaceFirst("package io\\.flowrelay\\.examples;\\s*", "");
        assertEquals(withoutPackage.strip(), m.group(1).strip(), "README actor snippet differs from HelloActor.java");
    }

    @Test
    void actorSnippetCountsInOrder() {
        assertTrue(run(() -> HelloActor.main(new String[0])).contains("total = 5050"));
    }

    private static String run(Runnable main) {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(out);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void quickStartPrintsEveryMessage() {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            HelloChannel.main(new String[0]);
        } finally {
            System.setOut(out);
        }
        String printed = buf.toString(StandardCharsets.UTF_8);
        for (int i = 1; i <= 5; i++) {
            assertTrue(printed.contains("received message " + i), printed);
        }
    }

    @Test
    void workerPoolExampleAccountsForEveryJob() throws InterruptedException {
        QuickStart.main(new String[0]); // throws if a job was lost
    }
}
