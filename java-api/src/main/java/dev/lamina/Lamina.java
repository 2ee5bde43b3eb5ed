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

    /** The file the native library was loaded from. */
    public static java.nio.file.Path libraryPath() {
        return dev.lamina.internal.NativeLibrary.load();
    }
}
