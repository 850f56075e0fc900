package io.redwatch.agent.osfacts;

/** /proc/loadavg: {@code 0.25 0.37 0.18 1/141 7737}; only the three averages are kept. */
public record LoadAvg(double load1, double load5, double load15) {

    public static LoadAvg parse(String text) {
        String[] f = text.trim().split("\\s+");
        if (f.length < 3) {
            throw new ProcFormatException("expected three load averages, got '" + text.trim() + "'");
        }
        try {
            return new LoadAvg(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
        } catch (NumberFormatException e) {
            throw new ProcFormatException("load averages are not numbers: '" + text.trim() + "'");
        }
    }
}
