package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lamina.LaminaException;
import dev.lamina.Model;
import dev.lamina.ModelFormatException;
import dev.lamina.ModelIOException;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import dev.lamina.Status;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files that are structurally valid GGUF but cannot give a working model: not a regular file,
 * degenerate float hyperparameters, NaN weights, tensors the architecture does not use, tensors
 * sharing bytes. Each is refused with a typed exception naming the problem, instead of loading
 * and computing NaN or silently running part of the model.
 */
class DegenerateModelTest {
    private static final String MODEL = "llama2-mha-f32.gguf";

    @TempDir
    Path dir;

    private static GgufEditor edit(String model) throws IOException {
        return new GgufEditor(Files.readAllBytes(TestData.model(model)));
    }

    private Path write(GgufEditor editor) throws IOException {
        Path path = Files.createTempFile(dir, "degenerate", ".gguf");
        Files.write(path, editor.toBytes());
        return path;
    }

    private static <T extends LaminaException> T assertLoadFails(Class<T> type, Path path, String... fragments) {
        T e = assertThrows(type, () -> Model.load(path).close());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + fragment + "' not in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void fifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("model.gguf");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo failed");
        // On a thread of its own: a load that blocks in open() must fail this test, not hang the
        // suite, so after the grace period a writer releases it.
        CompletableFuture<Throwable> load = CompletableFuture.supplyAsync(() -> {
            try {
                Model.load(fifo).close();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Throwable thrown;
        try {
            thrown = load.get(20, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            try (FileOutputStream writer = new FileOutputStream(fifo.toFile())) {
                writer.write(0);
            }
            load.get();
            fail("Model.load on a FIFO was still blocked after 20 s");
            return;
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
        assertTrue(thrown instanceof ModelIOException, () -> "expected ModelIOException, got " + thrown);
        assertTrue(thrown.getMessage().contains("is a FIFO, not a regular file"), thrown.getMessage());
    }

    @Test
    void directoryIsRefused() {
        assertLoadFails(ModelIOException.class, dir, "is a directory, not a regular file");
    }

    @Test
    void infiniteRmsEpsilonIsRefused() throws IOException {
        Path path = write(edit(MODEL).setF32("llama.attention.layer_norm_rms_epsilon", Float.POSITIVE_INFINITY));
        ModelFormatException e = assertLoadFails(ModelFormatException.class, path,
                "metadata 'llama.attention.layer_norm_rms_epsilon' = inf is not finite");
        assertEquals(Status.BAD_FORMAT, e.status());
    }

    @Test
    void nanOrZeroFreqBaseIsRefused() throws IOException {
        assertLoadFails(ModelFormatException.class, write(edit(MODEL).setF32("llama.rope.freq_base", Float.NaN)),
                "metadata 'llama.rope.freq_base' = nan is not finite");
        assertLoadFails(ModelFormatException.class, write(edit(MODEL).setF32("llama.rope.freq_base", 0f)),
                "metadata 'llama.rope.freq_base' = 0 is out of range");
    }

    @Test
    void tinyRopeScalingFactorIsRefused() throws IOException {
        Path path = write(edit(MODEL).setString("llama.rope.scaling.type", "linear")
                .setF32("llama.rope.scaling.factor", 1e-30f));
        assertLoadFails(ModelFormatException.class, path, "metadata 'llama.rope.scaling.factor' = ", "is out of range");
    }

    @Test
    void zeroRopeFrequencyDivisorIsRefused() throws IOException {
        GgufEditor e = edit("llama3-gqa-f16.gguf");
        Path path = write(e.setF32Element("rope_freqs.weight", 1, 0f));
        assertLoadFails(ModelFormatException.class, path, "tensor 'rope_freqs.weight' element 1 = 0 is out of range");
    }

    @Test
    void nanWeightMakesEvaluationFailNamingLayerAndTensor() throws IOException {
        Path path = write(edit(MODEL).setF32Element("blk.1.attn_output.weight", 11, Float.NaN));
        String expected = "non-finite values in the evaluation: first in layer 1, attention output "
                + "(blk.1.attn_output.weight)";
        try (Model model = Model.load(path);
             Session session = model.newSession(SessionOptions.builder().contextLength(32).build())) {
            int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> session.evaluate(prompt));
            assertTrue(e.getMessage().contains(expected), e.getMessage());
            assertEquals(Status.BAD_FORMAT, e.status());
            // No logits from the failed batch, and its positions are not kept.
            assertEquals(0, session.position());
            assertThrows(LaminaException.class, () -> session.logitsArray(-1));
        }
    }

    @Test
    void cliRunOnANanWeightFailsWithTheMessageInsteadOfPrintingTokens() throws IOException {
        Path path = write(edit(MODEL).setF32Element("blk.1.attn_output.weight", 11, Float.NaN));
        CliTest.Run run = CliTest.lamina("run", "-m", path.toString(), "-p", "Once upon a time", "-n", "8",
                "--temp", "0");
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().contains("first in layer 1, attention output (blk.1.attn_output.weight)"), run.err());
        assertTrue(run.out().isBlank(), () -> "tokens were printed: " + run.out());
    }

    @Test
    void layersBeyondBlockCountAreRefused() throws IOException {
        Path path = write(edit(MODEL).setU32("llama.block_count", 1));
        assertLoadFails(ModelFormatException.class, path, "block_count 1", "tensors in the file are not used",
                "'blk.1.attn_q.weight'");
    }

    @Test
    void qwen3FileRelabelledLlamaIsRefusedForItsQkNorms() throws IOException {
        // llama takes optional biases (as llama.cpp does), so a relabelled qwen2 file loads; a
        // relabelled qwen3 file has per-head Q/K norms llama would silently skip.
        GgufEditor e = edit("qwen3-f16.gguf");
        e.entries.replaceAll(entry -> {
            String key = new String(entry.key(), StandardCharsets.UTF_8);
            return key.startsWith("qwen3.")
                    ? new GgufEditor.Entry(("llama." + key.substring(6)).getBytes(StandardCharsets.UTF_8),
                            entry.typeAndValue())
                    : entry;
        });
        Path path = write(e.setString("general.architecture", "llama"));
        ModelFormatException thrown = assertLoadFails(ModelFormatException.class, path, "architecture 'llama'",
                "not used", "'blk.0.attn_q_norm.weight'", "'blk.0.attn_k_norm.weight'");
        assertEquals(Status.BAD_FORMAT, thrown.status());
    }

    @Test
    void expertTensorsWithoutAnExpertCountAreRefusedNamingThem() throws IOException {
        Path path = write(edit("mixtral-moe-f32.gguf").remove("llama.expert_count").remove("llama.expert_used_count"));
        ModelFormatException e = assertLoadFails(ModelFormatException.class, path, "not used",
                "'blk.0.ffn_gate_inp.weight'", "'blk.0.ffn_gate_exps.weight'");
        assertEquals(Status.BAD_FORMAT, e.status());
    }

    @Test
    void mixtureOfExpertsFileLoads() throws IOException {
        try (Model model = Model.load(TestData.model("mixtral-moe-f32.gguf"))) {
            assertEquals("llama", model.info().architecture());
            assertTrue(model.info().expertCount() > 1, "expert count " + model.info().expertCount());
        }
    }

    @Test
    void tensorsSharingBytesAreRefused() throws IOException {
        GgufEditor e = edit(MODEL);
        GgufEditor.TensorEntry norm = e.tensor("blk.0.attn_norm.weight");
        GgufEditor.TensorEntry other = e.tensor("blk.0.ffn_norm.weight");
        e.replaceTensor("blk.0.ffn_norm.weight", new GgufEditor.TensorEntry(other.name(), other.ne(), other.type(),
                norm.offset()));
        ModelFormatException thrown = assertLoadFails(ModelFormatException.class, write(e),
                "'blk.0.attn_norm.weight' (bytes ", "'blk.0.ffn_norm.weight' (bytes ", "overlaps");
        assertFalse(thrown.getMessage().isBlank());
    }
}
