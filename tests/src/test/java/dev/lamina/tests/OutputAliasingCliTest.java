package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every CLI command that writes a file refuses an output that is one of its inputs (the same
 * path, a symbolic link or a hard link): writing there would truncate a memory-mapped model
 * (SIGBUS) or replace the user's file.
 */
class OutputAliasingCliTest {
    @TempDir
    Path dir;

    @Test
    void logitsRefusesToWriteOverTheModel() throws IOException {
        Path model = privateCopy("models/stories260K-f32.gguf");
        byte[] before = Files.readAllBytes(model);
        for (Path output : aliases(model)) {
            CliTest.Run run = CliTest.lamina("logits", "-m", model.toString(), "-p", "Once", "-o", output.toString());
            assertRefused(run, output);
        }
        assertArrayEquals(before, Files.readAllBytes(model), "the model file was modified");
    }

    @Test
    void quantizeRefusesToWriteOverItsInput() throws IOException {
        Path model = privateCopy("models/llama2-mha-f32.gguf");
        byte[] before = Files.readAllBytes(model);
        for (Path output : aliases(model)) {
            assertRefused(CliTest.lamina("quantize", model.toString(), output.toString(), "Q8_0"), output);
        }
        assertArrayEquals(before, Files.readAllBytes(model));
    }

    @Test
    void synthRefusesToWriteOverItsVocabulary() throws IOException {
        Path vocab = privateCopy("vocab/ggml-vocab-llama-spm.gguf");
        byte[] before = Files.readAllBytes(vocab);
        for (Path output : aliases(vocab)) {
            assertRefused(CliTest.lamina("synth", "--shape", "tiny-64", "--type", "F32", "--vocab", vocab.toString(),
                    "-o", output.toString()), output);
        }
        assertArrayEquals(before, Files.readAllBytes(vocab));
    }

    @Test
    void aFailedLogitsRunLeavesAnExistingOutputAndNoTemporaryFile() throws IOException {
        Path model = TestData.model("stories260K-f32.gguf");
        Path output = dir.resolve("out.f32");
        Files.writeString(output, "keep me");
        // A KV cache larger than memory fails after the output was opened.
        CliTest.Run run = CliTest.lamina("logits", "-m", model.toString(), "-p", "Once",
                "-c", "1000000000", "-o", output.toString());
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("keep me", Files.readString(output));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(output), files.toList(), "only the original file is left");
        }

        CliTest.Run ok = CliTest.lamina("logits", "-m", model.toString(), "-p", "Once", "-o", output.toString());
        assertEquals(0, ok.exitCode(), ok.err());
        assertTrue(Files.size(output) > 7);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(output), files.toList(), "no temporary file is left");
        }
    }

    private Path privateCopy(String shared) throws IOException {
        Path source = TestData.root().resolve(shared);
        Path copy = dir.resolve(source.getFileName());
        Files.copy(source, copy);
        return copy;
    }

    /** The file itself, a symbolic link to it and a hard link to it. */
    private List<Path> aliases(Path file) throws IOException {
        Path symlink = Files.createSymbolicLink(dir.resolve("symlink-" + file.getFileName()), file);
        Path hardlink = Files.createLink(dir.resolve("hardlink-" + file.getFileName()), file);
        return List.of(file, symlink, hardlink);
    }

    private static void assertRefused(CliTest.Run run, Path output) {
        assertEquals(1, run.exitCode(), () -> "exit code; stderr: " + run.err());
        assertTrue(run.err().contains("is the input file"), run.err());
        assertTrue(run.err().contains(output.toString()), run.err());
    }
}
