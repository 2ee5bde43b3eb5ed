package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Chat;
import dev.lamina.GeneratedToken;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.LaminaException;
import dev.lamina.Model;
import dev.lamina.NoChatTemplateException;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import dev.lamina.template.ChatMessage;
import dev.lamina.template.ChatTemplate;
import dev.lamina.template.RenderOptions;
import dev.lamina.template.TemplateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat templates from model files and {@link Chat}: rendering with the model's special tokens,
 * KV-cache reuse across turns, and a clear error for a model without a template.
 */
class ChatTest {
    /** A model with no chat template of its own (Llama 2 vocabulary). */
    static final String PLAIN_MODEL = "llama2-mha-f32.gguf";
    static final String PHI = "microsoft-Phi-3.5-mini-instruct.jinja";
    static final String GEMMA = "google-gemma-2-2b-it.jinja";

    @TempDir
    Path dir;

    static String templateSource(String name) throws IOException {
        Path p = TestData.root().resolve("chat-templates").resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("chat template missing: " + p);
        }
        return Files.readString(p);
    }

    /** A copy of the plain model with the Phi-3.5 template added as tokenizer.chat_template. */
    static Path modelWithTemplate(Path dir) throws IOException {
        return GgufWithMetadata.copyWithString(TestData.model(PLAIN_MODEL), dir.resolve("with-template.gguf"),
                Model.CHAT_TEMPLATE_KEY, templateSource(PHI));
    }

    /** What the chat's model passes to its template: the texts of its BOS and EOS tokens. */
    static RenderOptions modelTokens(Model m) {
        return RenderOptions.builder().addGenerationPrompt(true).bosToken(m.chatBosToken()).eosToken(m.chatEosToken()).build();
    }

    @Test
    void theTemplateOfTheFileIsParsedOnceAndRendersLikeChatTemplate() throws IOException {
        try (Model m = Model.load(modelWithTemplate(dir))) {
            ChatTemplate t = m.chatTemplate().orElseThrow();
            assertSame(t, m.chatTemplate().orElseThrow(), "parsed once, then cached");
            List<ChatMessage> messages = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"));
            String expected = ChatTemplate.parse(templateSource(PHI)).render(messages, modelTokens(m));
            assertEquals(expected, t.render(messages, modelTokens(m)));
            assertEquals("<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\n", expected);
        }
    }

    @Test
    void aModelWithoutATemplateGivesAClearErrorUnlessOneIsSupplied() throws IOException {
        try (Model m = Model.load(TestData.model(PLAIN_MODEL));
             Session session = m.newSession(SessionOptions.builder().contextLength(256).build())) {
            assertTrue(m.chatTemplate().isEmpty());
            NoChatTemplateException e = assertThrows(NoChatTemplateException.class, session::chat);
            assertTrue(e.getMessage().contains("no chat template") && e.getMessage().contains(PLAIN_MODEL)
                    && e.getMessage().contains(Model.CHAT_TEMPLATE_KEY), e.getMessage());
            assertTrue(e instanceof LaminaException);
            Chat chat = Chat.builder(session).template(ChatTemplate.parse(templateSource(PHI))).build();
            try (Generation g = chat.send("Hi", GenerationOptions.greedy().maxTokens(2))) {
                g.result();
            }
            assertEquals(2, chat.history().size());
        }
    }

    /**
     * Two turns: the prompt is what ChatTemplate renders for the history, and the second turn
     * evaluates only what follows the part of the cache it shares with the new prompt. The
     * cache holds the first prompt and the first reply's tokens; the second prompt repeats the
     * first one exactly (it ends in a newline, which the Llama 2 vocabulary only spells as the byte
     * token <0x0A>, so the reply cannot merge with it), so at least all of it is reused.
     */
    @Test
    void turnsRenderTheHistoryAndReuseTheCachedPrefix() throws IOException {
        // Seeded sampling at a high temperature: a random-weight model repeats one token when greedy.
        GenerationOptions options = GenerationOptions.sampled(20f, 0, 1f, 11).maxTokens(6);
        try (Model m = Model.load(modelWithTemplate(dir));
             Session session = m.newSession(SessionOptions.builder().contextLength(512).build())) {
            ChatTemplate reference = ChatTemplate.parse(templateSource(PHI));
            Chat chat = session.chat();

            Turn first = Turn.run(chat.send("Hello! Who are you?", options));
            List<ChatMessage> history1 = List.of(ChatMessage.user("Hello! Who are you?"));
            String prompt1 = reference.render(history1, modelTokens(m));
            assertEquals(prompt1, chat.lastPrompt());
            int[] tokens1 = m.tokenizer().encode(prompt1, true, true); // the template writes no BOS: added
            assertArrayEquals(tokens1, chat.lastPromptTokens());
            assertEquals(m.info().bos(), tokens1[0]);
            assertEquals(0, chat.lastReusedTokens());
            assertEquals(tokens1.length + first.ids.size(), session.position());
            assertEquals(List.of(history1.get(0), ChatMessage.assistant(first.text)), chat.history());

            Turn second = Turn.run(chat.send("And what is 2+2?", options));
            List<ChatMessage> history2 = List.of(history1.get(0), ChatMessage.assistant(first.text),
                    ChatMessage.user("And what is 2+2?"));
            String prompt2 = reference.render(history2, modelTokens(m));
            assertEquals(prompt2, chat.lastPrompt());
            int[] tokens2 = m.tokenizer().encode(prompt2, true, true);
            assertArrayEquals(tokens2, chat.lastPromptTokens());
            int[] cached = concat(tokens1, first.ids);
            assertEquals(Math.min(commonPrefix(cached, tokens2), tokens2.length - 1), chat.lastReusedTokens());
            assertTrue(chat.lastReusedTokens() >= tokens1.length,
                    "reused " + chat.lastReusedTokens() + " of the first prompt's " + tokens1.length + " tokens");
            assertEquals(tokens2.length + second.ids.size(), session.position(), "position after the second turn");
            assertEquals(4, chat.history().size());
            assertEquals(ChatMessage.assistant(second.text), chat.history().get(3));

            // After a reset the same first message renders the first prompt again, which the cache
            // holds: all of it but the last token (evaluated again for its logits) is reused, and
            // the same seed gives the first reply again.
            chat.reset();
            assertEquals(List.of(), chat.history());
            Turn third = Turn.run(chat.send("Hello! Who are you?", options));
            assertEquals(prompt1, chat.lastPrompt());
            assertEquals(tokens1.length - 1, chat.lastReusedTokens());
            assertEquals(tokens1.length + third.ids.size(), session.position());
            assertEquals(first.ids, third.ids);

            // A different first message shares only the template's start ("<|user|>\n") with the cache.
            chat.reset();
            int[] cached3 = concat(tokens1, third.ids);
            Turn fourth = Turn.run(chat.send("Tell me a story.", options));
            int[] tokens4 = chat.lastPromptTokens();
            assertArrayEquals(m.tokenizer().encode(reference.render(List.of(ChatMessage.user("Tell me a story.")),
                    modelTokens(m)), true, true), tokens4);
            assertEquals(commonPrefix(cached3, tokens4), chat.lastReusedTokens());
            assertTrue(chat.lastReusedTokens() > 1 && chat.lastReusedTokens() < tokens1.length - 1,
                    "reused " + chat.lastReusedTokens());
            assertEquals(tokens4.length + fourth.ids.size(), session.position());
        }
    }

    @Test
    void aSystemPromptSurvivesResetAndARefusingTemplateLeavesTheHistoryAlone() throws IOException {
        try (Model m = Model.load(TestData.model(PLAIN_MODEL));
             Session session = m.newSession(SessionOptions.builder().contextLength(256).build())) {
            Chat gemma = Chat.builder(session).template(ChatTemplate.parse(templateSource(GEMMA)))
                    .systemPrompt("You are terse.").build();
            TemplateException e = assertThrows(TemplateException.class, () -> gemma.send("Hi"));
            assertEquals(TemplateException.Kind.RAISED, e.kind());
            assertEquals(List.of(ChatMessage.system("You are terse.")), gemma.history());

            Chat phi = Chat.builder(session).template(ChatTemplate.parse(templateSource(PHI)))
                    .systemPrompt("You are terse.").options(GenerationOptions.greedy().maxTokens(2)).build();
            try (Generation g = phi.send("Hi")) {
                g.result();
            }
            assertEquals(3, phi.history().size());
            phi.reset();
            assertEquals(List.of(ChatMessage.system("You are terse.")), phi.history());
        }
    }

    /** Llama 3's own template writes bos_token itself: the prompt must not get a second BOS. */
    @Test
    void aTemplateThatWritesBosGetsNoSecondOne() {
        try (Model m = Model.load(TestData.model("llama3-gqa-f16.gguf"));
             Session session = m.newSession(SessionOptions.builder().contextLength(256).build())) {
            Chat chat = session.chat();
            try (Generation g = chat.send("Hi", GenerationOptions.greedy().maxTokens(2))) {
                g.result();
            }
            assertTrue(chat.lastPrompt().startsWith("<|begin_of_text|>"), chat.lastPrompt());
            int[] tokens = chat.lastPromptTokens();
            assertEquals(m.info().bos(), tokens[0]);
            assertNotEquals(m.info().bos(), tokens[1]);
            assertArrayEquals(m.tokenizer().encode(chat.lastPrompt(), false, true), tokens);
        }
    }

    /** Ids and text of one streamed reply. */
    record Turn(List<Integer> ids, String text) {
        static Turn run(Generation g) {
            List<Integer> ids = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            try (g) {
                for (GeneratedToken t : g) {
                    ids.add(t.id());
                    text.append(t.text());
                }
                assertEquals(text.toString(), g.result().text());
            }
            return new Turn(ids, text.toString());
        }
    }

    static int commonPrefix(int[] a, int[] b) {
        int i = 0;
        while (i < Math.min(a.length, b.length) && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    static int[] concat(int[] a, List<Integer> b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.size());
        for (int i = 0; i < b.size(); i++) {
            out[a.length + i] = b.get(i);
        }
        return out;
    }
}
