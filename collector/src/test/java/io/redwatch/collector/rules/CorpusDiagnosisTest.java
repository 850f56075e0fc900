package io.redwatch.collector.rules;

import static io.redwatch.collector.rules.Facts.*;
import static org.junit.jupiter.api.Assertions.*;

import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.ConfigSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Real incidents users pasted in public issues (resources/corpus, one .properties per thread with
 * its URL, what the thread concluded, the expected rule ids and the ones also acceptable), run
 * through the rules exactly as `doctor` would see the paste. Recall counts the expected causes
 * named; a wrong cause is any finding neither expected nor acceptable.
 */
class CorpusDiagnosisTest {

    record Case(String name, String url, Set<String> expected, Set<String> allowed, Set<String> found) {
        Set<String> missed() {
            Set<String> m = new TreeSet<>(expected);
            m.removeAll(found);
            return m;
        }

        Set<String> wrong() {
            Set<String> w = new TreeSet<>(found);
            w.removeAll(expected);
            w.removeAll(allowed);
            return w;
        }
    }

    @Test
    void corpusIsDiagnosedWithHighRecallAndNoWrongCause() {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 20, "the corpus holds " + cases.size() + " incidents");
        int expected = cases.stream().mapToInt(c -> c.expected().size()).sum();
        int named = expected - cases.stream().mapToInt(c -> c.missed().size()).sum();
        int wrong = cases.stream().mapToInt(c -> c.wrong().size()).sum();
        StringBuilder report = new StringBuilder();
        for (Case c : cases) {
            report.append(String.format("%-32s found %s", c.name(), c.found()));
            if (!c.missed().isEmpty()) report.append(" MISSED ").append(c.missed());
            if (!c.wrong().isEmpty()) report.append(" WRONG ").append(c.wrong());
            report.append('\n');
        }
        double recall = 100.0 * named / expected;
        report.append(String.format(
                "recall %d/%d = %.1f %%, wrong causes %d, incidents %d%n",
                named, expected, recall, wrong, cases.size()));
        System.out.print(report);
        assertEquals(0, wrong, report.toString());
        assertTrue(recall >= 95.0, report.toString());
    }

    /** Every incident of the corpus as doctor would judge it, by file name. */
    static java.util.Map<String, InstanceView> histories() {
        java.util.Map<String, InstanceView> out = new java.util.TreeMap<>();
        for (Path p : corpusFiles()) {
            String file = p.getFileName().toString();
            if (!file.endsWith(".properties")) continue;
            String name = file.substring(0, file.length() - ".properties".length());
            out.put(name, history(p.resolveSibling(name), properties(p)));
        }
        return out;
    }

    private static Properties properties(Path p) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(p)) {
            props.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props;
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (Path p : corpusFiles()) {
            String file = p.getFileName().toString();
            if (!file.endsWith(".properties")) continue;
            String name = file.substring(0, file.length() - ".properties".length());
            Properties props = properties(p);
            InstanceView h = history(p.resolveSibling(name), props);
            out.add(new Case(
                    name,
                    props.getProperty("url"),
                    ids(props.getProperty("expected")),
                    ids(props.getProperty("allowed")),
                    ruleIds(h)));
        }
        out.sort(java.util.Comparator.comparing(Case::name));
        return out;
    }

    /** The paste as doctor reads it: the log through the agent's parser, INFO as pasted, CONFIG only when the thread quoted it. */
    static InstanceView history(Path base, Properties props) {
        Path log = Path.of(base + ".log");
        Path info = Path.of(base + ".info");
        InstanceView.Builder b = Files.exists(log) ? Facts.history(log(read(log))) : Facts.history();
        if (Files.exists(info)) b.info(pastedInfo(read(info)));
        String config = props.getProperty("config", "").trim();
        if (!config.isEmpty()) {
            List<String> kv = new ArrayList<>();
            for (String pair : config.split(";")) {
                String t = pair.trim();
                int sp = t.indexOf(' ');
                kv.add(t.substring(0, sp));
                kv.add(t.substring(sp + 1).trim());
            }
            ConfigSnapshot c = config(READ_AT, kv.toArray(String[]::new));
            b.config(c);
        }
        return b.buildAtNewestFact();
    }

    private static Set<String> ids(String csv) {
        Set<String> out = new TreeSet<>();
        if (csv == null) return out;
        Arrays.stream(csv.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .forEach(out::add);
        return out;
    }

    static List<Path> corpusFiles() {
        URL dir = CorpusDiagnosisTest.class.getResource("/corpus");
        assertNotNull(dir, "missing test resources corpus/");
        try (Stream<Path> s = Files.list(Path.of(dir.toURI()))) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
