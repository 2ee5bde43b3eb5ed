package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.InvalidArgumentException;
import dev.lamina.LaminaException;
import dev.lamina.Model;
import dev.lamina.ModelInfo;
import dev.lamina.ModelWriter;
import dev.lamina.QuantizeOptions;
import dev.lamina.Status;
import dev.lamina.SynthesizeOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API for writing models: quantize, synthesize, progress upcalls, cancellation. */
class ModelWriterTest {
    @TempDir
    Path dir;

    private static Path spmVocab() {
        Path p = TestData.root().resolve("vocab").resolve("ggml-vocab-llama-spm.gguf");
        assertTrue(Files.isRegularFile(p), "vocab file missing: " + p);
        return p;
    }

    @Test
    void namesComeFromTheNativeLibrary() {
        List<String> types = ModelWriter.fileTypeNames();
        assertTrue(types.containsAll(List.of("F32", "F16", "Q4_0", "Q8_0", "Q4_K_M", "Q6_K")), types.toString());
        List<String> shapes = ModelWriter.shapeNames();
        assertTrue(shapes.containsAll(List.of("tinyllama-1.1b", "llama-3.2-1b")), shapes.toString());
    }

    @Test
    void progressIsMonotoneAndEndsAtTheTotal() throws IOException {
        List<long[]> calls = new ArrayList<>();
        Thread caller = Thread.currentThread();
        List<Thread> threads = new ArrayList<>();
        Path out = dir.resolve("q8.gguf");
        ModelWriter.quantize(TestData.model("llama2-mha-f32.gguf"), out, QuantizeOptions.builder("q8_0").threads(2)
                .progress((done, total) -> {
                    calls.add(new long[] {done, total});
                    threads.add(Thread.currentThread());
                    return true;
                }).build());
        assertFalse(calls.isEmpty(), "the listener was called");
        long total = calls.get(0)[1];
        long previous = 0;
        for (long[] c : calls) {
            assertEquals(total, c[1], "total stays the same");
            assertTrue(c[0] >= previous && c[0] <= total, "done " + c[0] + " after " + previous + " of " + total);
            previous = c[0];
        }
        assertEquals(total, previous, "the last call reports completion");
        threads.forEach(t -> assertSame(caller, t, "the listener runs on the calling thread"));
        try (Model m = Model.load(out)) {
            assertEquals(7, m.info().fileType(), "general.file_type of Q8_0 (LLAMA_FTYPE_MOSTLY_Q8_0)");
        }
    }

    @Test
    void aListenerReturningFalseCancelsAndLeavesNoFile() throws IOException {
        Path out = dir.resolve("cancelled.gguf");
        int[] calls = {0};
        LaminaException e = assertThrows(LaminaException.class, () -> ModelWriter.quantize(
                TestData.model("llama2-mha-f32.gguf"), out,
                QuantizeOptions.builder("Q4_0").progress((done, total) -> ++calls[0] < 3).build()));
        assertEquals(Status.CANCELLED, e.status(), e.getMessage());
        assertEquals(3, calls[0], "no call after cancelling");
        assertNoFilesIn(dir);
    }

    @Test
    void aListenerExceptionIsRethrownAfterTheNativeCall() throws IOException {
        Path out = dir.resolve("thrown.gguf");
        IllegalStateException boom = new IllegalStateException("listener failed on purpose");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ModelWriter.quantize(
                TestData.model("llama2-mha-f32.gguf"), out,
                QuantizeOptions.builder("Q8_0").progress((done, total) -> {
                    throw boom;
                }).build()));
        assertSame(boom, e);
        assertNoFilesIn(dir);
        // The library is still usable afterwards.
        ModelWriter.quantize(TestData.model("llama2-mha-f32.gguf"), out, QuantizeOptions.of("Q8_0"));
        assertTrue(Files.isRegularFile(out));
    }

    @Test
    void anUnknownFileTypeNamesTheKnownOnes() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> ModelWriter.quantize(
                TestData.model("llama2-mha-f32.gguf"), dir.resolve("x.gguf"), QuantizeOptions.of("Q9_9")));
        assertTrue(e.getMessage().contains("Q9_9") && e.getMessage().contains("Q4_K_M"), e.getMessage());
    }

    @Test
    void synthesizeWritesTheShapeDeterministically() throws IOException {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        int[] calls = {0};
        SynthesizeOptions options = SynthesizeOptions.builder("tiny-64", spmVocab()).fileType("Q8_0").seed(7)
                .progress((done, total) -> ++calls[0] > 0).build();
        ModelWriter.synthesize(a, options);
        ModelWriter.synthesize(b, options);
        assertTrue(calls[0] > 0, "progress reported");
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "same seed = same file");
        try (Model m = Model.load(a)) {
            ModelInfo i = m.info();
            assertEquals("llama", i.architecture());
            assertEquals(64, i.embeddingLength());
            assertEquals(2, i.layerCount());
            assertEquals(32000, i.vocabSize(), "vocabulary copied from the Llama 2 vocab file");
            assertEquals(7, i.fileType());
            int[] ids = m.tokenizer().encode("Hello world", true, false);
            assertTrue(ids.length >= 3, "the copied tokenizer works");
        }
        ModelWriter.synthesize(b, SynthesizeOptions.builder("tiny-64", spmVocab()).fileType("Q8_0").seed(8).build());
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)), "another seed, other weights");
    }

    @Test
    void synthesizeRejectsAnUnknownShape() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> ModelWriter.synthesize(
                dir.resolve("x.gguf"), SynthesizeOptions.builder("llama-99b", spmVocab()).build()));
        assertTrue(e.getMessage().contains("llama-99b") && e.getMessage().contains("tinyllama-1.1b"), e.getMessage());
    }

    private static void assertNoFilesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> left = files.toList();
            assertTrue(left.isEmpty(), "left behind: " + left);
        }
    }
}
