package dev.lamina.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.ToolCallFormat;
import dev.lamina.template.ChatTemplate;
import dev.lamina.tests.TestData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tools: an answer holding a call comes back as OpenAI's {@code tool_calls} (whole and streamed),
 * a conversation with calls and tool results renders, and a template without a tool-call format
 * refuses tools with a 400 instead of ignoring them.
 */
class ServerToolCallTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** A small Hermes-style template (the format Qwen 2.5/3 and Hermes 2 Pro use). */
    static final String HERMES = """
            {%- if tools %}<|im_start|>system
            <tools>{% for t in tools %}{{ t | tojson }}{% endfor %}</tools>
            Call a tool as <tool_call>{"name": ..., "arguments": ...}</tool_call><|im_end|>
            {% endif %}{% for m in messages %}<|im_start|>{{ m.role }}
            {% if m.tool_calls %}{% for c in m.tool_calls %}<tool_call>{"name": "{{ c.function.name }}", "arguments": {{ c.function.arguments | tojson }}}</tool_call>{% endfor %}{% else %}{{ m.content }}{% endif %}<|im_end|>
            {% endfor %}{% if add_generation_prompt %}<|im_start|>assistant
            {% endif %}""";
    static final String CALL = "<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}</tool_call>";

    static GenerateRequest toolsRequest() {
        return new GenerateRequest(true, new int[] {1}, 8, GenerationOptions.greedy(), List.of(), true, false, false, 0,
                null, JSON.createArrayNode(), null, ToolCallFormat.HERMES);
    }

    @Test
    void anAnswerWithACallBecomesToolCalls() throws Exception {
        try (Model m = Model.load(TestData.model("llama2-gqa256-q4_0.gguf"))) {
            Responses responses = new Responses(JSON, m.tokenizer(), "m");
            GenerateRequest r = toolsRequest();
            JsonNode whole = responses.complete(r, "id", 0, CALL, new Job.Done("stop", 1, 20, 0), null);
            JsonNode choice = whole.get("choices").get(0);
            assertEquals("tool_calls", choice.get("finish_reason").asText());
            JsonNode call = choice.get("message").get("tool_calls").get(0);
            assertTrue(choice.get("message").get("content").isNull());
            assertEquals("function", call.get("type").asText());
            assertEquals("get_weather", call.get("function").get("name").asText());
            assertEquals("Paris", JSON.readTree(call.get("function").get("arguments").asText()).get("city").asText());
            assertTrue(call.get("id").asText().length() > 0);

            JsonNode chunk = responses.toolReplyChunk(r, "id", 0, Responses.toolReply(r, "Let me check. " + CALL), "stop");
            JsonNode delta = chunk.get("choices").get(0).get("delta");
            assertEquals("Let me check.", delta.get("content").asText());
            assertEquals(0, delta.get("tool_calls").get(0).get("index").asInt());
            assertEquals("tool_calls", chunk.get("choices").get(0).get("finish_reason").asText());

            JsonNode text = responses.complete(r, "id", 0, "No call here.", new Job.Done("stop", 1, 3, 0), null);
            assertEquals("No call here.", text.get("choices").get(0).get("message").get("content").asText());
            assertEquals("stop", text.get("choices").get(0).get("finish_reason").asText());
        }
    }

    static ObjectNode weatherRequest(boolean stream) {
        ObjectNode b = JSON.createObjectNode();
        var messages = b.putArray("messages");
        messages.addObject().put("role", "user").put("content", "Weather in Paris?");
        ObjectNode assistant = messages.addObject().put("role", "assistant");
        assistant.putNull("content");
        ObjectNode call = assistant.putArray("tool_calls").addObject().put("id", "call_1").put("type", "function");
        call.putObject("function").put("name", "get_weather").put("arguments", "{\"city\":\"Paris\"}");
        messages.addObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "sunny, 21 C");
        ObjectNode fn = b.putArray("tools").addObject().put("type", "function").putObject("function");
        fn.put("name", "get_weather").put("description", "Weather in a city");
        fn.putObject("parameters").put("type", "object");
        b.put("max_tokens", 6).put("temperature", 0).put("stream", stream);
        return b;
    }

    @Test
    void toolConversationsRenderAndAnswer() throws Exception {
        ServerConfig c = ServerConfig.defaults(TestData.model("llama2-gqa256-q4_0.gguf")).withParallel(1)
                .withContextLength(512).withAccessLogOff().withPort(0);
        try (LaminaServer s = LaminaServer.start(c, ChatTemplate.parse(HERMES));
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (boolean stream : new boolean[] {false, true}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                        + "/v1/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(weatherRequest(stream).toString()))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                if (stream) {
                    assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
                } else {
                    String finish = JSON.readTree(r.body()).get("choices").get(0).get("finish_reason").asText();
                    assertTrue(List.of("length", "stop", "tool_calls").contains(finish), finish);
                }
            }
        }
    }

    @Test
    void aTemplateWithoutToolFormatRefusesTools() throws Exception {
        ServerConfig c = ServerConfig.defaults(TestData.model("llama2-gqa256-q4_0.gguf")).withParallel(1)
                .withContextLength(512).withAccessLogOff().withPort(0);
        try (LaminaServer s = LaminaServer.start(c, null);
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                    + "/v1/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(weatherRequest(false).toString()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), r.body());
            JsonNode e = JSON.readTree(r.body()).get("error");
            assertEquals("tools", e.get("param").asText());
            assertEquals("unsupported_parameter", e.get("code").asText());
        }
    }
}
