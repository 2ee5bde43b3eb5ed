package dev.lamina.internal;

import java.util.List;
import java.util.Locale;

/**
 * The platforms Lamina ships a native library for. Each id is at once the directory of the
 * library inside a jar ({@code native/<id>/}), the Maven classifier of the jar that carries it
 * ({@code dev.lamina:lamina:<version>:<id>}) and the name of the CMake preset that builds it.
 */
public final class NativePlatform {
    /** Every platform a native jar exists for, in the order the release builds them. */
    public static final List<String> SHIPPED = List.of("linux-x86_64", "linux-aarch64", "osx-aarch64", "windows-x86_64");

    /** The oldest glibc the Linux libraries load on (cmake/LaminaGlibcBaseline.cmake). */
    public static final String GLIBC_BASELINE = "2.28";

    private NativePlatform() {}

    /** This JVM's platform id, e.g. {@code linux-x86_64}; one not in {@link #SHIPPED} when unsupported. */
    public static String current() {
        return id(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /** The platform id of an {@code os.name} / {@code os.arch} pair. */
    public static String id(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String osId = os.startsWith("linux") ? "linux"
                : os.startsWith("mac") || os.startsWith("darwin") ? "osx"
                : os.startsWith("windows") ? "windows" : os.replaceAll("[^a-z0-9]", "");
        String arch = osArch.toLowerCase(Locale.ROOT);
        String archId = switch (arch) {
            case "amd64", "x86_64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch.replaceAll("[^a-z0-9_]", "");
        };
        return osId + "-" + archId;
    }

    /** The library's file name on a platform: liblamina.so, liblamina.dylib or lamina.dll. */
    public static String libraryFile(String platform) {
        if (platform.startsWith("windows-")) {
            return "lamina.dll";
        }
        return platform.startsWith("osx-") ? "liblamina.dylib" : "liblamina.so";
    }

    /** The class-path resource holding a platform's library, e.g. {@code native/linux-x86_64/liblamina.so}. */
    public static String resource(String platform) {
        return "native/" + platform + "/" + libraryFile(platform);
    }
}
