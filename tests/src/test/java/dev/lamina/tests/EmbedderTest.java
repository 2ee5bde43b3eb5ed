package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Embedder;
import dev.lamina.EmbedderOptions;
import dev.lamina.InvalidArgumentException;
import dev.lamina.Model;
import dev.lamina.Pooling;
import dev.lamina.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Embeddings through the Java API and {@code lamina embed}. */
class EmbedderTest {
    private static final String MODEL = "stories260K-f32.gguf";
    private static final List<String> TEXTS = List.of("Once upon a time", "The little llama lived in a library.",
            "One day", "a", "Tom and Lily went to the park to play with the ball.");

    @Test
    void manyTextsTogetherGiveWhatEachGivesAlone() {
        try (Model model = Model.load(TestData.model(MODEL));
             Embedder e = model.newEmbedder(EmbedderOptions.builder().pooling(Pooling.MEAN).textsPerBatch(3).build())) {
            assertEquals(model.info().embeddingLength(), e.dimension());
            List<float[]> together = e.embed(TEXTS);
            assertEquals(TEXTS.size(), together.size());
            for (int i = 0; i < TEXTS.size(); i++) {
                float[] alone = e.embed(TEXTS.get(i));
                for (int d = 0; d < alone.length; d++) {
                    assertEquals(alone[d], together.get(i)[d], 1e-5f * Math.max(1f, Math.abs(alone[d])), "text " + i);
                }
            }
            assertTrue(e.embed(List.of()).isEmpty());
            assertThrows(InvalidArgumentException.class, () -> e.embedTokens(List.of(new int[0])));
        }
    }

    @Test
    void poolingAndNormalisationChangeTheVectors() {
        try (Model model = Model.load(TestData.model(MODEL));
             Embedder mean = model.newEmbedder(EmbedderOptions.builder().pooling(Pooling.MEAN).build());
             Embedder last = model.newEmbedder(EmbedderOptions.builder().pooling(Pooling.LAST).build());
             Embedder byModel = model.newEmbedder();
             Embedder unit = model.newEmbedder(EmbedderOptions.builder().pooling(Pooling.LAST).normalize(true).build())) {
            String text = TEXTS.get(1);
            assertNotEquals(List.of(mean.embed(text)), List.of(last.embed(text)));
            assertArrayEquals(last.embed(text), byModel.embed(text), "a decoder without pooling_type pools LAST");
            float[] u = unit.embed(text), l = last.embed(text);
            double norm = 0, dot = 0, ln = 0;
            for (int d = 0; d < u.length; d++) {
                norm += u[d] * u[d];
                dot += u[d] * l[d];
                ln += l[d] * l[d];
            }
            assertEquals(1.0, norm, 1e-5);
            assertEquals(1.0, dot / Math.sqrt(ln), 1e-5, "same direction as the unnormalised vector");
        }
        Embedder[] leaked = new Embedder[1];
        try (Model model = Model.load(TestData.model(MODEL))) {
            leaked[0] = model.newEmbedder();
        }
        assertThrows(IllegalStateException.class, () -> leaked[0].embed("after the model closed"));
    }

    @Test
    void theCliEmbedsArgumentsAndStandardInput() {
        String model = TestData.model(MODEL).toString();
        CliTest.Run run = CliTest.lamina("embed", "-m", model, "-p", "One day", "-p", "a", "--json", "--pooling", "mean",
                "--normalize");
        assertEquals(0, run.exitCode(), run.err());
        List<?> items = (List<?>) Json.parse(run.out());
        assertEquals(2, items.size());
        Map<?, ?> first = (Map<?, ?>) items.get(0);
        assertEquals("One day", first.get("text"));
        assertEquals(64, ((List<?>) first.get("embedding")).size());
        assertTrue(run.err().contains("texts/s"), run.err());
        try (Model m = Model.load(TestData.model(MODEL));
             Embedder e = m.newEmbedder(EmbedderOptions.builder().pooling(Pooling.MEAN).normalize(true).build())) {
            float[] expected = e.embed("One day");
            List<?> got = (List<?>) first.get("embedding");
            for (int d = 0; d < expected.length; d++) assertEquals(expected[d], ((Number) got.get(d)).floatValue(), 1e-6f);
        }
        CliTest.Run plain = CliTest.lamina("embed", "-m", model, "-p", "One day");
        assertEquals(0, plain.exitCode(), plain.err());
        assertEquals(64, plain.out().strip().split(" ").length);
        CliTest.Run bad = CliTest.lamina("embed", "-m", model, "-p", "x", "--pooling", "max");
        assertNotEquals(0, bad.exitCode());
        assertTrue(bad.err().contains("--pooling 'max'"), bad.err());
    }
}
