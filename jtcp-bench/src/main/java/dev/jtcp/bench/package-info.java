/**
 * JMH benchmarks for jtcp. Build with {@code ./mvnw -pl jtcp-bench -am package}, run {@code java -jar
 * jtcp-bench/target/benchmarks.jar}.
 *
 * <p>Uses any package of jtcp-core (it sits at the top, beside the CLI), and JMH.
 *
 * <p>Thread-safety: each class's {@code @State} scope says how JMH shares its state; the benchmarks
 * measure one thread.
 */
package dev.jtcp.bench;
