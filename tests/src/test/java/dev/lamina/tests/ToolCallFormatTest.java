package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.ChatReply;
import dev.lamina.Tool;
import dev.lamina.ToolCall;
import dev.lamina.ToolCallFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tool calls found in replies of each model family's format, and tool definitions. */
class ToolCallFormatTest {
    @Test
    void hermesCallsAreTaggedJsonAndTheRestIsContent() {
        ChatReply r = ToolCallFormat.HERMES.parse("""
                Let me check.
                <tool_call>
                {"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}
                </tool_call>
                <tool_call>{"name": "get_time", "arguments": "{\\"zone\\": \\"CET\\"}"}</tool_call>""");
        assertEquals("Let me check.", r.content());
        assertEquals(2, r.toolCalls().size());
        assertEquals("get_weather", r.toolCalls().get(0).name());
        assertEquals(Map.of("city", "Paris", "days", 2L), r.toolCalls().get(0).arguments());
        assertEquals("{\"zone\":\"CET\"}", r.toolCalls().get(1).argumentsJson(), "arguments given as a JSON string");
        assertTrue(r.toolCalls().get(0).id().startsWith("call_"));
        assertFalse(r.toolCalls().get(0).id().equals(r.toolCalls().get(1).id()));
    }

    @Test
    void hermesCallCutOffAtTheEndIsStillACallButBrokenJsonIsText() {
        ChatReply open = ToolCallFormat.HERMES.parse("<tool_call>{\"name\": \"f\", \"arguments\": {}}");
        assertEquals(List.of("f"), open.toolCalls().stream().map(ToolCall::name).toList());
        String broken = "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": </tool_call>";
        ChatReply r = ToolCallFormat.HERMES.parse(broken);
        assertTrue(r.toolCalls().isEmpty());
        assertEquals(broken, r.content());
        assertTrue(ToolCallFormat.HERMES.parse("<tool_call>{\"arguments\": {}}</tool_call>").toolCalls().isEmpty(),
                "a call needs a name");
    }

    @Test
    void llama3JsonCallsPythonTagAndBuiltins() {
        ChatReply json = ToolCallFormat.LLAMA_3.parse("{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}");
        assertEquals("", json.content());
        assertEquals("{\"city\":\"Oslo\"}", json.toolCalls().get(0).argumentsJson());

        ChatReply two = ToolCallFormat.LLAMA_3.parse("<|python_tag|>{\"name\": \"a\", \"parameters\": {}}; {\"name\": \"b\", \"parameters\": {\"x\": 1}}");
        assertEquals(List.of("a", "b"), two.toolCalls().stream().map(ToolCall::name).toList());

        ChatReply builtin = ToolCallFormat.LLAMA_3.parse("<|python_tag|>brave_search.call(query=\"lamina jvm\", count=3)");
        assertEquals("brave_search", builtin.toolCalls().get(0).name());
        assertEquals(Map.of("query", "lamina jvm", "count", 3L), builtin.toolCalls().get(0).arguments());

        ChatReply code = ToolCallFormat.LLAMA_3.parse("<|python_tag|>print(2 + 2)");
        assertEquals("python", code.toolCalls().get(0).name());
        assertEquals(Map.of("code", "print(2 + 2)"), code.toolCalls().get(0).arguments());

        ChatReply prose = ToolCallFormat.LLAMA_3.parse("  The answer is {not json}.  ");
        assertEquals("The answer is {not json}.", prose.content());
        assertTrue(prose.toolCalls().isEmpty());
        assertTrue(ToolCallFormat.LLAMA_3.parse("{\"name\": \"f\", \"parameters\": {}} and more text").toolCalls().isEmpty(),
                "JSON followed by prose is an answer, not a call");
    }

    @Test
    void mistralArraysWithIdsAndTheNewerNameArgsForm() {
        ChatReply r = ToolCallFormat.MISTRAL.parse("Sure. [TOOL_CALLS][{\"name\": \"f\", \"arguments\": {\"a\": [1, 2]}, \"id\": \"abcDEF123\"}, {\"name\": \"g\", \"arguments\": {}}]");
        assertEquals("Sure.", r.content());
        assertEquals("abcDEF123", r.toolCalls().get(0).id());
        assertTrue(r.toolCalls().get(1).id().matches("[A-Za-z0-9]{9}"), r.toolCalls().get(1).id());
        ChatReply newer = ToolCallFormat.MISTRAL.parse("[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Rome\"}[TOOL_CALLS]get_time[ARGS]{}");
        assertEquals(List.of("get_weather", "get_time"), newer.toolCalls().stream().map(ToolCall::name).toList());
        assertEquals("{\"city\":\"Rome\"}", newer.toolCalls().get(0).argumentsJson());
        assertTrue(ToolCallFormat.MISTRAL.parse("no calls here").toolCalls().isEmpty());
    }

    @Test
    void formatIsDetectedFromTheTemplateMarkers() {
        assertEquals(ToolCallFormat.HERMES, ToolCallFormat.detect("{{ '<tool_call>\\n' }}{{ tool_call | tojson }}"));
        assertEquals(ToolCallFormat.MISTRAL, ToolCallFormat.detect("{{ '[TOOL_CALLS]' }}"));
        assertEquals(ToolCallFormat.LLAMA_3, ToolCallFormat.detect("<|start_header_id|>ipython<|end_header_id|>"));
        assertEquals(ToolCallFormat.NONE, ToolCallFormat.detect("<|start_header_id|>{{ message['role'] }}<|end_header_id|>"));
        assertEquals(ToolCallFormat.NONE, ToolCallFormat.detect(null));
        assertEquals("plain", ToolCallFormat.NONE.parse("plain").content());
    }

    @Test
    void toolsComeFromOpenAiJsonAndBadOnesNameTheEntry() {
        List<Tool> tools = Tool.listFromJson("""
                [{"type": "function", "function": {"name": "get_weather", "description": "Weather of a city",
                  "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
                 {"name": "now"}]""");
        assertEquals(List.of("get_weather", "now"), tools.stream().map(Tool::name).toList());
        assertEquals("Weather of a city", tools.get(0).description());
        Map<String, Object> value = tools.get(0).toTemplateValue();
        assertEquals("function", value.get("type"));
        assertEquals(tools.get(0), Tool.function("get_weather", "Weather of a city",
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Tool.listFromJson("[{\"type\": \"function\", \"function\": {\"name\": \"has space\"}}]"));
        assertTrue(bad.getMessage().contains("tools[0]"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tool.listFromJson("{\"name\": \"x\"}"));
        assertThrows(IllegalArgumentException.class, () -> Tool.function("f", "", "[1]"));
        assertThrows(IllegalArgumentException.class, () -> Tool.function("f", "", "{"));
        assertThrows(IllegalArgumentException.class, () -> Tool.listFromJson("[{\"type\": \"retrieval\"}]"));
    }
}
