package dev.lamina.internal;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a failed native load reports about the machine: OS, architecture, the CPU features the
 * kernels dispatch on, and the C library. Only computed on failure, so nothing here runs (or
 * warns) when the library loads.
 */
record HostDescription(String os, String arch, String cpu, String libc, Optional<String> glibcVersion, boolean musl) {

    /** The CPU flags the x86-64 and aarch64 kernels choose between (native/src/cpu/cpu_features.cpp). */
    private static final List<String> X86_FEATURES = List.of("avx", "avx2", "fma", "f16c", "avx512f", "avx512bw",
            "avx512vl", "avx512dq", "avx512_vnni");
    private static final List<String> ARM_FEATURES = List.of("asimd", "asimddp", "fphp", "asimdhp");

    static HostDescription detect() {
        String osName = System.getProperty("os.name", "?") + " " + System.getProperty("os.version", "");
        String arch = System.getProperty("os.arch", "?");
        boolean linux = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux");
        Optional<String> glibc = linux ? readGlibcVersion() : Optional.empty();
        boolean musl = linux && glibc.isEmpty() && isMusl();
        String libc = !linux ? "the system's (not checked on this OS)"
                : glibc.map(v -> "glibc " + v).orElse(musl ? "musl" : "unknown (no gnu_get_libc_version)");
        return new HostDescription(osName.strip(), arch, linux ? linuxCpu() : "not read on this OS", libc, glibc, musl);
    }

    /** True when glibc is older than {@link NativePlatform#GLIBC_BASELINE}. */
    boolean glibcTooOld() {
        return glibcVersion.map(v -> compareVersions(v, NativePlatform.GLIBC_BASELINE) < 0).orElse(false);
    }

    static int compareVersions(String a, String b) {
        int[] x = Arrays.stream(a.split("\\.")).mapToInt(HostDescription::leadingInt).toArray();
        int[] y = Arrays.stream(b.split("\\.")).mapToInt(HostDescription::leadingInt).toArray();
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(i < x.length ? x[i] : 0, i < y.length ? y[i] : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static int leadingInt(String s) {
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(s.substring(0, end));
    }

    /** glibc's own answer through FFM; empty on another libc or when native access is denied. */
    private static Optional<String> readGlibcVersion() {
        try {
            Linker linker = Linker.nativeLinker();
            Optional<MemorySegment> fn = linker.defaultLookup().find("gnu_get_libc_version");
            if (fn.isEmpty()) {
                return Optional.empty();
            }
            MethodHandle h = linker.downcallHandle(fn.get(), FunctionDescriptor.of(ValueLayout.ADDRESS));
            MemorySegment s = (MemorySegment) h.invokeExact();
            return Optional.of(s.reinterpret(64).getString(0));
        } catch (Throwable e) {
            return Optional.empty();
        }
    }

    private static boolean isMusl() {
        try (Stream<Path> libs = Files.list(Path.of("/lib"))) {
            return libs.anyMatch(p -> p.getFileName().toString().startsWith("ld-musl-"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** "model name" and the relevant flags of /proc/cpuinfo's first processor. */
    private static String linuxCpu() {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return "unknown (/proc/cpuinfo: " + e.getMessage() + ")";
        }
        String model = field(lines, "model name").or(() -> field(lines, "CPU part").map(p -> "CPU part " + p)).orElse("?");
        Optional<String> x86 = field(lines, "flags");
        Set<String> flags = Arrays.stream(x86.or(() -> field(lines, "Features")).orElse("").split("\\s+"))
                .collect(Collectors.toSet());
        List<String> wanted = x86.isPresent() ? X86_FEATURES : ARM_FEATURES;
        List<String> has = new ArrayList<>();
        List<String> lacks = new ArrayList<>();
        for (String f : wanted) {
            (flags.contains(f) ? has : lacks).add(f);
        }
        return model + "; has " + (has.isEmpty() ? "none of " + wanted : String.join(" ", has))
                + (lacks.isEmpty() ? "" : "; lacks " + String.join(" ", lacks));
    }

    private static Optional<String> field(List<String> lines, String key) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
                return Optional.of(line.substring(colon + 1).strip());
            }
        }
        return Optional.empty();
    }
}
