package dev.lamina;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Option records validate in their constructors and copy on modification. */
class GenerationOptionsTest {
    @Test
    void greedyAndSampledFactories() {
        GenerationOptions g = GenerationOptions.greedy().maxTokens(64);
        assertTrue(g.isGreedy());
        assertEquals(64, g.maxTokens());
        GenerationOptions s = GenerationOptions.sampled(0.7f, 20, 0.9f, 7).stopStrings("\n\n");
        assertEquals(0.7f, s.temperature());
        assertEquals(20, s.topK());
        assertEquals(7, s.seed());
        assertEquals(List.of("\n\n"), s.stopStrings());
        assertEquals(s, GenerationOptions.builder().temperature(0.7f).topK(20).topP(0.9f).seed(7)
                .stopStrings("\n\n").build());
    }

    @Test
    void invalidValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy().maxTokens(0));
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy().stopStrings(""));
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy().temperature(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> SessionOptions.builder().contextLength(-1).build());
    }

    @Test
    void statusNamesMatchTheHeader() {
        assertEquals("LM_ERR_BAD_FORMAT", Status.BAD_FORMAT.constantName());
        assertEquals(Status.CONTEXT_FULL, Status.of(6));
        assertEquals(Status.UNKNOWN, Status.of(42));
    }
}
