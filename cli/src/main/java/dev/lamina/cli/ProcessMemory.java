package dev.lamina.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peak resident memory of this process, from /proc/self/status (Linux). */
final class ProcessMemory {
    private ProcessMemory() {}

    /**
     * Resets VmHWM to the current resident size (Linux 4.0+), so the next reading is the peak of
     * what comes after: one model's, when a benchmark loads several in turn. Does nothing where
     * /proc does not allow it.
     */
    static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux, or not permitted: the peak then covers the whole process
        }
    }

    /** VmHWM in bytes, or -1 where /proc is unavailable. */
    static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
