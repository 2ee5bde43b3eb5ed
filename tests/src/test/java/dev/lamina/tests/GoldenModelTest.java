package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Logits;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tokens, logits and greedy decoding against what llama.cpp computed on the same files. */
class GoldenModelTest {
    @ParameterizedTest
    @ValueSource(strings = {"llama2-mha-f32", "llama3-gqa-f16", "llama2-gqa256-f16", "stories260K"})
    void tokenizesThePromptLikeLlamaCpp(String name) {
        TestData.Golden golden = TestData.golden(name);
        try (Model model = Model.load(golden.model())) {
            int[] ids = model.tokenizer().encode(golden.prompt(), model.info().addBos(), true);
            assertArrayEquals(golden.promptIds(), ids, name + ": prompt tokens");
            assertEquals(golden.vocabSize(), model.info().vocabSize(), name + ": n_vocab");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama2-mha-f32", "llama3-gqa-f16", "llama2-gqa256-f16", "stories260K"})
    void promptLogitsMatchEveryGoldenRow(String name) {
        TestData.Golden golden = TestData.golden(name);
        float[][] expected = golden.logits();
        try (Model model = Model.load(golden.model());
             Session session = model.newSession(SessionOptions.builder().contextLength(512).build())) {
            session.evaluate(golden.promptIds(), 0, true);
            assertEquals(golden.promptIds().length, session.logitRows(), name + ": logit rows");
            for (int row = 0; row < expected.length; row++) {
                float[] ours = session.logitsArray(row);
                double error = TestData.relativeError(ours, expected[row]);
                assertTrue(error <= golden.tolerance(), name + " row " + row + ": relative error " + error
                        + " exceeds " + golden.tolerance());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama2-mha-f32", "llama3-gqa-f16", "llama2-gqa256-f16", "stories260K"})
    void greedyDecodingOneTokenAtATimeGivesTheGoldenIds(String name) {
        TestData.Golden golden = TestData.golden(name);
        try (Model model = Model.load(golden.model());
             Session session = model.newSession(SessionOptions.builder().contextLength(512).build())) {
            session.evaluate(golden.promptIds());
            int[] ours = new int[golden.greedyIds().length];
            for (int i = 0; i < ours.length; i++) {
                ours[i] = Logits.argmax(session.logitsSegment(-1));
                session.evaluate(new int[] {ours[i]});
            }
            assertArrayEquals(golden.greedyIds(), ours, name + ": greedy ids");
            assertEquals(golden.promptIds().length + ours.length, session.position(), name + ": position");
        }
    }
}
