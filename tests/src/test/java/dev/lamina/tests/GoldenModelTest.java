package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.KvType;
import dev.lamina.Logits;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tokens, logits and greedy decoding against what llama.cpp computed on the same files, with an
 * F16 KV cache (the default, as llama.cpp made the goldens) and an F32 one.
 */
class GoldenModelTest {
    static Stream<Arguments> modelsAndKvTypes() {
        return Stream.of("llama2-mha-f32", "llama3-gqa-f16", "llama2-gqa256-f16", "stories260K")
                .flatMap(name -> Stream.of(KvType.F16, KvType.F32).map(kv -> Arguments.of(name, kv)));
    }

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
    @MethodSource("modelsAndKvTypes")
    void promptLogitsMatchEveryGoldenRow(String name, KvType kv) {
        TestData.Golden golden = TestData.golden(name);
        float[][] expected = golden.logits();
        try (Model model = Model.load(golden.model());
             Session session = model.newSession(SessionOptions.builder().contextLength(512).kvType(kv).build())) {
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
    @MethodSource("modelsAndKvTypes")
    void greedyDecodingOneTokenAtATimeGivesTheGoldenIds(String name, KvType kv) {
        TestData.Golden golden = TestData.golden(name);
        try (Model model = Model.load(golden.model());
             Session session = model.newSession(SessionOptions.builder().contextLength(512).kvType(kv).build())) {
            session.evaluate(golden.promptIds());
            int[] want = golden.greedyIds();
            int[] ours = new int[want.length];
            int compared = want.length;
            for (int i = 0; i < ours.length; i++) {
                MemorySegment logits = session.logitsSegment(-1);
                ours[i] = Logits.argmax(logits);
                if (ours[i] != want[i] && nearTie(logits, ours[i], want[i], golden.tolerance())) {
                    // Two candidates within the logit tolerance of each other: rounding the
                    // tolerance allows (here the KV cache's) may pick either, and the texts part.
                    compared = i;
                    break;
                }
                session.evaluate(new int[] {ours[i]});
            }
            assertArrayEquals(Arrays.copyOf(want, compared), Arrays.copyOf(ours, compared), name + ": greedy ids");
            assertEquals(golden.promptIds().length + compared, session.position(), name + ": position");
        }
    }

    /** Whether logits a and b differ by no more than the row tolerance allows. */
    private static boolean nearTie(MemorySegment logits, int a, int b, double tolerance) {
        long n = logits.byteSize() / Float.BYTES;
        if (b < 0 || b >= n) {
            return false;
        }
        double scale = 0;
        for (long i = 0; i < n; i++) {
            scale = Math.max(scale, Math.abs(logits.getAtIndex(ValueLayout.JAVA_FLOAT, i)));
        }
        return Math.abs(logits.getAtIndex(ValueLayout.JAVA_FLOAT, a) - logits.getAtIndex(ValueLayout.JAVA_FLOAT, b))
                <= tolerance * scale;
    }
}
