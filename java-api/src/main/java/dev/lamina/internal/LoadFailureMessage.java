package dev.lamina.internal;

import java.util.List;

/**
 * The text of the one exception a failed native load throws: every path tried and why it
 * failed, what was detected about the machine, and what to do about it.
 */
final class LoadFailureMessage {
    private LoadFailureMessage() {}

    static String compose(String libraryFile, String platform, List<String> tried, boolean jarFound,
                          List<String> otherPlatforms, String version) {
        return compose(libraryFile, platform, tried, jarFound, otherPlatforms, version, HostDescription.detect());
    }

    static String compose(String libraryFile, String platform, List<String> tried, boolean jarFound,
                          List<String> otherPlatforms, String version, HostDescription host) {
        StringBuilder m = new StringBuilder("Cannot load the Lamina native library ").append(libraryFile)
                .append(" for ").append(platform).append(". Tried:");
        for (String t : tried) {
            m.append("\n  - ").append(t);
        }
        m.append("\nDetected: OS ").append(host.os()).append("; arch ").append(host.arch())
                .append(" (platform ").append(platform).append("); CPU ").append(host.cpu())
                .append("; C library ").append(host.libc()).append('.');
        m.append("\nWhat to do: ").append(advice(libraryFile, platform, tried, jarFound, otherPlatforms, version, host));
        return m.toString();
    }

    private static String advice(String libraryFile, String platform, List<String> tried, boolean jarFound,
                                 List<String> otherPlatforms, String version, HostDescription host) {
        String coordinates = "dev.lamina:lamina:" + version + ":" + platform;
        if (!NativePlatform.SHIPPED.contains(platform)) {
            return "Lamina ships native libraries for " + String.join(", ", NativePlatform.SHIPPED) + " only; "
                    + platform + " is not one of them. Build " + libraryFile + " from source (scripts/build.sh) "
                    + "and pass -D" + NativeLibrary.PATH_PROPERTY + "=/path/to/" + libraryFile + ".";
        }
        if (host.musl()) {
            return "this is a musl system (e.g. Alpine); the Linux libraries need glibc " + NativePlatform.GLIBC_BASELINE
                    + " or newer. Use a glibc-based image (Debian, Ubuntu, RHEL 8+), or build " + libraryFile
                    + " on this system and pass -D" + NativeLibrary.PATH_PROPERTY + ".";
        }
        if (host.glibcTooOld()) {
            return "this system's glibc " + host.glibcVersion().orElse("?") + " is older than "
                    + NativePlatform.GLIBC_BASELINE + ", the oldest the shipped library loads on. Run on a newer "
                    + "distribution (Debian 10+, Ubuntu 18.10+, RHEL 8+), or build " + libraryFile
                    + " on this system and pass -D" + NativeLibrary.PATH_PROPERTY + ".";
        }
        if (!jarFound) {
            String others = otherPlatforms.isEmpty() ? ""
                    : " The class path has the native jar of " + String.join(", ", otherPlatforms)
                      + ", not of this machine's " + platform + ".";
            return "put the native jar of this platform on the class path: " + coordinates
                    + " (Maven: <classifier>" + platform + "</classifier>; Gradle: \"" + coordinates + "\"), or "
                    + "dev.lamina:lamina:" + version + ":all-platforms, next to dev.lamina:lamina." + others
                    + " Or pass -D" + NativeLibrary.PATH_PROPERTY + "=/path/to/" + libraryFile + ".";
        }
        boolean glibcMissing = tried.stream().anyMatch(t -> t.contains("GLIBC_") && t.contains("not found"));
        if (glibcMissing) {
            return "the library needs a newer glibc than this system has (see the errors above); the shipped "
                    + "library needs glibc " + NativePlatform.GLIBC_BASELINE + "+. Build " + libraryFile
                    + " on this system and pass -D" + NativeLibrary.PATH_PROPERTY + ".";
        }
        return "the native jar " + coordinates + " was found but its library did not load (errors above). Check "
                + "that java.io.tmpdir (" + System.getProperty("java.io.tmpdir") + ") is writable and not mounted "
                + "noexec, or extract " + libraryFile + " yourself and pass -D" + NativeLibrary.PATH_PROPERTY + ".";
    }
}
