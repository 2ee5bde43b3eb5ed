package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.GeneratedToken;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.InvalidArgumentException;
import dev.lamina.Model;
import dev.lamina.Sampler;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sampler chains through the Java API and the CLI, on the trained stories260K model. */
class SamplerChainTest {
    private static final String MODEL = "stories260K-f32.gguf";

    private static List<Integer> generate(Model model, GenerationOptions options) {
        try (Session session = model.newSession(SessionOptions.builder().contextLength(256).build());
             Generation g = session.generate("", options)) {
            List<Integer> ids = new ArrayList<>();
            for (GeneratedToken t : g) ids.add(t.id());
            return ids;
        }
    }

    @Test
    void theJavaKindsAreTheNativeCatalog() {
        List<String> names = Sampler.catalog().stream().map(l -> l.split("[ \\t]", 2)[0]).toList();
        assertEquals(Arrays.stream(Sampler.Kind.values()).map(Sampler.Kind::nativeName).toList(), names);
        assertEquals("40", Sampler.defaultValue(Sampler.Kind.TOP_K, "k"));
        assertEquals("0.8", Sampler.defaultValue(Sampler.Kind.TEMPERATURE, "t"));
        assertThrows(IllegalArgumentException.class, () -> Sampler.defaultValue(Sampler.Kind.TOP_K, "p"));
    }

    @Test
    void sameSeedAndChainGiveTheSameTokensAndEachSamplerActs() {
        try (Model model = Model.load(TestData.model(MODEL))) {
            GenerationOptions sampled = GenerationOptions.defaults().temperature(1.5f).maxTokens(40).seed(11);
            List<Integer> a = generate(model, sampled), b = generate(model, sampled);
            assertEquals(a, b);
            assertNotEquals(a, generate(model, sampled.seed(12)));

            List<Integer> greedy = generate(model, GenerationOptions.greedy().maxTokens(20));
            assertEquals(greedy, generate(model, GenerationOptions.greedy().samplers(Sampler.topK(1)).maxTokens(20)));
            // Banning the greedy text's first token changes the first token.
            GenerationOptions banned = GenerationOptions.greedy().maxTokens(20)
                    .samplers(Sampler.logitBias(Map.of(greedy.get(0), Float.NEGATIVE_INFINITY)), Sampler.greedy());
            List<Integer> other = generate(model, banned);
            assertNotEquals(greedy.get(0), other.get(0));
            assertFalse(other.contains(greedy.get(0)), "a banned token never appears: " + other);
            // A strong repetition penalty over the whole output makes repeats rarer than greedy's.
            List<Integer> penalised = generate(model, GenerationOptions.greedy().maxTokens(40)
                    .samplers(Sampler.penalties(256, 5f, 0f, 0f), Sampler.greedy()));
            List<Integer> plain = generate(model, GenerationOptions.greedy().maxTokens(40));
            assertTrue(penalised.stream().distinct().count() > plain.stream().distinct().count(),
                    penalised + " vs " + plain);
            // DRY breaks the greedy text's loops: fewer repeated 3-grams.
            List<Integer> dry = generate(model, GenerationOptions.greedy().maxTokens(60)
                    .samplers(Sampler.dry(2f, 1.75f, 2, -1), Sampler.greedy()));
            List<Integer> loop = generate(model, GenerationOptions.greedy().maxTokens(60));
            assertTrue(repeatedTrigrams(dry) < repeatedTrigrams(loop), dry + " vs " + loop);
            assertTrue(Sampler.dry(1f, 2f, 2, 64, "\n", "\"").spec().endsWith("\"\\n\" \"\\\"\""),
                    Sampler.dry(1f, 2f, 2, 64, "\n", "\"").spec());
            List<Integer> mirostat = generate(model, GenerationOptions.greedy().maxTokens(30).seed(3)
                    .samplers(Sampler.temperature(1f), Sampler.mirostatV2(5f, 0.1f)));
            assertEquals(mirostat, generate(model, GenerationOptions.greedy().maxTokens(30).seed(3)
                    .samplers(Sampler.temperature(1f), Sampler.mirostatV2(5f, 0.1f))));
            List<Integer> mirostatV1 = generate(model, GenerationOptions.greedy().maxTokens(30).seed(3)
                    .samplers(Sampler.temperature(1f), Sampler.mirostat(5f, 0.1f)));
            assertEquals(mirostatV1, generate(model, GenerationOptions.greedy().maxTokens(30).seed(3)
                    .samplers(Sampler.temperature(1f), Sampler.mirostat(5f, 0.1f))));
            assertNotEquals(mirostat, mirostatV1);
        }
    }

    private static long repeatedTrigrams(List<Integer> ids) {
        List<List<Integer>> grams = new ArrayList<>();
        for (int i = 0; i + 3 <= ids.size(); i++) grams.add(ids.subList(i, i + 3));
        return grams.size() - grams.stream().distinct().count();
    }

    @Test
    void aBadSamplerIsRefusedNamingIt() {
        try (Model model = Model.load(TestData.model(MODEL));
             Session session = model.newSession()) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> session.generate("", GenerationOptions.greedy().samplers(Sampler.topP(1.5f))));
            assertTrue(e.getMessage().contains("p = 1.5 is out of range"), e.getMessage());
            e = assertThrows(InvalidArgumentException.class, () -> session.generate("",
                    GenerationOptions.greedy().samplers(Sampler.logitBias(Map.of(9999, 1f)))));
            assertTrue(e.getMessage().contains("outside the vocabulary (512 tokens)"), e.getMessage());
            // The session is still usable.
            try (Generation g = session.generate("", GenerationOptions.greedy().maxTokens(3))) {
                assertEquals(3, g.result().generatedTokens());
            }
        }
    }

    @Test
    void theCliTakesLlamaCppsSamplingFlags() {
        String model = TestData.model(MODEL).toString();
        CliTest.Run help = CliTest.lamina("run", "--help");
        assertEquals(0, help.exitCode(), help.err());
        for (String s : new String[] {"--top-k", "(default: 40)", "--typical", "--frequency-penalty", "--presence-penalty",
                "--logit-bias", "--dry-multiplier", "--dry-sequence-breaker", "--dynatemp-range", "--xtc-probability", "--mirostat", "--samplers"}) {
            assertTrue(help.out().contains(s), s + " not in:\n" + help.out());
        }
        CliTest.Run greedy = CliTest.lamina("run", "-m", model, "-p", "", "-n", "8", "--temp", "0");
        assertEquals(0, greedy.exitCode(), greedy.err());
        CliTest.Run a = CliTest.lamina("run", "-m", model, "-p", "", "-n", "16", "--seed", "5", "--temp", "1.2",
                "--repeat-penalty", "1.3", "--frequency-penalty", "0.2", "--typical", "0.9", "--samplers",
                "penalties;typical;temperature");
        CliTest.Run b = CliTest.lamina("run", "-m", model, "-p", "", "-n", "16", "--seed", "5", "--temp", "1.2",
                "--repeat-penalty", "1.3", "--frequency-penalty", "0.2", "--typical", "0.9", "--samplers",
                "penalties;typical;temperature");
        assertEquals(0, a.exitCode(), a.err());
        assertEquals(a.out(), b.out());
        CliTest.Run miro = CliTest.lamina("run", "-m", model, "-p", "", "-n", "8", "--mirostat", "2", "--seed", "1");
        assertEquals(0, miro.exitCode(), miro.err());
        CliTest.Run miro1 = CliTest.lamina("run", "-m", model, "-p", "", "-n", "8", "--mirostat", "1", "--seed", "1");
        assertEquals(0, miro1.exitCode(), miro1.err());
        assertEquals(miro1.out(), CliTest.lamina("run", "-m", model, "-p", "", "-n", "8", "--mirostat", "1", "--seed", "1").out());
        CliTest.Run bad = CliTest.lamina("run", "-m", model, "-p", "", "-n", "4", "--mirostat", "3");
        assertNotEquals(0, bad.exitCode());
        assertTrue(bad.err().contains("--mirostat 3 is not supported"), bad.err());
        bad = CliTest.lamina("run", "-m", model, "-p", "", "-n", "4", "--samplers", "top_k;drx");
        assertTrue(bad.err().contains("unknown sampler 'drx'"), bad.err());
        CliTest.Run dry = CliTest.lamina("run", "-m", model, "-p", "", "-n", "8", "--temp", "0", "--dry-multiplier", "0.8",
                "--dry-sequence-breaker", "\n", "--seed", "2");
        assertEquals(0, dry.exitCode(), dry.err());
        bad = CliTest.lamina("run", "-m", model, "-p", "", "-n", "4", "--logit-bias", "12x3");
        assertTrue(bad.err().contains("--logit-bias '12x3'"), bad.err());
        bad = CliTest.lamina("run", "-m", model, "-p", "", "-n", "4", "--top-p", "2");
        assertNotEquals(0, bad.exitCode());
        assertTrue(bad.err().contains("p = 2.0 is out of range"), bad.err());
    }
}
