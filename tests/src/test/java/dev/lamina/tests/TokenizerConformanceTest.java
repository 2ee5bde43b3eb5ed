package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.Model;
import dev.lamina.ModelOptions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * llama.cpp's own tokenizer test vocabularies (vocab/*.gguf with *.inp / *.out): every input must
 * tokenize (no BOS, special tokens parsed) to exactly llama.cpp's ids, through the Java API and
 * through {@code lamina tokenize}, and those ids must detokenize to the input. One dynamic test per
 * case, so a case added to the files is a test added here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenizerConformanceTest {
    static final String SPM = "ggml-vocab-llama-spm.gguf";
    static final String BPE = "ggml-vocab-llama3.gguf";

    private final Map<String, Model> models = new HashMap<>();

    /** Vocab-only models, loaded once per vocabulary (dynamic tests run after their factory returns). */
    private synchronized Model model(String vocab) {
        return models.computeIfAbsent(vocab,
                v -> Model.load(VocabCases.vocab(v), ModelOptions.builder().vocabOnly(true).build()));
    }

    @AfterAll
    void closeModels() {
        models.values().forEach(Model::close);
    }

    @TestFactory
    Stream<DynamicNode> apiTokenizesLikeLlamaCpp() {
        return perVocab((vocab, c) -> DynamicTest.dynamicTest(c.displayName(), () -> {
            int[] got = model(vocab).tokenizer().encode(c.text(), false, true);
            assertArrayEquals(c.ids(), got, () -> vocab + " case " + c.displayName()
                    + "\n  expected " + Arrays.toString(c.ids()) + "\n  got      " + Arrays.toString(got));
        }));
    }

    @TestFactory
    Stream<DynamicNode> cliTokenizesLikeLlamaCpp() {
        return perVocab((vocab, c) -> DynamicTest.dynamicTest(c.displayName(), () -> {
            CliTest.Run run = CliTest.lamina("tokenize", "-m", VocabCases.vocab(vocab).toString(), "--no-bos",
                    "-p", c.text());
            assertEquals(0, run.exitCode(), run.err());
            String expected = Arrays.stream(c.ids()).mapToObj(Integer::toString).collect(Collectors.joining(" "));
            assertEquals(expected + System.lineSeparator(), run.out(), vocab + " case " + c.displayName());
        }));
    }

    /**
     * The reference ids detokenize to the input (control tokens rendered). The rule for
     * SentencePiece ({@code add_space_prefix}): the tokenizer puts one space in front of the text,
     * and the pieces keep it, so a non-empty input comes back with exactly one extra leading space
     * (an empty input gives no tokens and comes back empty). Byte-level BPE gives the input back
     * unchanged.
     */
    @TestFactory
    Stream<DynamicNode> idsDetokenizeToTheInput() {
        return perVocab((vocab, c) -> DynamicTest.dynamicTest(c.displayName(), () -> {
            boolean spacePrefix = vocab.equals(SPM);
            String expected = spacePrefix && !c.text().isEmpty() ? " " + c.text() : c.text();
            assertEquals(expected, model(vocab).tokenizer().detokenize(c.ids(), true),
                    vocab + " ids " + Arrays.toString(c.ids()));
        }));
    }

    /**
     * The Qwen 2 and DeepSeek V3 vocabularies come with both of llama.cpp's modes: {@code .out}
     * tokenized with special tokens as plain text, {@code .special.out} with them parsed. Each case
     * through the API and through {@code lamina tokenize} (--no-parse-special for the first).
     */
    @TestFactory
    Stream<DynamicNode> qwen2AndDeepSeekV3TokenizeLikeLlamaCppInBothModes() {
        return Stream.of("ggml-vocab-qwen2.gguf", "ggml-vocab-deepseek-v3.gguf").flatMap(vocab ->
                Stream.of(".out", ".special.out").map(suffix -> {
                    boolean parseSpecial = suffix.equals(".special.out");
                    List<VocabCases.Case> cases = VocabCases.read(vocab, suffix);
                    return DynamicContainer.dynamicContainer(vocab + suffix + " (" + cases.size() + " cases)",
                            cases.stream().map(c -> DynamicTest.dynamicTest(c.displayName(), () -> {
                                int[] got = model(vocab).tokenizer().encode(c.text(), false, parseSpecial);
                                assertArrayEquals(c.ids(), got, () -> vocab + suffix + " case " + c.displayName()
                                        + "\n  expected " + Arrays.toString(c.ids()) + "\n  got      "
                                        + Arrays.toString(got));
                                // The CLI for every tenth case: each run starts a JVM.
                                if (c.index() % 10 == 0) {
                                    List<String> args = new java.util.ArrayList<>(List.of("tokenize", "-m",
                                            VocabCases.vocab(vocab).toString(), "--no-bos", "-p", c.text()));
                                    if (!parseSpecial) args.add("--no-parse-special");
                                    CliTest.Run run = CliTest.lamina(args.toArray(String[]::new));
                                    assertEquals(0, run.exitCode(), run.err());
                                    String expected = Arrays.stream(c.ids()).mapToObj(Integer::toString)
                                            .collect(Collectors.joining(" "));
                                    assertEquals(expected + System.lineSeparator(), run.out(),
                                            "lamina tokenize: " + vocab + suffix + " case " + c.displayName());
                                }
                            })));
                }));
    }

    private interface CaseTest {
        DynamicNode make(String vocab, VocabCases.Case c);
    }

    private static Stream<DynamicNode> perVocab(CaseTest test) {
        return Stream.of(SPM, BPE).map(vocab -> {
            List<VocabCases.Case> cases = VocabCases.read(vocab);
            return DynamicContainer.dynamicContainer(vocab + " (" + cases.size() + " cases)",
                    cases.stream().map(c -> test.make(vocab, c)));
        });
    }
}
