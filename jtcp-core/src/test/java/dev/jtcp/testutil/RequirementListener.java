package dev.jtcp.testutil;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Collects, for every test that finishes, the RFC 9293 requirement IDs it carries ({@link
 * Requirement} on the method or its class) and whether it passed. {@code ConformanceMatrixTest} reads
 * the collected evidence. Registered through {@code META-INF/services}.
 */
public final class RequirementListener implements TestExecutionListener {
    /** Requirement ID → names of passing tests ("RfcFiguresTest.figure7SimultaneousConnectionSynchronization"). */
    private static final Map<String, Set<String>> PASSED = new ConcurrentHashMap<>();
    /** Requirement ID → names of failing tests. */
    private static final Map<String, Set<String>> FAILED = new ConcurrentHashMap<>();
    private static final Set<String> CLASSES_RUN = ConcurrentHashMap.newKeySet();

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!(id.getSource().orElse(null) instanceof MethodSource ms)) {
            return;
        }
        CLASSES_RUN.add(ms.getClassName());
        String[] ids = requirements(ms);
        if (ids.length == 0) {
            return;
        }
        String name = ms.getJavaClass().getSimpleName() + "." + ms.getMethodName();
        Map<String, Set<String>> into = result.getStatus() == TestExecutionResult.Status.SUCCESSFUL ? PASSED : FAILED;
        for (String req : ids) {
            into.computeIfAbsent(req, k -> ConcurrentHashMap.newKeySet()).add(name);
        }
    }

    private static String[] requirements(MethodSource ms) {
        Set<String> ids = new LinkedHashSet<>();
        try {
            Class<?> c = ms.getJavaClass();
            Requirement onClass = c.getAnnotation(Requirement.class);
            if (onClass != null) {
                ids.addAll(Arrays.asList(onClass.value()));
            }
            Method m = ms.getJavaMethod();
            Requirement onMethod = m.getAnnotation(Requirement.class);
            if (onMethod != null) {
                ids.addAll(Arrays.asList(onMethod.value()));
            }
        } catch (RuntimeException e) {
            // Sources that do not resolve to a method (rare engines) carry no requirements.
        }
        return ids.toArray(String[]::new);
    }

    /**
     * Records evidence that does not come from an annotated method, such as a packetdrill script
     * run by a test factory: {@code record("MUST-10", "script simultaneous-open.pkt", true)}.
     */
    public static void record(String requirement, String testName, boolean passed) {
        (passed ? PASSED : FAILED).computeIfAbsent(requirement, k -> ConcurrentHashMap.newKeySet()).add(testName);
    }

    /** Passing evidence so far, sorted. */
    public static Map<String, Set<String>> passed() {
        Map<String, Set<String>> m = new TreeMap<>();
        PASSED.forEach((k, v) -> m.put(k, new java.util.TreeSet<>(v)));
        return m;
    }

    public static Map<String, Set<String>> failed() {
        Map<String, Set<String>> m = new TreeMap<>();
        FAILED.forEach((k, v) -> m.put(k, new java.util.TreeSet<>(v)));
        return m;
    }

    /** How many test classes have run in this JVM (to tell a full run from a single test). */
    public static int classesRun() {
        return CLASSES_RUN.size();
    }
}
