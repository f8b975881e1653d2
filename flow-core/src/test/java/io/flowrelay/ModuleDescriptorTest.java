package io.flowrelay;

import io.flowrelay.channel.Channel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conventions that a test keeps: the module exports the API and nothing else, and the classes
 * that implement it are hidden (STYLE.md, rules 2 and 14).
 */
class ModuleDescriptorTest {

    /** flow-core/target/classes, found through a compiled main class. */
    private static Path classesDir() throws URISyntaxException {
        Path p = Path.of(Channel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isDirectory(p), () -> "expected the compiled classes directory, got " + p);
        return p;
    }

    private static ModuleDescriptor descriptor() throws IOException, URISyntaxException {
        Path info = classesDir().resolve("module-info.class");
        assertTrue(Files.isRegularFile(info), () -> "no " + info);
        try (InputStream in = Files.newInputStream(info)) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void theModuleExportsTheChannelApiAndNotTheKernel() throws Exception {
        ModuleDescriptor d = descriptor();
        assertEquals("io.flowrelay.core", d.name());
        Set<String> exported = d.exports().stream()
                .filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        assertTrue(exported.contains("io.flowrelay.channel"), () -> "exports: " + d.exports());
        assertTrue(exported.contains("io.flowrelay.actor"), () -> "exports: " + d.exports());
        assertTrue(exported.contains("io.flowrelay.pubsub"), () -> "exports: " + d.exports());
        assertTrue(exported.contains("io.flowrelay.queue"), () -> "exports: " + d.exports());
        assertFalse(d.exports().stream().anyMatch(e -> e.source().equals("io.flowrelay.internal")),
                () -> "io.flowrelay.internal must not be exported, not even qualified: " + d.exports());
        assertFalse(d.opens().stream().anyMatch(o -> o.source().equals("io.flowrelay.internal")), "nor opened");
        assertFalse(d.isOpen(), "the module is not open");
        assertTrue(Files.isRegularFile(classesDir().resolve("io/flowrelay/internal/DeliveryLoop.class")),
                "the kernel is compiled into this module, just not exported");
        assertTrue(d.requires().stream().anyMatch(r -> r.name().equals("org.jctools.core")));
    }

    /** Every class compiled into {@code pkg} (top-level and named nested), loaded without initialising. */
    private static List<Class<?>> classesOf(String pkg) throws Exception {
        Path dir = classesDir().resolve(pkg.replace('.', '/'));
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String file = f.getFileName().toString();
                if (!file.endsWith(".class") || file.equals("package-info.class")) {
                    continue;
                }
                Class<?> c = Class.forName(pkg + "." + file.substring(0, file.length() - ".class".length()), false,
                        ModuleDescriptorTest.class.getClassLoader());
                if (!c.isAnonymousClass() && !c.isSynthetic() && !c.isLocalClass()) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    @Test
    void apiPackagesHoldOnlyApiTypesAndFinalImplementations() throws Exception {
        List<String> broken = new ArrayList<>();
        for (String pkg : List.of("io.flowrelay.channel", "io.flowrelay.actor", "io.flowrelay.pubsub", "io.flowrelay.queue")) {
            for (Class<?> c : classesOf(pkg)) {
                int m = c.getModifiers();
                if (c.isInterface() || c.isEnum() || c.isRecord() || Throwable.class.isAssignableFrom(c)) {
                    continue; // API types; exceptions may be extended
                }
                if (Modifier.isAbstract(m)) {
                    if (!Modifier.isPublic(m) && !c.isSealed()) {
                        broken.add(c.getName() + " is an abstract implementation class (not sealed)");
                    }
                    continue; // a public base class meant for extension (Actor), or a closed (sealed) family
                }
                if (!Modifier.isFinal(m)) {
                    broken.add(c.getName() + " is not final");
                }
                if (Modifier.isPublic(m) && Stream.of(c.getDeclaredConstructors()).anyMatch(k -> !Modifier.isPrivate(k.getModifiers()))) {
                    broken.add(c.getName() + " is public with a non-private constructor: only factories create things");
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void kernelImplementationsAreFinalOrSealed() throws Exception {
        List<Class<?>> classes = classesOf("io.flowrelay.internal");
        Set<String> names = classes.stream().map(Class::getSimpleName).collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("BufferedChannel", "ChannelSubscription", "ProducerHandle", "Demand")),
                () -> "found " + names);
        List<String> broken = new ArrayList<>();
        for (Class<?> c : classes) {
            int m = c.getModifiers();
            if (c.isInterface() || c.isEnum() || c.isRecord() || Modifier.isAbstract(m)) {
                continue; // DeliveryLoop is the one abstract building block
            }
            if (!Modifier.isFinal(m) && !c.isSealed()) {
                broken.add(c.getName() + " is neither final nor sealed"); // sealed: ChannelSubscription and StartQueue's
            }
        }
        assertEquals(List.of(), broken);
    }
}
