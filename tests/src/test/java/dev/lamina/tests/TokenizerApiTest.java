package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.InvalidArgumentException;
import dev.lamina.Model;
import dev.lamina.ModelOptions;
import dev.lamina.TokenStreamDecoder;
import dev.lamina.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Special tokens, streaming detokenization and text that has no UTF-8 form. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenizerApiTest {
    private static final String EOT = "<|eot_id|>";
    private Model spm;
    private Model llama3;

    @BeforeAll
    void load() {
        ModelOptions vocabOnly = ModelOptions.builder().vocabOnly(true).build();
        spm = Model.load(VocabCases.vocab(TokenizerConformanceTest.SPM), vocabOnly);
        llama3 = Model.load(VocabCases.vocab(TokenizerConformanceTest.BPE), vocabOnly);
    }

    @AfterAll
    void close() {
        spm.close();
        llama3.close();
    }

    @Test
    void specialTokenTextsAreParsedOnlyWhenAsked() {
        Tokenizer t = llama3.tokenizer();
        int eot = llama3.info().eot();
        assertEquals(EOT, t.tokenText(eot), "the EOT id of the metadata is <|eot_id|>");
        assertArrayEquals(new int[] {eot}, t.encode(EOT, false, true));
        int[] plain = t.encode(EOT, false, false);
        assertTrue(plain.length > 1, "as plain text it takes several tokens: " + Arrays.toString(plain));
        assertFalse(Arrays.stream(plain).anyMatch(id -> id == eot), Arrays.toString(plain));
        assertEquals(EOT, t.detokenize(plain), "plain-text pieces spell the marker");
    }

    @Test
    void cliParsesSpecialTokensByDefaultAndNotWithNoParseSpecial() {
        String file = VocabCases.vocab(TokenizerConformanceTest.BPE).toString();
        String text = "Hi" + EOT;
        CliTest.Run parsed = CliTest.lamina("tokenize", "-m", file, "--no-bos", "-p", text);
        CliTest.Run plain = CliTest.lamina("tokenize", "-m", file, "--no-bos", "--no-parse-special", "-p", text);
        assertEquals(0, parsed.exitCode(), parsed.err());
        assertEquals(0, plain.exitCode(), plain.err());
        assertEquals(ids(llama3.tokenizer().encode(text, false, true)), parsed.out().strip());
        assertEquals(ids(llama3.tokenizer().encode(text, false, false)), plain.out().strip());
        assertTrue(parsed.out().strip().endsWith(" " + llama3.info().eot()), parsed.out());
        assertFalse(plain.out().contains(Integer.toString(llama3.info().eot())), plain.out());
        CliTest.Run help = CliTest.lamina("tokenize", "--help");
        assertTrue(help.out().contains("--no-parse-special"), help.out());
    }

    @Test
    void detokenizeShowsSpecialTokensOnlyOnRequest() {
        Tokenizer t = llama3.tokenizer();
        int[] ids = t.encode("Hello" + EOT, true, true);
        assertEquals(llama3.info().bos(), ids[0]);
        assertEquals("Hello", t.detokenize(ids));
        assertEquals("Hello", t.detokenize(ids, false));
        assertEquals("<|begin_of_text|>Hello" + EOT, t.detokenize(ids, true));
        assertEquals("<|begin_of_text|>", llama3.chatBosToken());
        assertEquals("<s>", spm.chatBosToken());
        assertEquals("</s>", spm.chatEosToken());
    }

    /**
     * SentencePiece spells a character it has no piece for with byte tokens: the llama emoji is
     * four of them. Streaming must hold the first three and give the whole character with the fourth.
     */
    @Test
    void streamDecoderNeverSplitsACharacterOverByteTokens() {
        Tokenizer t = spm.tokenizer();
        String text = "a 🦙 и 😁.";
        int[] ids = t.encode(text, false, true);
        TokenStreamDecoder decoder = t.streamDecoder(false);
        List<String> parts = new ArrayList<>();
        int held = 0;
        for (int id : ids) {
            String part = decoder.decode(id);
            assertFalse(part.contains("\uFFFD"), "a character was split at token " + id + ": " + parts);
            if (part.isEmpty() && decoder.hasPending()) {
                held++;
            }
            parts.add(part);
        }
        assertEquals("", decoder.finish());
        assertTrue(held >= 3, "the emoji's first byte tokens are held back: " + parts);
        assertEquals(" " + text, String.join("", parts));
        assertTrue(parts.contains("🦙") || parts.stream().anyMatch(p -> p.endsWith("🦙")), parts.toString());
        // The byte tokens of 🦙 really are single bytes: F0 9F A6 99.
        byte[] llama = "🦙".getBytes(StandardCharsets.UTF_8);
        int first = indexOfPiece(t, ids, llama[0]);
        assertTrue(first >= 0, "a byte token <0xF0> is among " + Arrays.toString(ids));
        for (int k = 0; k < 4; k++) {
            assertArrayEquals(new byte[] {llama[k]}, t.decodePiece(ids[first + k]));
        }
    }

    @Test
    void anIncompleteCharacterAtTheEndIsReplacedByFinish() {
        Tokenizer t = spm.tokenizer();
        int[] ids = t.encode("🦙", false, true);
        TokenStreamDecoder decoder = t.streamDecoder(false);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.length - 1; i++) { // leave out the last byte token
            sb.append(decoder.decode(ids[i]));
        }
        assertTrue(decoder.hasPending());
        assertEquals("\uFFFD", decoder.finish());
        assertFalse(decoder.hasPending());
    }

    @Test
    void loneSurrogatesAreAClearErrorOrReplacedOnRequest() {
        Tokenizer t = llama3.tokenizer();
        String bad = "ok \uD83E then";
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> t.encode(bad, false, true));
        assertTrue(e.getMessage().contains("lone surrogate U+D83E at index 3"), e.getMessage());
        String fixed = Tokenizer.replaceLoneSurrogates(bad);
        assertEquals("ok \uFFFD then", fixed);
        assertArrayEquals(t.encode("ok \uFFFD then", false, true), t.encode(fixed, false, true));
        assertEquals("a 🦙 b", Tokenizer.replaceLoneSurrogates("a 🦙 b"), "pairs are kept");
        assertEquals("\uFFFDx\uFFFD", Tokenizer.replaceLoneSurrogates("\uDC00x\uD800"));
        assertThrows(InvalidArgumentException.class, () -> t.encode("\uDC00", false, true));
    }

    @Test
    void invalidUtf8BytesAreAClearError() {
        Tokenizer t = spm.tokenizer();
        byte[] bad = {'a', 'b', (byte) 0xC3, '(', 'c'};
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> t.encode(bad, false, true));
        assertTrue(e.getMessage().contains("invalid UTF-8") && e.getMessage().contains("offset 2"), e.getMessage());
        byte[] good = "Äpfel 🦙".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(t.encode("Äpfel 🦙", false, true), t.encode(good, false, true));
    }

    @Test
    void invalidUtf8OnStandardInputIsAOneLineCliError() {
        java.io.InputStream saved = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(new byte[] {'a', 'b', (byte) 0xC3, '(', 'c'}));
            CliTest.Run run = CliTest.lamina("tokenize", "-m", VocabCases.vocab(TokenizerConformanceTest.SPM).toString());
            assertEquals(1, run.exitCode());
            assertTrue(run.err().startsWith("lamina: ") && run.err().contains("invalid UTF-8")
                    && run.err().strip().lines().count() == 1, run.err());
        } finally {
            System.setIn(saved);
        }
    }

    private static int indexOfPiece(Tokenizer t, int[] ids, byte b) {
        for (int i = 0; i + 3 < ids.length; i++) {
            byte[] p = t.decodePiece(ids[i]);
            if (p.length == 1 && p[0] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String ids(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }
}
