package dev.lamina.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The golden cases of {@code tests/golden_cases.txt}, the one table the native and the JVM golden
 * tests share (its header describes the format): which goldens are compared, against which model,
 * within which bounds. Surefire passes its path as {@code lamina.golden.cases}; without it (an IDE
 * run) it is {@code golden_cases.txt} in the working directory, the tests module.
 */
public final class GoldenCases {
    private GoldenCases() {}

    /** One line of the table. */
    public record Case(String golden, String model, double tolerance, double minCosine, List<String> kvTypes) {
        /** Whether the case is checked with this KV cache type ("f16", "f32", "q8_0"). */
        public boolean checksKv(String kvType) {
            return kvTypes.contains(kvType);
        }

        /** Quantized weights: the cases with a cosine bound. */
        public boolean quantized() {
            return minCosine > 0;
        }

        @Override
        public String toString() {
            return golden;
        }
    }

    private static List<Case> cases;

    public static Path file() {
        return Path.of(System.getProperty("lamina.golden.cases", "golden_cases.txt")).toAbsolutePath().normalize();
    }

    /** Every case, in the table's order. */
    public static synchronized List<Case> all() {
        if (cases == null) {
            cases = read(file());
        }
        return cases;
    }

    /** The cases of quantized models. */
    public static List<Case> quantized() {
        return all().stream().filter(Case::quantized).toList();
    }

    /** The case of one golden; fails naming the table when no line lists it. */
    public static Case of(String golden) {
        return all().stream().filter(c -> c.golden().equals(golden)).findFirst().orElseThrow(() -> new AssertionError(
                "golden '" + golden + "' is not in " + file() + ": add a line 'golden model tolerance min_cosine' for it"));
    }

    static List<Case> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the golden case table " + file, e);
        }
        List<Case> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String content = (hash < 0 ? line : line.substring(0, hash)).strip();
            if (content.isEmpty()) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            String[] f = content.split("\\s+");
            if (f.length != 4 && f.length != 5) {
                throw new AssertionError(where + "expected 'golden model tolerance min_cosine [kv_types]', got " + f.length
                        + " fields");
            }
            List<String> kvTypes = f.length == 5 ? List.of(f[4].split(",")) : List.of("f16", "f32", "q8_0");
            for (String kv : kvTypes) {
                if (!List.of("f16", "f32", "q8_0").contains(kv)) {
                    throw new AssertionError(where + "KV type '" + kv + "' is not one of f16, f32, q8_0");
                }
            }
            double tolerance = bound(where, "tolerance", f[2], 1e-9);
            double minCosine = bound(where, "min_cosine", f[3], 0);
            if (!seen.add(f[0])) {
                throw new AssertionError(where + "golden '" + f[0] + "' is listed twice");
            }
            out.add(new Case(f[0], f[1], tolerance, minCosine, kvTypes));
        }
        if (out.isEmpty()) {
            throw new AssertionError(file + " lists no case");
        }
        return List.copyOf(out);
    }

    private static double bound(String where, String name, String text, double lowest) {
        try {
            double v = Double.parseDouble(text);
            if (v >= lowest && v <= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new AssertionError(where + name + " '" + text + "' is not a number in " + (lowest > 0 ? "(0, 1]" : "[0, 1]"));
    }
}
