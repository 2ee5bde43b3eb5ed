package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Lamina;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native library search order, each case in a fresh JVM (a library loads once per JVM). */
class NativeLoadingTest {
    @TempDir
    Path dir;

    /** Entry point of the child JVMs: prints where the library was loaded from. */
    public static void main(String[] args) {
        try {
            System.out.println(Lamina.libraryPath());
            System.out.println(Lamina.nativeVersion());
        } catch (UnsatisfiedLinkError e) {
            System.err.println(e.getMessage());
            System.exit(3);
        }
    }

    record Child(int exitCode, String out, String err) {}

    private Child run(String... properties) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(List.of(properties));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(NativeLoadingTest.class.getName());
        Process p = new ProcessBuilder(command).redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        return new Child(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void extractsTheBundledLibraryIntoAPerUserCacheAndHonoursAnExplicitPath() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Child extracted = run("-Djava.io.tmpdir=" + tmp, "-Djava.library.path=" + dir.resolve("none"));
        assertEquals(0, extracted.exitCode(), extracted.err());
        assertEquals("", extracted.err(), "no warnings");
        Path library = Path.of(extracted.out().lines().findFirst().orElseThrow());
        assertTrue(library.startsWith(tmp.resolve("lamina-" + System.getProperty("user.name"))), library.toString());
        assertTrue(Files.isRegularFile(library));

        // A second JVM reuses the cached copy.
        Child again = run("-Djava.io.tmpdir=" + tmp, "-Djava.library.path=" + dir.resolve("none"));
        assertEquals(extracted.out(), again.out());

        // An explicit file wins over everything else.
        Path copy = Files.copy(library, Files.createDirectories(dir.resolve("explicit")).resolve(library.getFileName()));
        Child explicit = run("-Dlamina.library.path=" + copy.getParent(), "-Djava.io.tmpdir=" + tmp);
        assertEquals(0, explicit.exitCode(), explicit.err());
        assertEquals(copy.toString(), explicit.out().lines().findFirst().orElseThrow());
    }

    @Test
    void failureListsEveryPathTried() throws Exception {
        // A temp dir below a regular file cannot be created, so extraction fails too.
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        Child failed = run("-Dlamina.library.path=" + dir.resolve("missing.so"),
                "-Djava.library.path=" + dir.resolve("nolib"),
                "-Djava.io.tmpdir=" + notADirectory.resolve("tmp"));
        assertEquals(3, failed.exitCode(), failed.out() + failed.err());
        assertTrue(failed.err().contains(dir.resolve("missing.so").toString()), failed.err());
        assertTrue(failed.err().contains(dir.resolve("nolib").toString()), failed.err());
        assertTrue(failed.err().contains("jar resource"), failed.err());
    }

    @Test
    void refusesALibraryBuiltFromAnotherHeader() throws Exception {
        // Any shared library without lm_header_digest stands in for a liblamina built from an
        // older lamina.h: loading it must fail with a message, not crash the JVM later.
        Path foreign = java.util.stream.Stream.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                        "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib")
                .map(d -> Path.of(d, "libz.so.1")).filter(Files::exists).findFirst()
                .orElseThrow(() -> new AssertionError("no libz.so.1 to stand in for a stale liblamina"));
        Path stale = Files.copy(foreign, Files.createDirectories(dir.resolve("stale")).resolve(System.mapLibraryName("lamina")));
        Child refused = run("-Dlamina.library.path=" + stale);
        assertEquals(3, refused.exitCode(), refused.out() + refused.err());
        assertTrue(refused.err().contains("was built from another lamina.h"), refused.err());
        assertTrue(refused.err().contains(stale.toString()), refused.err());
    }
}
