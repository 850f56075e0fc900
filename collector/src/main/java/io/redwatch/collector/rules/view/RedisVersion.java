package io.redwatch.collector.rules.view;

import java.util.Optional;

/** A Redis version such as 3.0.6; only major.minor.patch matter to the rules. */
public record RedisVersion(int major, int minor, int patch) {

    static Optional<RedisVersion> parse(String text) {
        String[] parts = text.trim().split("[^0-9]+");
        int[] n = new int[3];
        int found = 0;
        for (String p : parts) {
            if (p.isEmpty() || found == 3) continue;
            try {
                n[found++] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return found == 0 ? Optional.empty() : Optional.of(new RedisVersion(n[0], n[1], n[2]));
    }

    public boolean atLeast(int maj, int min, int pat) {
        if (major != maj) return major > maj;
        if (minor != min) return minor > min;
        return patch >= pat;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
