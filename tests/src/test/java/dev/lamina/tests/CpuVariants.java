package dev.lamina.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Which CPU kernel variants this machine can run, from /proc/cpuinfo (as the native dispatcher decides). */
final class CpuVariants {
    private CpuVariants() {}

    static Set<String> flags() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("flags") || l.startsWith("Features"))
                    .findFirst()
                    .map(l -> Set.copyOf(Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))))
                    .orElse(Set.of());
        } catch (IOException e) {
            return Set.of();
        }
    }

    /** Whether the CPU reports the features the variant needs (the OS state checks are the library's). */
    static boolean cpuSupports(String variant) {
        Set<String> f = flags();
        return switch (variant) {
            case "scalar" -> true;
            case "avx2" -> f.containsAll(List.of("avx2", "fma", "f16c"));
            case "avx512" -> f.containsAll(List.of("avx512f", "avx512bw", "avx512vl", "avx512dq", "avx2", "fma", "f16c"));
            case "neon" -> f.contains("asimd");
            default -> false;
        };
    }
}
