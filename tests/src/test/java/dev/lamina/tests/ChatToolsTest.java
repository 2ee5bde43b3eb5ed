package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Chat;
import dev.lamina.ChatReply;
import dev.lamina.FinishReason;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import dev.lamina.Tool;
import dev.lamina.ToolCall;
import dev.lamina.ToolCallFormat;
import dev.lamina.ToolChoice;
import dev.lamina.template.ChatMessage;
import dev.lamina.template.ChatTemplate;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tools offered through real chat templates, and the tool round trip of {@link Chat}. */
class ChatToolsTest {
    static final String QWEN = "Qwen-Qwen2.5-7B-Instruct.jinja";
    static final String LLAMA31 = "meta-llama-Llama-3.1-8B-Instruct.jinja";
    static final String LLAMA32 = "meta-llama-Llama-3.2-3B-Instruct.jinja";
    static final String MISTRAL = "mistralai-Mistral-Nemo-Instruct-2407.jinja";

    static final Tool WEATHER = Tool.function("get_weather", "Current weather of a city", """
            {"type": "object", "properties": {"city": {"type": "string", "maxLength": 12}, "unit": {"enum": ["celsius", "fahrenheit"]}},
             "required": ["city"]}""");

    static final Tool CLOCK = Tool.function("get_time", "The time in a time zone", """
            {"type": "object", "properties": {"zone": {"type": "string", "maxLength": 8}}, "required": ["zone"]}""");

    static ChatTemplate template(String name) throws IOException {
        return ChatTemplate.parse(ChatTest.templateSource(name));
    }

    /**
     * A forced call (grammar from the tool's schema in the family's format), its result as a tool
     * message, and the answer: on a random-weight model, so only the grammar makes the call (the
     * schemas bound their strings, which such a model would otherwise never close).
     */
    @ParameterizedTest
    @ValueSource(strings = {QWEN, LLAMA31, MISTRAL})
    void aForcedCallRoundTripsThroughTheTemplate(String templateName) throws IOException {
        try (Model model = Model.load(TestData.model(ChatTest.PLAIN_MODEL));
             Session session = model.newSession(SessionOptions.builder().contextLength(4096).build())) {
            Chat chat = Chat.builder(session).template(template(templateName)).tools(WEATHER, CLOCK)
                    .toolChoice(ToolChoice.function("get_weather"))
                    .options(GenerationOptions.sampled(0.8f, 40, 0.95f, 11).maxTokens(160)).build();
            Generation g = chat.send("What is the weather in Paris?");
            FinishReason reason = g.result().finishReason();
            assertEquals(FinishReason.END_OF_GENERATION, reason, "the grammar ends the call: " + g.result().text());
            ChatReply reply = chat.lastReply().orElseThrow();
            assertEquals(1, reply.toolCalls().size(), reply.toString());
            ToolCall call = reply.toolCalls().get(0);
            assertEquals("get_weather", call.name());
            assertTrue(call.arguments().get("city") instanceof String, call.argumentsJson());
            Object unit = call.arguments().get("unit");
            assertTrue(unit == null || List.of("celsius", "fahrenheit").contains(unit), call.argumentsJson());

            String answer = chat.answerToolCalls(c -> "sunny, 21 degrees").result().text();
            assertEquals(List.of("user", "assistant", "tool", "assistant"),
                    chat.history().stream().map(ChatMessage::role).toList());
            assertTrue(chat.history().get(1).extra().containsKey("tool_calls"));
            assertTrue(chat.lastPrompt().contains("sunny, 21 degrees"), chat.lastPrompt());
            assertTrue(chat.lastPrompt().contains("get_weather"), chat.lastPrompt());
            assertEquals(answer, chat.history().get(3).content());
            assertTrue(chat.lastReusedTokens() > 0, "the answer's prompt reuses the cached turn");
        }
    }

    @Test
    void requiredPicksAmongTheToolsAndNoneLeavesRepliesAsText() throws IOException {
        try (Model model = Model.load(TestData.model(ChatTest.PLAIN_MODEL));
             Session session = model.newSession(SessionOptions.builder().contextLength(4096).build())) {
            Chat chat = Chat.builder(session).template(template(QWEN)).tools(WEATHER, CLOCK).toolChoice(ToolChoice.REQUIRED)
                    .options(GenerationOptions.sampled(0.8f, 40, 0.95f, 5).maxTokens(160)).build();
            for (int i = 0; i < 3; i++) {
                chat.reset();
                chat.send("Anything?").result();
                ChatReply reply = chat.lastReply().orElseThrow();
                assertEquals(1, reply.toolCalls().size(), reply.toString());
                assertTrue(List.of("get_weather", "get_time").contains(reply.toolCalls().get(0).name()));
            }
            chat.setToolChoice(ToolChoice.NONE);
            chat.reset();
            chat.send("Hi").result();
            assertTrue(chat.lastReply().orElseThrow().toolCalls().isEmpty());
            assertThrows(IllegalArgumentException.class, () -> chat.setToolChoice(ToolChoice.function("nope")));
            chat.setToolChoice(ToolChoice.REQUIRED);
            IllegalArgumentException twoGrammars = assertThrows(IllegalArgumentException.class,
                    () -> chat.send("x", GenerationOptions.greedy().jsonObject()));
            assertTrue(twoGrammars.getMessage().contains("own grammar"), twoGrammars.getMessage());
        }
    }

    @Test
    void eachFamilysTemplateShowsItsFormat() throws IOException {
        assertEquals(ToolCallFormat.HERMES, ToolCallFormat.detect(ChatTest.templateSource(QWEN)));
        assertEquals(ToolCallFormat.LLAMA_3, ToolCallFormat.detect(ChatTest.templateSource(LLAMA31)));
        assertEquals(ToolCallFormat.LLAMA_3, ToolCallFormat.detect(ChatTest.templateSource(LLAMA32)));
        assertEquals(ToolCallFormat.MISTRAL, ToolCallFormat.detect(ChatTest.templateSource(MISTRAL)));
        assertEquals(ToolCallFormat.NONE, ToolCallFormat.detect(ChatTest.templateSource(ChatTest.PHI)));
        assertEquals(ToolCallFormat.NONE, ToolCallFormat.detect(ChatTest.templateSource(ChatTest.GEMMA)));
    }

    @Test
    void toolsReachThePromptAndMisuseIsAClearError() throws IOException {
        try (Model model = Model.load(TestData.model(ChatTest.PLAIN_MODEL));
             Session session = model.newSession(SessionOptions.builder().contextLength(2048).build())) {
            Chat chat = Chat.builder(session).template(template(QWEN)).tools(WEATHER)
                    .options(GenerationOptions.greedy().maxTokens(4)).build();
            assertEquals(ToolCallFormat.HERMES, chat.toolCallFormat());
            chat.send("Weather in Paris?").result();
            assertTrue(chat.lastPrompt().contains("<tools>") && chat.lastPrompt().contains("\"get_weather\""), chat.lastPrompt());
            assertTrue(chat.lastReply().isPresent());
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> chat.addToolResult(new ToolCall("call_nope", "get_weather", "{}"), "sunny"));
            assertTrue(unknown.getMessage().contains("call_nope"), unknown.getMessage());
            if (!chat.lastReply().orElseThrow().hasToolCalls()) {
                assertThrows(IllegalStateException.class, () -> chat.answerToolCalls(call -> "sunny"));
            }

            IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                    () -> Chat.builder(session).template(template(ChatTest.PHI)).tools(WEATHER).build());
            assertTrue(none.getMessage().contains("no known tool-call format"), none.getMessage());
            // Naming the format explicitly is allowed.
            Chat named = Chat.builder(session).template(template(ChatTest.PHI)).tools(WEATHER)
                    .toolCallFormat(ToolCallFormat.HERMES).build();
            assertEquals(List.of(WEATHER), named.tools());
        }
    }
}
