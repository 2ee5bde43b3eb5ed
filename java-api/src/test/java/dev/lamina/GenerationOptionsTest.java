package dev.lamina;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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
        assertEquals(List.of("top_k k=20", "top_p p=0.9", "temperature t=0.7", "dist"),
                s.samplers().stream().map(Sampler::spec).toList());
        assertEquals(7, s.seed());
        assertTrue(s.temperature(0f).isGreedy());
        assertEquals(List.of("top_k k=20", "top_p p=0.9", "greedy"), s.temperature(0f).samplers().stream().map(Sampler::spec).toList());
        assertEquals(List.of("\n\n"), s.stopStrings());
        assertEquals(s, GenerationOptions.builder().temperature(0.7f).topK(20).topP(0.9f).seed(7)
                .stopStrings("\n\n").build());
    }

    @Test
    void shorthandsPlaceSamplersWhereLlamaCppsChainHasThem() {
        GenerationOptions o = GenerationOptions.defaults().topK(20).repeatPenalty(1.1f, 32).minP(0.1f);
        assertEquals(List.of("penalties last_n=32 repeat=1.1", "dry", "top_k k=20", "typical", "top_p", "min_p p=0.1", "xtc",
                "temperature", "dist"), o.samplers().stream().map(Sampler::spec).toList());
        GenerationOptions explicit = GenerationOptions.builder().addSampler(Sampler.minP(0.2f))
                .addSampler(Sampler.temperature(1.5f)).addSampler(Sampler.mirostatV2(5f, 0.1f)).build();
        assertEquals(List.of("min_p p=0.2", "temperature t=1.5", "mirostat_v2 tau=5.0 eta=0.1"),
                explicit.samplers().stream().map(Sampler::spec).toList());
        assertThrows(IllegalArgumentException.class,
                () -> GenerationOptions.greedy().samplers(Sampler.greedy(), Sampler.topK(3)));
        assertEquals("logit_bias 2=-inf 15=1.5",
                Sampler.logitBias(java.util.Map.of(15, 1.5f, 2, Float.NEGATIVE_INFINITY)).spec());
        assertEquals(Sampler.Kind.TOP_K, Sampler.parse(" top_k k=3 ").kind());
        assertEquals("3", Sampler.parse("top_k k=3").parameter("k"));
        assertThrows(IllegalArgumentException.class, () -> Sampler.parse("top_q p=1"));
        assertThrows(IllegalArgumentException.class, () -> Sampler.topP(Float.NaN));
    }

    @Test
    void invalidValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy().maxTokens(0));
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy().stopStrings(""));
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy().temperature(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> SessionOptions.builder().contextLength(-1).build());
    }

    @Test
    void aTimeoutIsPositiveAndSurvivesTheOtherCopies() {
        GenerationOptions t = GenerationOptions.builder().timeout(Duration.ofMillis(250)).maxTokens(9).seed(3).build();
        assertEquals(Duration.ofMillis(250), t.timeout());
        assertEquals(Duration.ofMillis(250), t.stopStrings("x").temperature(0.5f).timeout());
        assertEquals(null, t.timeout(null).timeout());
        assertEquals(null, GenerationOptions.greedy().timeout());
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy().timeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy().timeout(Duration.ofSeconds(-1)));
    }

    @Test
    void batchSessionOptionsKeepTheSessionsDefaults() {
        BatchSessionOptions o = BatchSessionOptions.builder().maxSequences(4).contextLength(512).kvType(KvType.F32).build();
        assertEquals(4, o.maxSequences());
        assertEquals(SessionOptions.builder().contextLength(512).kvType(KvType.F32).build(), o.session());
        assertEquals(0, BatchSessionOptions.builder().build().maxSequences(), "0 = the library's default");
        assertThrows(IllegalArgumentException.class, () -> BatchSessionOptions.builder().maxSequences(-1).build());
    }

    @Test
    void cancellationMapsToItsOwnExceptions() {
        assertEquals(Status.CANCELLED, new CancelledException("stopped", null).status());
        DeadlineExceededException d = new DeadlineExceededException("late", Duration.ofSeconds(1), null);
        assertTrue(d instanceof CancelledException);
        assertEquals(Duration.ofSeconds(1), d.timeout());
        assertTrue(d.getMessage().contains("LM_ERR_CANCELLED"), d.getMessage());
    }

    @Test
    void statusNamesMatchTheHeader() {
        assertEquals("LM_ERR_BAD_FORMAT", Status.BAD_FORMAT.constantName());
        assertEquals(Status.CONTEXT_FULL, Status.of(6));
        assertEquals(Status.UNKNOWN, Status.of(42));
    }
}
