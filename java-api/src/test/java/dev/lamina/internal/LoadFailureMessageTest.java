package dev.lamina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The advice of the native-load exception, one case per cause, on made-up hosts. */
class LoadFailureMessageTest {
    private static final List<String> TRIED = List.of("/x/liblamina.so (java.library.path): not found",
            "jar resource native/linux-x86_64/liblamina.so: not on the class path (no native jar for linux-x86_64)");

    private static HostDescription linux(String glibc) {
        return new HostDescription("Linux 6.1", "amd64", "Test CPU; has avx2 fma", "glibc " + glibc,
                Optional.of(glibc), false);
    }

    @Test
    void missingJarNamesTheClassifierToAddAndListsEveryPathAndTheHost() {
        String m = LoadFailureMessage.compose("liblamina.so", "linux-x86_64", TRIED, false, List.of(), "1.2.3", linux("2.36"));
        assertTrue(m.startsWith("Cannot load the Lamina native library liblamina.so for linux-x86_64. Tried:"), m);
        for (String t : TRIED) {
            assertTrue(m.contains("\n  - " + t), m);
        }
        assertTrue(m.contains("Detected: OS Linux 6.1; arch amd64 (platform linux-x86_64); CPU Test CPU; has avx2 fma; C library glibc 2.36."), m);
        assertTrue(m.contains("dev.lamina:lamina:1.2.3:linux-x86_64"), m);
        assertTrue(m.contains("<classifier>linux-x86_64</classifier>"), m);
        assertTrue(m.contains("dev.lamina:lamina:1.2.3:all-platforms"), m);
        assertTrue(m.contains("-Dlamina.library.path="), m);
    }

    @Test
    void aNativeJarOfAnotherPlatformIsNamed() {
        String m = LoadFailureMessage.compose("liblamina.so", "linux-x86_64", TRIED, false, List.of("linux-aarch64"), "1.2.3", linux("2.36"));
        assertTrue(m.contains("The class path has the native jar of linux-aarch64, not of this machine's linux-x86_64."), m);
    }

    @Test
    void anOldGlibcIsTheAdviceEvenWhenTheJarIsThere() {
        List<String> tried = List.of("/tmp/lamina-u/1.2.3-abc/liblamina.so (extracted from jar resource jar:file:/a.jar!/native/linux-x86_64/liblamina.so): "
                + "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.28' not found");
        String m = LoadFailureMessage.compose("liblamina.so", "linux-x86_64", tried, true, List.of(), "1.2.3", linux("2.17"));
        assertTrue(m.contains("glibc 2.17 is older than 2.28"), m);
        assertTrue(m.contains(tried.get(0)), m);
    }

    @Test
    void muslIsNamed() {
        HostDescription alpine = new HostDescription("Linux 6.1", "amd64", "?", "musl", Optional.empty(), true);
        String m = LoadFailureMessage.compose("liblamina.so", "linux-x86_64", TRIED, false, List.of(), "1.2.3", alpine);
        assertTrue(m.contains("C library musl"), m);
        assertTrue(m.contains("musl system"), m);
    }

    @Test
    void anUnsupportedPlatformListsTheShippedOnes() {
        String m = LoadFailureMessage.compose("liblamina.so", "linux-riscv64", TRIED, false, List.of(), "1.2.3", linux("2.36"));
        assertTrue(m.contains("ships native libraries for linux-x86_64, linux-aarch64, osx-aarch64, windows-x86_64 only"), m);
        assertFalse(m.contains("<classifier>"), m);
    }

    @Test
    void aJarWhoseLibraryFailsToLoadForAnotherReasonSaysSo() {
        List<String> tried = List.of("/tmp/x/liblamina.so (extracted ...): failed to map segment from shared object");
        String m = LoadFailureMessage.compose("liblamina.so", "linux-x86_64", tried, true, List.of(), "1.2.3", linux("2.36"));
        assertTrue(m.contains("was found but its library did not load"), m);
        assertTrue(m.contains("noexec"), m);
    }

    @Test
    void platformIdsAreTheClassifiers() {
        assertEquals("linux-x86_64", NativePlatform.id("Linux", "amd64"));
        assertEquals("linux-aarch64", NativePlatform.id("Linux", "aarch64"));
        assertEquals("osx-aarch64", NativePlatform.id("Mac OS X", "aarch64"));
        assertEquals("windows-x86_64", NativePlatform.id("Windows 11", "amd64"));
        assertEquals("native/windows-x86_64/lamina.dll", NativePlatform.resource("windows-x86_64"));
        assertEquals("native/osx-aarch64/liblamina.dylib", NativePlatform.resource("osx-aarch64"));
        assertEquals(System.mapLibraryName("lamina"), NativePlatform.libraryFile(NativePlatform.current()));
    }

    @Test
    void theRealHostIsDescribed() {
        HostDescription host = HostDescription.detect();
        assertEquals(System.getProperty("os.arch"), host.arch());
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertTrue(host.libc().startsWith("glibc 2.") || host.musl(), host.libc());
            assertTrue(host.cpu().contains("has "), host.cpu());
        }
    }

    @Test
    void versionsCompareNumerically() {
        assertTrue(HostDescription.compareVersions("2.9", "2.28") < 0);
        assertTrue(HostDescription.compareVersions("2.36", "2.28") > 0);
        assertEquals(0, HostDescription.compareVersions("2.28", "2.28"));
    }
}
