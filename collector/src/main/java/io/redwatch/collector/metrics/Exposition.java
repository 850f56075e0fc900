package io.redwatch.collector.metrics;

/**
 * Prometheus text exposition format 0.0.4, written by hand: a few dozen lines instead of a
 * metrics library in the collector's jar, and the only format /metrics has to speak. Label values
 * come from the network (agent ids, instance names), so they are escaped as the format requires.
 */
public final class Exposition {
    private final StringBuilder out = new StringBuilder(4096);

    /** The HELP and TYPE lines of one metric family; its samples follow. */
    public Exposition family(String name, String type, String help) {
        out.append("# HELP ")
                .append(name)
                .append(' ')
                .append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** One sample; {@code labels} alternate name, value. */
    public Exposition sample(String name, double value, String... labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (i > 0) out.append(',');
                out.append(labels[i])
                        .append("=\"")
                        .append(escape(labels[i + 1]))
                        .append('"');
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
        return this;
    }

    /** A family with one unlabelled sample. */
    public Exposition single(String name, String type, String help, double value) {
        return family(name, type, help).sample(name, value);
    }

    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Appends already formatted families (the ingest counters). */
    public Exposition raw(String text) {
        out.append(text);
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
