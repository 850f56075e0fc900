package io.redwatch.collector.rules.view;

/**
 * A configuration value and where it came from: CONFIG, an INFO field, or Redis's default for the
 * version because the real value is not known (then the evidence must say so).
 */
public record Setting(String key, String value, String source) {
    static final String CONFIG = "CONFIG";
    static final String INFO = "INFO";
    static final String DEFAULT = "default";

    public boolean assumed() {
        return DEFAULT.equals(source);
    }

    /** "stop-writes-on-bgsave-error yes (CONFIG)" or "... yes (not known: assumed, Redis's default)". */
    public String evidence() {
        String shown = value.isEmpty() ? "\"\"" : value;
        return key + " " + shown + (assumed() ? " (not known: assumed, Redis's default)" : " (" + source + ")");
    }

    public boolean yes() {
        return "yes".equalsIgnoreCase(value.trim()) || "1".equals(value.trim());
    }
}
