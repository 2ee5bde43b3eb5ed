package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Chat;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import dev.lamina.Tool;
import dev.lamina.ToolCall;
import dev.lamina.ToolCallFormat;
import dev.lamina.template.ChatTemplate;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tools offered through real chat templates, and the tool round trip of {@link Chat}. */
class ChatToolsTest {
    static final String QWEN = "Qwen-Qwen2.5-7B-Instruct.jinja";
    static final String LLAMA31 = "meta-llama-Llama-3.1-8B-Instruct.jinja";
    static final String LLAMA32 = "meta-llama-Llama-3.2-3B-Instruct.jinja";
    static final String MISTRAL = "mistralai-Mistral-Nemo-Instruct-2407.jinja";

    static final Tool WEATHER = Tool.function("get_weather", "Current weather of a city", """
            {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["celsius", "fahrenheit"]}},
             "required": ["city"]}""");

    static ChatTemplate template(String name) throws IOException {
        return ChatTemplate.parse(ChatTest.templateSource(name));
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
