package io.redwatch.collector.metrics;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * The JVM's direct memory: where Netty keeps the bytes agents sent that the collector has not asked
 * for yet. Its size bounds how many agent connections one collector may hold.
 */
public final class DirectMemory {
    private static final BufferPoolMXBean DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(b -> b.getName().equals("direct"))
            .findFirst()
            .orElseThrow();

    private DirectMemory() {}

    /** Bytes of direct buffers in use now. */
    public static long used() {
        return DIRECT.getMemoryUsed();
    }

    /** -XX:MaxDirectMemorySize, or the heap's maximum when it is not set (the JVM's default). */
    public static long max() {
        long set = Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .getVMOption("MaxDirectMemorySize")
                .getValue());
        return set > 0 ? set : Runtime.getRuntime().maxMemory();
    }
}
