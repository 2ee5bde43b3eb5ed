package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.GeneratedToken;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The text of generated tokens as {@code generate()} streams it. The Llama 3 vocabulary is
 * byte-level BPE: many of its tokens are fragments of multi-byte characters, and sampling at a very
 * high temperature from a random-weight model picks such tokens often. A token that ends inside a
 * character must stream as "" and the one completing it must carry the whole character.
 */
class StreamingTextTest {
    @Test
    void generatedTextNeverSplitsACharacter() {
        try (Model model = Model.load(TestData.model("llama3-gqa-f16.gguf"));
             Session session = model.newSession(SessionOptions.builder().contextLength(512).build());
             Generation g = session.generate("Hi", GenerationOptions.sampled(50f, 0, 1f, 3).maxTokens(400))) {
            List<Integer> ids = new ArrayList<>();
            StringBuilder streamed = new StringBuilder();
            int held = 0;
            for (GeneratedToken t : g) {
                ids.add(t.id());
                streamed.append(t.text());
                byte[] piece = model.tokenizer().decodePiece(t.id());
                if (t.text().isEmpty() && piece.length > 0) {
                    held++;
                }
                // Streamed text is whole characters only: no unpaired surrogate can appear.
                String text = t.text();
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (Character.isHighSurrogate(c)) {
                        assertTrue(i + 1 < text.length() && Character.isLowSurrogate(text.charAt(++i)), text);
                    } else {
                        assertFalse(Character.isLowSurrogate(c), text);
                    }
                }
            }
            int[] all = ids.stream().mapToInt(Integer::intValue).toArray();
            assertTrue(held > 0, "some token ended inside a character and was held back: " + ids);
            assertEquals(model.tokenizer().detokenize(all), streamed.toString(),
                    "streaming gives the same text as decoding all pieces at once");
            assertEquals(streamed.toString(), g.result().text());
            assertTrue(streamed.toString().getBytes(StandardCharsets.UTF_8).length > 0);
        }
    }
}
