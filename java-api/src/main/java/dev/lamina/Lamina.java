package dev.lamina;

/** Facts about the native library itself. */
public final class Lamina {
    private Lamina() {}

    /** The native library's version, "MAJOR.MINOR.PATCH". */
    public static String nativeVersion() {
        return Native.version();
    }

    /** The CPU kernel variant in use: "scalar", "avx2", "avx512" or "neon". */
    public static String cpuVariant() {
        return Native.cpuVariant();
    }

    /** The name of a GGUF tensor type id ("F32", "Q4_K", ...), or "unknown". */
    public static String typeName(int type) {
        return Native.typeName(type);
    }

    /**
     * The SHA-256 of a whole file as 64 lowercase hex digits, computed by the native library (the
     * same digest {@link ModelOptions#expectedSha256()} is checked against). Reads the file once.
     *
     * @throws ModelIOException if the file cannot be opened or read
     */
    public static String sha256(java.nio.file.Path file) {
        java.util.Objects.requireNonNull(file, "file");
        Native.ensureLoaded();
        java.nio.file.Path absolute = file.toAbsolutePath();
        try (java.lang.foreign.Arena call = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment path = call.allocateFrom(absolute.toString());
            return Native.twoCallString(call,
                    (buf, cap, len) -> dev.lamina.bindings.lamina_h.lm_file_sha256(path, buf, cap, len), absolute);
        }
    }

    /**
     * The architectures ({@code general.architecture} values) this library runs, e.g. [llama,
     * qwen2, qwen3, ...]: loading a file of any other architecture fails naming these.
     */
    public static java.util.List<String> supportedArchitectures() {
        Native.ensureLoaded();
        try (java.lang.foreign.Arena call = java.lang.foreign.Arena.ofConfined()) {
            String names = Native.twoCallString(call,
                    (buf, cap, len) -> dev.lamina.bindings.lamina_h.lm_architecture_names(buf, cap, len), null);
            return java.util.Arrays.stream(names.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
    }

    /**
     * What sets an architecture apart (its blocks and special handling), for display, e.g.
     * "per-head Q/K RMSNorm, rotary in the NeoX layout, SwiGLU" for qwen3.
     *
     * @throws InvalidArgumentException if the architecture is not one of {@link #supportedArchitectures()}
     */
    public static String architectureSummary(String architecture) {
        java.util.Objects.requireNonNull(architecture, "architecture");
        Native.ensureLoaded();
        try (java.lang.foreign.Arena call = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment name = call.allocateFrom(architecture);
            return Native.twoCallString(call,
                    (buf, cap, len) -> dev.lamina.bindings.lamina_h.lm_architecture_summary(name, buf, cap, len), null);
        }
    }

    /** The file the native library was loaded from. */
    public static java.nio.file.Path libraryPath() {
        return dev.lamina.internal.NativeLibrary.load();
    }
}
