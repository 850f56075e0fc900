package io.redwatch.agent.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

/**
 * Which of our packages uses which, read from compiled classes by the JDK's {@code jdeps}, so a test
 * can keep the package shape: no cycles, and dependencies only in the allowed direction. Reading the
 * bytecode rather than the imports also sees fully qualified names and same-named nested classes.
 *
 * <p>Packages are named relative to a root: for root {@code io.redwatch.collector}, {@code "ingest"}
 * is {@code io.redwatch.collector.ingest} and {@code ""} is the root package itself. Each package edge
 * keeps one class edge that makes it, so a failure says where to look.
 */
public final class PackageGraph {
    private static final Pattern CLASS_EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s+\\S.*$");

    private final String root;
    /** package → package it uses → one class edge making that use, e.g. "ingest.BatchGate -> storage.BatchStore". */
    private final Map<String, Map<String, String>> uses = new TreeMap<>();

    private PackageGraph(String root) {
        this.root = root;
    }

    /** The graph of the classes compiled next to {@code anyMainClass} (its {@code target/classes}), under {@code root}. */
    public static PackageGraph ofClassesBeside(Class<?> anyMainClass, String root) {
        Path classes;
        try {
            classes = Path.of(anyMainClass
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the compiled classes of " + anyMainClass.getName(), e);
        }
        if (!Files.isDirectory(classes)) {
            throw new IllegalStateException(anyMainClass.getName() + " was loaded from " + classes
                    + ", not a classes directory; run this test from its module's build (mvn verify)");
        }
        ToolProvider jdeps = ToolProvider.findFirst("jdeps")
                .orElseThrow(() -> new IllegalStateException(
                        "the jdeps tool is missing: run the tests on a full JDK 17 (module jdk.jdeps), not a JRE"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(
                new PrintWriter(out),
                new PrintWriter(err),
                "-verbose:class",
                "-e",
                Pattern.quote(root) + "\\..*",
                classes.toString());
        if (rc != 0) throw new IllegalStateException("jdeps failed on " + classes + " (exit " + rc + "): " + err);
        return parse(root, out.toString().lines().toList());
    }

    /** The graph of {@code jdeps -verbose:class} output lines; edges leaving {@code root} are dropped. */
    public static PackageGraph parse(String root, List<String> jdepsLines) {
        PackageGraph g = new PackageGraph(root);
        for (String line : jdepsLines) {
            Matcher m = CLASS_EDGE.matcher(line);
            if (!m.matches()) continue;
            String from = g.relative(m.group(1));
            String to = g.relative(m.group(2));
            if (from == null || to == null) continue;
            String fromPkg = packageOf(from);
            String toPkg = packageOf(to);
            g.uses.computeIfAbsent(fromPkg, k -> new TreeMap<>());
            g.uses.computeIfAbsent(toPkg, k -> new TreeMap<>());
            if (!fromPkg.equals(toPkg)) g.uses.get(fromPkg).putIfAbsent(toPkg, from + " -> " + to);
        }
        return g;
    }

    /**
     * Leaves a known edge out of every check. Throws if the edge is no longer there, so an exclusion
     * is removed as soon as the code it excused is fixed.
     */
    public void tolerate(String from, String to) {
        Map<String, String> out = uses.get(from);
        if (out == null || out.remove(to) == null) {
            throw new IllegalStateException("package " + name(from) + " no longer uses " + name(to)
                    + ": remove this tolerated edge from the test");
        }
    }

    /** The packages found (relative names). */
    public Set<String> packages() {
        return uses.keySet();
    }

    /**
     * Every package cycle, each as one loop through it with the class edges that make it, e.g.
     * {@code "ingest -> security -> ingest (ingest.A -> security.B; security.C -> ingest.D)"}. Empty when
     * the packages form a hierarchy.
     */
    public List<String> cycles() {
        List<String> found = new ArrayList<>();
        for (Set<String> component : stronglyConnected()) {
            if (component.size() < 2) continue;
            List<String> loop = loopThrough(component.iterator().next(), component);
            StringBuilder path = new StringBuilder();
            StringBuilder why = new StringBuilder();
            for (int i = 0; i < loop.size(); i++) {
                if (i > 0) path.append(" -> ");
                path.append(name(loop.get(i)));
                if (i + 1 < loop.size()) {
                    if (why.length() > 0) why.append("; ");
                    why.append(uses.get(loop.get(i)).get(loop.get(i + 1)));
                }
            }
            found.add(path + " (" + why + ")");
        }
        return found;
    }

    /**
     * The uses from a package matching {@code from} of a package matching any of {@code to}, each as
     * "a -> b (the class edge)". A pattern ending in {@code .*} matches a package and its subpackages;
     * {@code *} matches every package; any other pattern matches that package alone ({@code ""} is the root).
     */
    public List<String> uses(String from, String... to) {
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : uses.entrySet()) {
            if (!matches(e.getKey(), from)) continue;
            for (Map.Entry<String, String> use : e.getValue().entrySet()) {
                for (String pattern : to) {
                    if (matches(use.getKey(), pattern)) {
                        found.add(name(e.getKey()) + " -> " + name(use.getKey()) + " (" + use.getValue() + ")");
                        break;
                    }
                }
            }
        }
        return found;
    }

    static boolean matches(String pkg, String pattern) {
        if (pattern.equals("*")) return true;
        if (!pattern.endsWith(".*")) return pkg.equals(pattern);
        String base = pattern.substring(0, pattern.length() - 2);
        return pkg.equals(base) || pkg.startsWith(base + ".");
    }

    /** The name relative to the root ("" for the root's own classes), or null for a class elsewhere. */
    private String relative(String className) {
        if (!className.startsWith(root + ".")) return null;
        return className.substring(root.length() + 1);
    }

    private static String packageOf(String relativeClass) {
        int dot = relativeClass.lastIndexOf('.');
        return dot < 0 ? "" : relativeClass.substring(0, dot);
    }

    private static String name(String pkg) {
        return pkg.isEmpty() ? "(root)" : pkg;
    }

    /** Tarjan's algorithm; the graph has a few dozen packages, so recursion depth is no concern. */
    private List<Set<String>> stronglyConnected() {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        for (String v : uses.keySet()) {
            if (!index.containsKey(v)) connect(v, index, low, stack, onStack, out);
        }
        return out;
    }

    private void connect(
            String v,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            List<Set<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : uses.getOrDefault(v, Map.of()).keySet()) {
            if (!index.containsKey(w)) {
                connect(w, index, low, stack, onStack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            out.add(component);
        }
    }

    /** A shortest loop from {@code start} back to itself inside one strongly connected component. */
    private List<String> loopThrough(String start, Set<String> component) {
        Map<String, String> cameFrom = new LinkedHashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String v = queue.poll();
            for (String w : uses.getOrDefault(v, Map.of()).keySet()) {
                if (!component.contains(w)) continue;
                if (w.equals(start)) {
                    List<String> loop = new ArrayList<>(List.of(start));
                    for (String at = v; !at.equals(start); at = cameFrom.get(at)) loop.add(1, at);
                    loop.add(start);
                    return loop;
                }
                if (!cameFrom.containsKey(w)) {
                    cameFrom.put(w, v);
                    queue.add(w);
                }
            }
        }
        throw new IllegalStateException("no loop through " + start + " in " + component);
    }
}
