package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Lamina;
import dev.lamina.Model;
import dev.lamina.ModelInfo;
import dev.lamina.ModelOptions;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Quantized files against llama.cpp's logits: the cases of tests/golden_cases.txt with a cosine
 * bound, every stored prompt row and decode row within their bounds (5e-2 and cosine ≥ 0.999),
 * greedy ids identical. tests/pom.xml runs this
 * class once more per CPU variant (LAMINA_CPU=scalar, avx2, avx512 on x86), each in its own JVM
 * because the library picks its variant once per process.
 */
class QuantizedGoldenTest {
    private static final List<String> KNOWN_VARIANTS = List.of("scalar", "avx2", "avx512", "neon");

    @Test
    void runsTheRequestedCpuVariant() {
        String variant = Lamina.cpuVariant();
        String requested = System.getenv("LAMINA_CPU");
        System.out.println("QuantizedGoldenTest: CPU variant " + variant + " (LAMINA_CPU=" + requested + ")");
        assertTrue(KNOWN_VARIANTS.contains(variant), "unknown variant " + variant);
        if (requested != null && !requested.isBlank()) {
            if (CpuVariants.cpuSupports(requested)) {
                assertEquals(requested, variant, "LAMINA_CPU=" + requested + " on a CPU that supports it");
            } else {
                assertNotEquals(requested, variant, "LAMINA_CPU=" + requested + " on a CPU without it must fall back");
            }
        }
    }

    static Stream<GoldenCases.Case> quantizedCases() {
        return GoldenCases.quantized().stream();
    }

    @ParameterizedTest
    @MethodSource("quantizedCases")
    void everyPromptRowIsWithinTheQuantTolerance(GoldenCases.Case c) {
        TestData.Golden golden = GoldenModelTest.golden(c);
        try (Model model = Model.load(golden.model());
             Session session = model.newSession(GoldenCheck.sessionOptions(golden, null))) {
            int[] ids = model.tokenizer().encode(golden.prompt(), model.info().addBos(), true);
            assertArrayEquals(golden.promptIds(), ids, c + ": prompt tokens");
            GoldenCheck.promptRows(golden, c, session, c.golden());
        }
    }

    @ParameterizedTest
    @MethodSource("quantizedCases")
    void greedyIdsAreIdentical(GoldenCases.Case c) {
        TestData.Golden golden = GoldenModelTest.golden(c);
        try (Model model = Model.load(golden.model());
             Session session = model.newSession(GoldenCheck.sessionOptions(golden, null))) {
            session.evaluate(golden.promptIds());
            GoldenCheck.greedyIdsExactly(golden, session, c.golden());
        }
    }

    @ParameterizedTest
    @MethodSource("quantizedCases")
    void decodeStepLogitsAreWithinTheQuantTolerance(GoldenCases.Case c) {
        TestData.Golden golden = GoldenModelTest.golden(c);
        try (Model model = Model.load(golden.model());
             Session session = model.newSession(GoldenCheck.sessionOptions(golden, null))) {
            session.evaluate(golden.promptIds());
            GoldenCheck.greedyAndDecodeRows(golden, c, session, c.golden());
        }
    }

    /**
     * Q4_0/Q4_K weights are repacked into interleaved rows at load by the variants that have
     * kernels for it (scalar, avx2, avx512); the logits must be those of the file's layout within the
     * quantized tolerance. (Not bit-identical: float terms are rounded in another order, and on
     * these random-weight models an activation on the other side of a rounding step can move later
     * layers by a few percent. A wrongly repacked matrix lands far outside.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama2-gqa256-q4_0", "llama2-gqa256-q4_k_m"})
    void repackedWeightsGiveTheFileLayoutsLogits(String name) {
        TestData.Golden golden = TestData.golden(name);
        float[][] repacked = promptLogits(golden, ModelOptions.defaults());
        float[][] plain = promptLogits(golden, ModelOptions.defaults().withRepackWeights(false));
        for (int row = 0; row < plain.length; row++) {
            RowComparison c = RowComparison.of(repacked[row], plain[row]);
            assertTrue(c.withinQuantTolerance(), name + " [" + Lamina.cpuVariant() + "] row " + row + ": " + c);
        }
    }

    private static float[][] promptLogits(TestData.Golden golden, ModelOptions options) {
        try (Model model = Model.load(golden.model(), options);
             Session session = model.newSession(SessionOptions.builder().contextLength(256).build())) {
            ModelInfo info = model.info();
            boolean variantRepacks = List.of("scalar", "avx2", "avx512").contains(Lamina.cpuVariant());
            if (options.repackWeights() && variantRepacks) {
                assertTrue(info.repackedMatrices() > 0 && info.repackedBytes() > 0, "repacked: " + info);
            } else {
                assertEquals(0, info.repackedMatrices(), "repacked with " + options + " on " + Lamina.cpuVariant());
            }
            session.evaluate(golden.promptIds(), 0, true);
            float[][] rows = new float[session.logitRows()][];
            for (int row = 0; row < rows.length; row++) {
                rows[row] = session.logitsArray(row);
            }
            return rows;
        }
    }
}
