package dev.jtcp.testutil;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test as evidence for RFC 9293 Appendix B requirements (e.g. {@code "MUST-10"}). The
 * conformance report collects these to build {@code docs/conformance.md}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Requirement {
    /** Requirement IDs from RFC 9293 Appendix B, such as {@code MUST-7} or {@code SHLD-5}. */
    String[] value();
}
