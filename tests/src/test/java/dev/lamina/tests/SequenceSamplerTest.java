package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.BatchSession;
import dev.lamina.BatchSessionOptions;
import dev.lamina.GeneratedToken;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.Sequence;
import dev.lamina.SequenceSampler;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A SequenceSampler on a batch sequence picks the same tokens as a Generation with the same options. */
class SequenceSamplerTest {
    static final String MODEL = "llama2-gqa256-q4_0.gguf";

    static int[] viaGeneration(Model m, int[] prompt, GenerationOptions o) {
        try (Session s = m.newSession(SessionOptions.builder().contextLength(128).build());
             Generation g = s.generate(prompt, o)) {
            List<Integer> ids = new ArrayList<>();
            for (GeneratedToken t : g) {
                ids.add(t.id());
            }
            return ids.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    @Test
    void sameTokensAsAGenerationForEachSequence() {
        GenerationOptions sampled = GenerationOptions.sampled(0.9f, 40, 0.95f, 42).repeatPenalty(1.2f, 64).maxTokens(12);
        GenerationOptions greedy = GenerationOptions.greedy().maxTokens(12);
        try (Model m = Model.load(TestData.model(MODEL));
             BatchSession batch = m.newBatchSession(BatchSessionOptions.builder().maxSequences(2).contextLength(256).build())) {
            int[] p1 = m.tokenizer().encode("Once upon a time", true, true);
            int[] p2 = m.tokenizer().encode("The cat sat", true, true);
            int[] expected1 = viaGeneration(m, p1, sampled);
            int[] expected2 = viaGeneration(m, p2, greedy);
            Sequence a = batch.newSequence().append(p1);
            Sequence b = batch.newSequence().append(p2);
            try (SequenceSampler sa = new SequenceSampler(m, sampled, p1);
                 SequenceSampler sb = new SequenceSampler(m, greedy, p2)) {
                int[] got1 = new int[12];
                int[] got2 = new int[12];
                for (int i = 0; i < 12; i++) {
                    batch.step();
                    got1[i] = sa.sample(a);
                    got2[i] = sb.sample(b);
                    a.append(got1[i]);
                    b.append(got2[i]);
                }
                assertTrue(expected1.length > 0 && expected2.length > 0);
                assertArrayEquals(expected1, java.util.Arrays.copyOf(got1, expected1.length));
                assertArrayEquals(expected2, java.util.Arrays.copyOf(got2, expected2.length));
                assertEquals(b.argmax(), b.argmax());
            }
        }
    }

    @Test
    void closedSamplerRefusesAndCloseIsIdempotent() {
        try (Model m = Model.load(TestData.model(MODEL));
             BatchSession batch = m.newBatchSession(BatchSessionOptions.builder().maxSequences(1).contextLength(64).build())) {
            Sequence s = batch.newSequence();
            SequenceSampler sampler = new SequenceSampler(m, GenerationOptions.greedy(), new int[0]);
            assertThrows(IllegalStateException.class, () -> sampler.sample(s), "no logits yet");
            sampler.close();
            sampler.close();
            assertTrue(sampler.isClosed());
            s.append(1);
            batch.step();
            assertThrows(IllegalStateException.class, () -> sampler.sample(s));
        }
    }
}
