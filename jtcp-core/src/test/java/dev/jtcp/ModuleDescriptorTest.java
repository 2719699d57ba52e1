package dev.jtcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The compiled descriptor of module {@code dev.jtcp} (jtcp-core's module-info.java) keeps the
 * promises ARCHITECTURE.md's "Modules" makes: the JDK's base module alone, every package exported,
 * and only the command's tools ({@code scenario}, {@code script}) exported to the command alone.
 * A new package without an {@code exports} line would be invisible to embedders; this test names it.
 */
class ModuleDescriptorTest {
    /** The packages only the {@code jtcp} command may use. */
    static final Set<String> INTERNAL = Set.of("dev.jtcp.scenario", "dev.jtcp.script");

    @Test
    void requiresTheBaseModuleAlone() {
        assertThat(descriptor().requires().stream().map(ModuleDescriptor.Requires::name))
                .as("jtcp-core depends on the JDK alone, and within it on java.base")
                .containsExactly("java.base");
    }

    @Test
    void exportsEveryPackageToEveryoneButTheCommandsTools() {
        ModuleDescriptor module = descriptor();
        Map<String, Set<String>> targets = new TreeMap<>();
        for (ModuleDescriptor.Exports e : module.exports()) {
            targets.put(e.source(), new TreeSet<>(e.targets()));
        }
        Map<String, Set<String>> expected = new TreeMap<>();
        for (String pkg : module.packages()) {
            expected.put(pkg, INTERNAL.contains(pkg) ? Set.of("dev.jtcp.cli") : Set.of());
        }
        assertThat(targets).as("exports of %s (an empty set: to everyone)", module.name()).isEqualTo(expected);
    }

    @Test
    void opensNothingAndHasTheDocumentedName() {
        ModuleDescriptor module = descriptor();
        assertThat(module.name()).isEqualTo("dev.jtcp");
        assertThat(module.isOpen()).isFalse();
        assertThat(module.opens()).isEmpty();
    }

    @Test
    void everySourcePackageIsInTheDescriptor() throws IOException {
        Set<String> sourcePackages;
        Path root = Path.of("src", "main", "java");
        try (var files = Files.walk(root)) {
            sourcePackages = files.filter(p -> p.getFileName().toString().equals("package-info.java"))
                    .map(p -> root.relativize(p.getParent()).toString().replace('/', '.'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(new TreeSet<>(descriptor().packages())).isEqualTo(sourcePackages);
    }

    /** The descriptor of the compiled classes, its packages found by scanning the directory as the JVM would. */
    private static ModuleDescriptor descriptor() {
        return ModuleFinder.of(Path.of("target", "classes")).find("dev.jtcp").orElseThrow().descriptor();
    }
}
