package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Embedder;
import dev.lamina.EmbedderOptions;
import dev.lamina.Model;
import dev.lamina.Pooling;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Embeddings equal llama.cpp's: the hidden state of every position of the texts in
 * reference/embeddings/texts.txt (what llama.cpp returned for each prefix, see the README there),
 * and mean, first-token and last-token pooling over them, within the bound each model's logits
 * meet against llama.cpp's goldens (golden_cases.txt): 1e-3 for F32 weights, more for F16 and
 * quantized ones, whose products llama.cpp computes on activations rounded to F16 or 8 bits.
 */
class EmbeddingReferenceTest {
    private static final Path DIR = Path.of("reference", "embeddings");

    @ParameterizedTest
    @ValueSource(strings = {"llama2-mha-f32", "deepseek2-f32", "mixtral-moe-f32", "llama2-gqa256-f16",
            "llama3-gqa-f16", "qwen2-f16", "qwen3-f16", "gemma2-f16", "llama2-gqa256-q8_0", "llama2-gqa256-q4_0"})
    void hiddenStatesAndPoolingMatchLlamaCpp(String name) throws IOException {
        double tolerance = GoldenCases.of(name).tolerance();
        List<int[]> texts = texts();
        try (Model model = Model.load(TestData.model(name + ".gguf"));
             Embedder last = model.newEmbedder(EmbedderOptions.builder().pooling(Pooling.LAST).build());
             Embedder mean = model.newEmbedder(EmbedderOptions.builder().pooling(Pooling.MEAN).build());
             Embedder first = model.newEmbedder(EmbedderOptions.builder().pooling(Pooling.CLS).build())) {
            int width = last.dimension();
            float[][] reference = rows(DIR.resolve(name + ".hidden.f32"), width);
            List<int[]> prefixes = new ArrayList<>();
            for (int[] t : texts) {
                for (int n = 1; n <= t.length; n++) prefixes.add(Arrays.copyOf(t, n));
            }
            assertEquals(prefixes.size(), reference.length, name + ": reference rows against texts.txt");

            // A decoder's last-token state of each prefix is the per-position hidden state.
            List<float[]> states = last.embedTokens(prefixes);
            double worst = 0;
            for (int i = 0; i < reference.length; i++) {
                worst = Math.max(worst, assertClose(reference[i], states.get(i), tolerance, name + " position row " + i));
            }

            List<float[]> means = mean.embedTokens(texts), firsts = first.embedTokens(texts);
            int row = 0;
            for (int t = 0; t < texts.size(); t++) {
                int n = texts.get(t).length;
                float[] expectedMean = new float[width];
                for (int i = 0; i < n; i++) {
                    for (int d = 0; d < width; d++) expectedMean[d] += reference[row + i][d] / n;
                }
                worst = Math.max(worst, assertClose(expectedMean, means.get(t), tolerance, name + " mean of text " + t));
                worst = Math.max(worst, assertClose(reference[row], firsts.get(t), tolerance, name + " first token of text " + t));
                row += n;
            }
            System.out.printf("%s: worst relative error against llama.cpp %.2e (tolerance %.0e)%n", name, worst, tolerance);
        }
    }

    private static double assertClose(float[] reference, float[] ours, double tolerance, String what) {
        assertEquals(reference.length, ours.length, what + ": width");
        RowComparison c = RowComparison.of(ours, reference);
        assertTrue(c.relativeError() <= tolerance, what + ": relative error " + c.relativeError() + " > " + tolerance);
        assertTrue(c.cosine() >= RowComparison.QUANT_COSINE, what + ": cosine " + c.cosine());
        return c.relativeError();
    }

    private static List<int[]> texts() throws IOException {
        Path file = DIR.resolve("texts.txt");
        assertTrue(Files.isRegularFile(file), "missing " + file.toAbsolutePath());
        return Files.readAllLines(file).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> Arrays.stream(l.trim().split("\\s+")).mapToInt(Integer::parseInt).toArray())
                .toList();
    }

    private static float[][] rows(Path file, int width) throws IOException {
        assertTrue(Files.isRegularFile(file), "missing " + file.toAbsolutePath());
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, b.remaining() % (4 * width), file + " is not rows of " + width + " floats");
        FloatBuffer floats = b.asFloatBuffer();
        float[][] rows = new float[floats.remaining() / width][width];
        for (float[] r : rows) floats.get(r);
        return rows;
    }
}
