/** JMH benchmarks for jtcp. Build with {@code ./mvnw -pl jtcp-bench -am package}, run {@code java -jar jtcp-bench/target/benchmarks.jar}. */
package dev.jtcp.bench;
