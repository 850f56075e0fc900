package io.redwatch.collector.storage;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Produces a realistic series of INFO replies from two real ones taken some seconds apart under
 * load: fields equal in both stay fixed; every number inside a field that moved keeps moving —
 * upwards at its observed rate (with noise) if it grew, as a bounded random walk otherwise. So
 * counters, commandstats, latency percentiles, memory and CPU all move as they did for real.
 */
final class InfoEvolution {
    // a number not glued to a word, so labels such as "p99.9=" and "db0" stay as they are
    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z0-9.])-?\\d+(\\.\\d+)?");
    // fields and sub-fields that go up and down (rates, ratios, sizes) even if they grew once
    private static final Pattern GAUGE = Pattern.compile(
            "instantaneous_|_perc|_ratio|_human|latency_percentiles|used_memory|allocator_|mem_|rss_|_kbps"
                    + "|client_recent|^db\\d+|_peak|connected_clients|blocked_clients");
    private static final Pattern GAUGE_PART = Pattern.compile("(usec_per_call|keys|expires|avg_ttl)=$");

    private final Map<String, Map<String, String>> shape;
    private final Map<String, Moving> moving = new LinkedHashMap<>();
    private final Random random;

    /** One field that moves: its text between numbers, and each number's state. */
    private static final class Moving {
        final List<String> literals = new ArrayList<>();
        final List<BigDecimal> values = new ArrayList<>();
        final List<BigDecimal> base = new ArrayList<>();
        final List<Double> ratePerSecond = new ArrayList<>();
        final List<Integer> scale = new ArrayList<>();
    }

    InfoEvolution(InfoText before, InfoText after, long seed) {
        this.random = new Random(seed);
        Map<String, String> a = before.flat();
        Map<String, String> b = after.flat();
        double seconds = (Long.parseLong(b.get("server_time_usec")) - Long.parseLong(a.get("server_time_usec"))) / 1e6;
        this.shape = new LinkedHashMap<>();
        after.sections.forEach((name, fields) -> shape.put(name, new LinkedHashMap<>(fields)));
        for (Map.Entry<String, String> e : b.entrySet()) {
            String old = a.get(e.getKey());
            if (e.getValue().equals(old)) {
                continue;
            }
            Moving m = new Moving();
            Matcher nb = NUMBER.matcher(e.getValue());
            List<String> oldNumbers = numbers(old == null ? "" : old);
            int last = 0;
            int i = 0;
            while (nb.find()) {
                m.literals.add(e.getValue().substring(last, nb.start()));
                BigDecimal now = new BigDecimal(nb.group());
                BigDecimal then = i < oldNumbers.size() ? new BigDecimal(oldNumbers.get(i)) : now;
                m.values.add(now);
                m.base.add(now);
                m.scale.add(now.scale());
                boolean gauge = GAUGE.matcher(e.getKey()).find()
                        || GAUGE_PART
                                .matcher(m.literals.get(m.literals.size() - 1))
                                .find();
                m.ratePerSecond.add(gauge ? 0 : Math.max(0, now.subtract(then).doubleValue() / seconds));
                last = nb.end();
                i++;
            }
            m.literals.add(e.getValue().substring(last));
            moving.put(e.getKey(), m);
        }
    }

    /** The next reply, {@code seconds} after the previous one. */
    InfoText next(double seconds) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        shape.forEach((name, fields) -> {
            Map<String, String> out = new LinkedHashMap<>(fields);
            for (Map.Entry<String, String> f : out.entrySet()) {
                Moving m = moving.get(f.getKey());
                if (m != null) {
                    f.setValue(step(m, seconds));
                }
            }
            sections.put(name, out);
        });
        return new InfoText(sections);
    }

    private String step(Moving m, double seconds) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < m.values.size(); i++) {
            out.append(m.literals.get(i));
            BigDecimal v = m.values.get(i);
            double rate = m.ratePerSecond.get(i);
            if (rate > 0) {
                v = v.add(BigDecimal.valueOf(rate * seconds * (0.8 + 0.4 * random.nextDouble())));
            } else {
                // a gauge wanders within ±5 % of where it started
                double base = m.base.get(i).doubleValue();
                double next = v.doubleValue() + base * 0.01 * random.nextGaussian();
                v = BigDecimal.valueOf(Math.max(base * 0.95, Math.min(base * 1.05, next)));
            }
            v = v.setScale(m.scale.get(i), RoundingMode.HALF_UP);
            m.values.set(i, v);
            out.append(v.toPlainString());
        }
        out.append(m.literals.get(m.literals.size() - 1));
        return out.toString();
    }

    private static List<String> numbers(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = NUMBER.matcher(s);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
