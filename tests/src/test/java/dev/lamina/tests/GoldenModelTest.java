package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.KvType;
import dev.lamina.Model;
import dev.lamina.Session;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tokens, logits and greedy decoding against what llama.cpp computed on the same files, for every
 * case of tests/golden_cases.txt, with an F16 KV cache (the default, as llama.cpp made the goldens)
 * and an F32 one: the stored prompt rows (every position, or those logits_rows lists), greedy_ids
 * one token at a time, and the logits of each decode step the golden keeps (decode_logits_file).
 */
class GoldenModelTest {
    static Stream<GoldenCases.Case> cases() {
        return GoldenCases.all().stream();
    }

    static Stream<Arguments> casesAndKvTypes() {
        return cases().flatMap(c -> Stream.of(KvType.F16, KvType.F32)
                .filter(kv -> c.checksKv(kv.name().toLowerCase(java.util.Locale.ROOT)))
                .map(kv -> Arguments.of(c, kv)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void tokenizesThePromptLikeLlamaCpp(GoldenCases.Case c) {
        TestData.Golden golden = golden(c);
        try (Model model = Model.load(golden.model())) {
            int[] ids = model.tokenizer().encode(golden.prompt(), model.info().addBos(), true);
            assertArrayEquals(golden.promptIds(), ids, c + ": prompt tokens");
            assertEquals(golden.vocabSize(), model.info().vocabSize(), c + ": n_vocab");
        }
    }

    @ParameterizedTest
    @MethodSource("casesAndKvTypes")
    void promptLogitsMatchEveryGoldenRow(GoldenCases.Case c, KvType kv) {
        TestData.Golden golden = golden(c);
        try (Model model = Model.load(golden.model());
             Session session = model.newSession(GoldenCheck.sessionOptions(golden, kv))) {
            GoldenCheck.promptRows(golden, c, session, c + " kv " + kv);
        }
    }

    @ParameterizedTest
    @MethodSource("casesAndKvTypes")
    void greedyDecodingOneTokenAtATimeGivesTheGoldenIdsAndDecodeRows(GoldenCases.Case c, KvType kv) {
        TestData.Golden golden = golden(c);
        try (Model model = Model.load(golden.model());
             Session session = model.newSession(GoldenCheck.sessionOptions(golden, kv))) {
            session.evaluate(golden.promptIds());
            GoldenCheck.greedyAndDecodeRows(golden, c, session, c + " kv " + kv);
        }
    }

    /** The golden of a case, checking that the table pairs it with the golden's own model. */
    static TestData.Golden golden(GoldenCases.Case c) {
        TestData.Golden golden = TestData.golden(c.golden());
        assertEquals(c.model() + ".gguf", golden.model().getFileName().toString(),
                GoldenCases.file() + " pairs golden " + c + " with another model than the golden's own");
        return golden;
    }
}
