package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4 acceptance 4: `lamina quantize` of the F32 model to Q8_0 loads and its logits stay within
 * relative error 5e-2 and cosine ≥ 0.999 of the F32 original's; the other types are reported.
 */
class QuantizeCliTest {
    @TempDir
    Path dir;

    @Test
    void q8IsWithinTheToleranceOfTheF32Original() {
        TestData.Golden golden = TestData.golden("llama2-mha-f32");
        float[][] original = logits(golden.model(), golden.promptIds());
        Path out = dir.resolve("llama2-mha-q8_0.gguf");
        CliTest.Run run = CliTest.lamina("quantize", golden.model().toString(), out.toString(), "Q8_0", "--threads", "2");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("wrote"), run.out());
        RowComparison worst = RowComparison.worst(logits(out, golden.promptIds()), original);
        System.out.println("QuantizeCliTest llama2-mha-f32 -> Q8_0: worst row " + worst);
        assertTrue(worst.withinQuantTolerance(), "Q8_0 vs F32: " + worst);
    }

    /** Reports (does not assert: 4-bit types of a 64-wide model are expected to exceed the 8-bit bound). */
    @Test
    void reportsTheOtherTypes() {
        TestData.Golden golden = TestData.golden("llama2-mha-f32");
        float[][] original = logits(golden.model(), golden.promptIds());
        for (String type : List.of("F16", "Q6_K", "Q5_K_M", "Q5_0", "Q4_K_M", "Q4_0", "Q3_K_M", "Q2_K")) {
            Path out = dir.resolve("llama2-mha-" + type + ".gguf");
            CliTest.Run run = CliTest.lamina("quantize", golden.model().toString(), out.toString(), type);
            assertEquals(0, run.exitCode(), type + ": " + run.err());
            RowComparison worst = RowComparison.worst(logits(out, golden.promptIds()), original);
            System.out.printf("QuantizeCliTest llama2-mha-f32 -> %-6s: worst row %s%s%n", type, worst,
                    worst.withinQuantTolerance() ? "" : " (outside the 8-bit tolerance)");
            assertTrue(worst.cosine() > 0.9, type + " is still close to the original: " + worst);
        }
    }

    @Test
    void helpListsTheFileTypes() {
        CliTest.Run run = CliTest.lamina("quantize", "--help");
        assertEquals(0, run.exitCode(), run.err());
        for (String type : List.of("Q4_0", "Q8_0", "Q4_K_M", "Q6_K", "F16")) {
            assertTrue(run.out().contains(type), type + " in: " + run.out());
        }
    }

    @Test
    void anUnknownTypeIsOneErrorLine() {
        TestData.Golden golden = TestData.golden("llama2-mha-f32");
        CliTest.Run run = CliTest.lamina("quantize", golden.model().toString(), dir.resolve("x.gguf").toString(), "Q7_7");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().startsWith("lamina: ") && run.err().contains("Q7_7"), run.err());
    }

    static float[][] logits(Path file, int[] prompt) {
        try (Model model = Model.load(file);
             Session session = model.newSession(SessionOptions.builder().contextLength(128).build())) {
            session.evaluate(prompt, 0, true);
            float[][] rows = new float[prompt.length][];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = session.logitsArray(r);
            }
            return rows;
        }
    }
}
