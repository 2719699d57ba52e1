package dev.jtcp.testutil;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The outside programs a test class (or one test method) runs. Before the class's
 * {@code @BeforeAll} (or the method) the test is skipped with an install hint when one is missing,
 * or failed when {@code CI=true}; the same check as {@link ExternalTools#require}. {@code ToolGuardAuditTest}
 * checks that every test source which runs a program names it here.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(NeedsTools.Guard.class)
public @interface NeedsTools {
    /** Program names as found on the PATH, e.g. {@code "ping"}; see {@link ExternalTools#PACKAGES}. */
    String[] value();

    /**
     * Runs the check as an execution condition, so that it comes before the class's
     * {@code @BeforeAll} and a skipped class is reported as skipped, with its reason.
     */
    final class Guard implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            NeedsTools needs = context.getElement().map(e -> e.getAnnotation(NeedsTools.class)).orElse(null);
            if (needs == null) {
                return ConditionEvaluationResult.enabled("no outside programs declared here");
            }
            return verdict(needs.value(), System.getenv().getOrDefault("PATH", ""), ExternalTools.isCi());
        }

        /** Run, skip with the install hint, or (on CI) fail, for {@code tools} on search path {@code path}. */
        public static ConditionEvaluationResult verdict(String[] tools, String path, boolean ci) {
            return ExternalTools.missing(path, tools)
                    .map(message -> {
                        if (ci) {
                            throw new AssertionError(message + " (required because CI=true)");
                        }
                        return ConditionEvaluationResult.disabled(message);
                    })
                    .orElseGet(() -> ConditionEvaluationResult.enabled("installed: " + String.join(", ", tools)));
        }
    }
}
