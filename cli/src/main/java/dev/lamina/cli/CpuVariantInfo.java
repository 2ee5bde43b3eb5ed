package dev.lamina.cli;

import dev.lamina.Lamina;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Which CPU kernel variant runs and why: the LAMINA_CPU request and the CPU's SIMD features. */
final class CpuVariantInfo {
    private static final List<String> FEATURES = List.of("avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl",
            "avx512dq", "avx512_vnni", "avx_vnni", "asimd", "asimddp");

    private CpuVariantInfo() {}

    /** One line: "avx512", or "avx2 (LAMINA_CPU=avx2)", or the fallback when a request cannot be honoured. */
    static String summary() {
        String variant = Lamina.cpuVariant();
        String requested = System.getenv("LAMINA_CPU");
        if (requested == null || requested.isBlank()) {
            return variant + " (best available; LAMINA_CPU unset)";
        }
        if (requested.strip().equalsIgnoreCase(variant)) {
            return variant + " (forced by LAMINA_CPU=" + requested.strip() + ")";
        }
        if (!List.of("scalar", "avx2", "avx512", "neon").contains(requested.strip().toLowerCase(java.util.Locale.ROOT))) {
            return variant + " (LAMINA_CPU=" + requested.strip() + " is not a variant (scalar, avx2, avx512, neon): using "
                    + variant + ")";
        }
        return variant + " (LAMINA_CPU=" + requested.strip() + " cannot run on this CPU/OS/build: fell back to "
                + variant + ")";
    }

    static void print(PrintWriter out) {
        out.println("cpu variant:     " + summary());
        out.println("cpu features:    " + features());
        out.println("available cpus:  " + Runtime.getRuntime().availableProcessors());
    }

    /** The SIMD flags of /proc/cpuinfo that the variants use. */
    static String features() {
        try {
            Set<String> flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("flags") || l.startsWith("Features"))
                    .findFirst()
                    .map(l -> Set.copyOf(Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))))
                    .orElse(Set.of());
            String present = FEATURES.stream().filter(flags::contains).collect(Collectors.joining(" "));
            return present.isEmpty() ? "(none of " + String.join(" ", FEATURES) + ")" : present;
        } catch (IOException | RuntimeException e) {
            return "(unknown: /proc/cpuinfo unreadable)";
        }
    }
}
