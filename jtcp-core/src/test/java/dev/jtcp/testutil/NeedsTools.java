package dev.jtcp.testutil;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.AnnotatedElement;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The outside programs a test class (or one test method) runs. Before the class's
 * {@code @BeforeAll} (or the method) the test is skipped with an install hint when one is missing,
 * or failed when {@code CI=true}; see {@link ExternalTools#require}. {@code ToolGuardAuditTest}
 * checks that every test source which runs a program names it here.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(NeedsTools.Guard.class)
public @interface NeedsTools {
    /** Program names as found on the PATH, e.g. {@code "ping"}; see {@link ExternalTools#PACKAGES}. */
    String[] value();

    /** Runs the check: class-level tools before all tests, method-level ones before each. */
    final class Guard implements BeforeAllCallback, BeforeEachCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            check(context.getRequiredTestClass());
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            check(context.getRequiredTestMethod());
        }

        private static void check(AnnotatedElement element) {
            NeedsTools needs = element.getAnnotation(NeedsTools.class);
            if (needs != null) {
                ExternalTools.require(needs.value());
            }
        }
    }
}
