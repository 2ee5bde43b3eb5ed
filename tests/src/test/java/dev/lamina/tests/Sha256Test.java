package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Lamina;
import dev.lamina.Model;
import dev.lamina.ModelFormatException;
import dev.lamina.ModelIOException;
import dev.lamina.ModelOptions;
import dev.lamina.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Supply side of issue 6: a file's SHA-256 from the library, and loading with a hash check. */
class Sha256Test {
    private static final Path MODEL = TestData.model("stories260K-f32.gguf");

    @TempDir
    Path dir;

    static String javaSha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void libraryHashMatchesJavasOnSharedModels() throws IOException {
        for (String name : new String[] {"stories260K-f32.gguf", "llama2-mha-f32.gguf"}) {
            Path file = TestData.model(name);
            assertEquals(javaSha256(file), Lamina.sha256(file), name);
        }
    }

    @Test
    void hashOfSmallAndEmptyFiles() throws IOException {
        // Lengths around the 64-byte block and the 56-byte padding boundary.
        for (int length : new int[] {0, 1, 55, 56, 63, 64, 65, 1000}) {
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = (byte) (i * 31 + 7);
            }
            Path file = Files.write(dir.resolve("f" + length), bytes);
            assertEquals(javaSha256(file), Lamina.sha256(file), "length " + length);
        }
    }

    @Test
    void hashOfAMissingFileIsAnIoError() {
        Path missing = dir.resolve("nope.gguf");
        ModelIOException e = assertThrows(ModelIOException.class, () -> Lamina.sha256(missing));
        assertTrue(e.getMessage().contains("nope.gguf"), e.getMessage());
    }

    @Test
    void loadsWithTheCorrectHashInEitherCase() throws IOException {
        String expected = javaSha256(MODEL);
        for (String given : new String[] {expected, expected.toUpperCase(Locale.ROOT)}) {
            ModelOptions options = ModelOptions.builder().expectedSha256(given).build();
            assertEquals(expected, options.expectedSha256(), "normalised to lowercase");
            try (Model model = Model.load(MODEL, options)) {
                assertEquals(512, model.info().vocabSize());
            }
        }
        // Vocab-only loading checks the hash too.
        try (Model model = Model.load(MODEL, new ModelOptions(true, expected))) {
            assertTrue(model.info().vocabOnly());
        }
    }

    @Test
    void mismatchIsAFormatErrorNamingBothHashes() throws IOException {
        String actual = javaSha256(MODEL);
        // The right hash of another file.
        String wrong = javaSha256(TestData.model("llama2-mha-f32.gguf"));
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Model.load(MODEL, ModelOptions.builder().expectedSha256(wrong).build()));
        assertEquals(Status.BAD_FORMAT, e.status());
        assertTrue(e.getMessage().contains(wrong), "names the expected hash: " + e.getMessage());
        assertTrue(e.getMessage().contains(actual), "names the actual hash: " + e.getMessage());
        assertTrue(e.getMessage().contains("stories260K-f32.gguf"), "names the file: " + e.getMessage());

        // One flipped bit in the file.
        byte[] bytes = Files.readAllBytes(MODEL);
        bytes[bytes.length / 2] ^= 1;
        Path flipped = Files.write(dir.resolve("flipped.gguf"), bytes);
        ModelFormatException f = assertThrows(ModelFormatException.class,
                () -> Model.load(flipped, ModelOptions.builder().expectedSha256(actual).build()));
        assertTrue(f.getMessage().contains(javaSha256(flipped)), f.getMessage());
    }

    @Test
    void badHexIsRefusedBeforeAnyNativeCall() {
        String ok = "0".repeat(64);
        for (String bad : new String[] {"", "abc", ok + "0", ok.substring(1), "g" + ok.substring(1),
                ok.substring(2) + " 0", ok.substring(1) + "\u0661" /* Arabic-Indic digit one */}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelOptions.builder().expectedSha256(bad).build(), "'" + bad + "'");
            assertTrue(e.getMessage().contains("64 hex digits"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new ModelOptions(false, bad));
        }
        // No native call is needed to refuse it: the path does not even exist.
        assertThrows(IllegalArgumentException.class,
                () -> Model.load(dir.resolve("absent.gguf"), new ModelOptions(false, "xyz")));
    }

    @Test
    void cliInfoPrintsAndVerifiesTheHash() throws IOException {
        String expected = javaSha256(MODEL);
        CliTest.Run info = CliTest.lamina("info", "-m", MODEL.toString(), "--no-tensors", "--no-metadata");
        assertEquals(0, info.exitCode(), info.err());
        assertTrue(info.out().matches("(?s).*\\bsha256:\\s+" + expected + "\\R.*"), info.out());

        CliTest.Run skipped = CliTest.lamina("info", "-m", MODEL.toString(), "--no-sha256");
        assertEquals(0, skipped.exitCode(), skipped.err());
        assertTrue(!skipped.out().contains("sha256:"), skipped.out());

        CliTest.Run verified = CliTest.lamina("info", "-m", MODEL.toString(), "--verify-sha256", expected.toUpperCase(Locale.ROOT));
        assertEquals(0, verified.exitCode(), verified.err());
        assertTrue(verified.out().contains(expected), verified.out());

        String wrong = "ab".repeat(32);
        CliTest.Run mismatch = CliTest.lamina("info", "-m", MODEL.toString(), "--verify-sha256", wrong);
        assertEquals(1, mismatch.exitCode());
        assertTrue(mismatch.err().startsWith("lamina: ") && mismatch.err().contains(wrong)
                && mismatch.err().contains(expected), mismatch.err());

        CliTest.Run run = CliTest.lamina("run", "-m", MODEL.toString(), "-p", "", "-n", "4", "--temp", "0",
                "--verify-sha256", expected);
        assertEquals(0, run.exitCode(), run.err());
        CliTest.Run runMismatch = CliTest.lamina("run", "-m", MODEL.toString(), "-p", "", "-n", "4",
                "--verify-sha256", wrong);
        assertEquals(1, runMismatch.exitCode());
        assertTrue(runMismatch.err().contains(wrong), runMismatch.err());

        CliTest.Run badHex = CliTest.lamina("run", "-m", MODEL.toString(), "-p", "", "--verify-sha256", "xyz");
        assertEquals(1, badHex.exitCode());
        assertTrue(badHex.err().contains("64 hex digits"), badHex.err());
    }
}
