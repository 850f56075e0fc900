package io.redwatch.collector.faults;

import java.nio.file.Path;

/** Paths relative to the collector module, where Maven runs the tests. */
final class ModuleDir {
    private ModuleDir() {}

    static Path path() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                .toAbsolutePath();
    }

    static Path collectorJar() {
        return path().resolve("target/redwatch-collector.jar");
    }

    static Path agentJar() {
        return path().resolve("../agent/target/redwatch-agent.jar").normalize();
    }

    /** Where a test's process logs go: target/fault-logs/&lt;class&gt;/&lt;method&gt;/. */
    static Path logDir(String testClass, String testMethod) {
        return path().resolve("target/fault-logs").resolve(testClass).resolve(testMethod);
    }
}
