package dev.lamina.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.ToolCallFormat;
import dev.lamina.template.ChatMessage;
import dev.lamina.template.ChatTemplate;
import dev.lamina.template.RenderOptions;
import dev.lamina.template.TemplateException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns request bodies into {@link GenerateRequest}s: every field checked (a bad one is a 400 naming
 * it), chat messages rendered through the chat template, prompts tokenized and measured against
 * the context. Thread-safe: runs on the request threads, not the scheduler's.
 */
final class RequestParser {
    static final int MAX_STOP_STRINGS = 16;
    static final int MAX_TOP_LOGPROBS = 20;
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private final Model model;
    private final ChatTemplate template;
    private final String modelId;
    private final int contextLength;
    private final ObjectMapper json;
    private final ToolCallFormat toolFormat;

    RequestParser(Model model, ChatTemplate template, String modelId, int contextLength, ObjectMapper json) {
        this.model = model;
        this.template = template;
        this.toolFormat = ToolCallFormat.detect(template.source());
        this.modelId = modelId;
        this.contextLength = contextLength;
        this.json = json;
    }

    String modelId() {
        return modelId;
    }

    /** {@code model}, if given, must name the served model (404 otherwise, as OpenAI answers). */
    void checkModel(Fields f) {
        String m = f.string("model", null);
        if (m != null && !m.equals(modelId)) {
            throw new ApiError(404, "invalid_request_error", "model", "model_not_found",
                    "The model '" + m + "' does not exist; this server serves '" + modelId + "'");
        }
    }

    GenerateRequest chat(JsonNode body) {
        Fields f = Fields.of(body);
        checkModel(f);
        checkN(f);
        JsonNode messagesNode = f.get("messages");
        if (messagesNode == null || !messagesNode.isArray() || messagesNode.isEmpty()) {
            throw ApiError.badField("messages", "'messages' must be a non-empty array of messages");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < messagesNode.size(); i++) {
            messages.add(message(messagesNode.get(i), i));
        }
        JsonNode tools = tools(f);
        JsonNode toolChoice = toolChoice(f, tools);
        // Tools the model may call: its answer is searched for calls in its template's format.
        ToolCallFormat calls = tools != null && (toolChoice == null || toolChoice.asText("").equals("auto")) ? toolFormat : null;
        JsonNode format = responseFormat(f);
        boolean logprobs = f.bool("logprobs", false);
        int top = (int) f.integer("top_logprobs", 0, MAX_TOP_LOGPROBS, 0);
        if (top > 0 && !logprobs) {
            throw ApiError.badField("top_logprobs", "'top_logprobs' needs 'logprobs': true");
        }
        String prompt = render(messages, tools);
        int[] tokens = tokenizeRendered(prompt);
        long maxTokens = maxTokens(f, "max_completion_tokens");
        return build(f, tokens, "messages", maxTokens, true, logprobs, top, format, tools, toolChoice, calls);
    }

    GenerateRequest completion(JsonNode body) {
        Fields f = Fields.of(body);
        checkModel(f);
        checkN(f);
        int[] tokens = completionPrompt(f.get("prompt"));
        if (f.bool("echo", false)) {
            throw ApiError.unsupported("echo", "'echo'");
        }
        if (f.has("suffix")) {
            throw ApiError.unsupported("suffix", "'suffix'");
        }
        int top = (int) f.integer("logprobs", 0, 5, -1);
        long maxTokens = maxTokens(f, null);
        return build(f, tokens, "prompt", maxTokens, false, top >= 0, Math.max(top, 0), null, null, null, null);
    }

    private GenerateRequest build(Fields f, int[] tokens, String promptField, long maxTokens, boolean chat,
                                  boolean logprobs, int top, JsonNode format, JsonNode tools, JsonNode toolChoice,
                                  ToolCallFormat calls) {
        if (tokens.length == 0) {
            throw ApiError.badField(promptField, "the prompt is empty");
        }
        if (tokens.length >= contextLength) {
            throw new ApiError(400, "invalid_request_error", promptField, "context_length_exceeded",
                    "This model's context is " + contextLength + " tokens, but the prompt has " + tokens.length
                            + " tokens (at least one more is needed for the answer)");
        }
        int room = contextLength - tokens.length;
        int max = maxTokens < 0 ? room : (int) Math.min(maxTokens, room);
        GenerationOptions sampling = SamplingFields.parse(f, model.info().vocabSize());
        List<String> stop = f.strings("stop", MAX_STOP_STRINGS);
        boolean stream = f.bool("stream", false);
        boolean includeUsage = false;
        ObjectNode streamOptions = f.object("stream_options");
        if (streamOptions != null) {
            if (!stream) {
                throw ApiError.badField("stream_options", "'stream_options' is only allowed with 'stream': true");
            }
            includeUsage = new Fields(streamOptions).bool("include_usage", false);
        }
        return new GenerateRequest(chat, tokens, max, sampling, stop, stream, includeUsage, logprobs, top, format,
                tools, toolChoice, calls);
    }

    /** max_tokens (or its newer name); -1 when absent. Above the context is a 400, not a silent clamp. */
    private long maxTokens(Fields f, String alias) {
        long v = f.integer("max_tokens", 1, Integer.MAX_VALUE, -1);
        String name = "max_tokens";
        if (alias != null && f.has(alias)) {
            v = f.integer(alias, 1, Integer.MAX_VALUE, -1);
            name = alias;
        }
        if (v > contextLength) {
            throw ApiError.badField(name, "'" + name + "' is " + v + ", but the context holds " + contextLength
                    + " tokens (prompt and answer together)");
        }
        return v;
    }

    private static void checkN(Fields f) {
        long n = f.integer("n", 1, 128, 1);
        if (n != 1) {
            throw ApiError.unsupported("n", "'n' other than 1");
        }
        if (f.has("best_of") && f.integer("best_of", 1, 128, 1) != 1) {
            throw ApiError.unsupported("best_of", "'best_of' other than 1");
        }
    }

    private ChatMessage message(JsonNode m, int index) {
        String where = "messages[" + index + "]";
        if (!(m instanceof ObjectNode o)) {
            throw ApiError.badField(where, where + " must be an object, got " + Fields.kind(m));
        }
        Fields f = new Fields(o);
        String role = f.string("role", null);
        if (role == null || !ROLES.contains(role)) {
            throw ApiError.badField(where + ".role", where + ".role must be one of " + ROLES + ", got "
                    + (role == null ? "nothing" : "'" + role + "'"));
        }
        JsonNode content = f.get("content");
        String text;
        if (content == null) {
            text = null;
        } else if (content.isTextual()) {
            text = content.textValue();
        } else if (content.isArray()) {
            text = textParts(content, where + ".content");
        } else {
            throw ApiError.badField(where + ".content", where + ".content must be a string, an array of text parts"
                    + " or null, got " + Fields.kind(content));
        }
        if (text == null && !(role.equals("assistant") && f.has("tool_calls"))) {
            throw ApiError.badField(where + ".content", where + ".content is missing");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = json.convertValue(o, Map.class);
        fields.remove("content");
        // Templates know "system"; OpenAI's newer "developer" role means the same.
        fields.put("role", role.equals("developer") ? "system" : role);
        fields.put("content", text);
        if (fields.get("tool_calls") instanceof List<?> calls) {
            fields.put("tool_calls", templateToolCalls(calls, where));
        }
        return ChatMessage.fromMap(fields);
    }

    /** OpenAI sends a call's arguments as a JSON string; templates write them with tojson, so as an object. */
    private List<Object> templateToolCalls(List<?> calls, String where) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            if (!(calls.get(i) instanceof Map<?, ?> call) || !(call.get("function") instanceof Map<?, ?> fn)
                    || !(fn.get("name") instanceof String)) {
                throw ApiError.badField(where + ".tool_calls[" + i + "]",
                        where + ".tool_calls[" + i + "] must be {\"type\":\"function\",\"function\":{\"name\":...,\"arguments\":...}}");
            }
            Map<String, Object> function = new java.util.LinkedHashMap<>();
            @SuppressWarnings("unchecked")
            Map<String, Object> fnMap = (Map<String, Object>) fn;
            function.putAll(fnMap);
            if (fn.get("arguments") instanceof String args) {
                try {
                    function.put("arguments", json.readValue(args, Object.class));
                } catch (java.io.IOException e) {
                    throw ApiError.badField(where + ".tool_calls[" + i + "].function.arguments",
                            "the arguments are not valid JSON: " + e.getMessage());
                }
            }
            Map<String, Object> copy = new java.util.LinkedHashMap<>();
            @SuppressWarnings("unchecked")
            Map<String, Object> callMap = (Map<String, Object>) call;
            copy.putAll(callMap);
            copy.put("function", function);
            out.add(copy);
        }
        return out;
    }

    private static String textParts(JsonNode parts, String where) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            JsonNode p = parts.get(i);
            String type = p.path("type").asText("");
            if (!type.equals("text") || !p.path("text").isTextual()) {
                throw ApiError.unsupported(where + "[" + i + "]",
                        "a content part of type '" + type + "' (only {\"type\":\"text\",\"text\":...})");
            }
            sb.append(p.get("text").textValue());
        }
        return sb.toString();
    }

    private JsonNode tools(Fields f) {
        JsonNode tools = f.get("tools");
        if (tools == null) {
            return null;
        }
        if (!tools.isArray()) {
            throw ApiError.badField("tools", "'tools' must be an array, got " + Fields.kind(tools));
        }
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            String where = "tools[" + i + "]";
            if (!"function".equals(t.path("type").asText(null))) {
                throw ApiError.badField(where + ".type", where + ".type must be 'function'");
            }
            JsonNode fn = t.get("function");
            if (fn == null || !fn.isObject() || !fn.path("name").isTextual() || fn.get("name").textValue().isEmpty()) {
                throw ApiError.badField(where + ".function.name", where + ".function needs a non-empty string 'name'");
            }
            JsonNode params = fn.get("parameters");
            if (params != null && !params.isNull() && !params.isObject()) {
                throw ApiError.badField(where + ".function.parameters", where + ".function.parameters must be a JSON schema object");
            }
        }
        return tools.isEmpty() ? null : tools;
    }

    /**
     * {@code tool_choice}: "none" (tools are shown, not called), "auto" (the default with tools:
     * the answer is parsed for calls). "required" and a named function need constrained sampling,
     * which this build does not have: refused, not ignored.
     */
    private JsonNode toolChoice(Fields f, JsonNode tools) {
        JsonNode c = f.get("tool_choice");
        String v = c == null ? (tools == null ? "none" : "auto") : c.isTextual() ? c.textValue() : null;
        if (v == null) {
            if (!(c.isObject() && "function".equals(c.path("type").asText(null)) && c.path("function").path("name").isTextual())) {
                throw ApiError.badField("tool_choice", "'tool_choice' must be 'none', 'auto', 'required' or "
                        + "{\"type\":\"function\",\"function\":{\"name\":...}}");
            }
            if (tools == null) {
                throw ApiError.badField("tool_choice", "'tool_choice' names a function but there are no 'tools'");
            }
            throw ApiError.unsupported("tool_choice", "Forcing a named function ('tool_choice' with a function)");
        }
        switch (v) {
            case "none" -> {
                return c;
            }
            case "auto" -> {
                if (tools == null) {
                    return c;
                }
                if (toolFormat == ToolCallFormat.NONE) {
                    throw ApiError.unsupported("tools", "Calling tools with this model's chat template (it shows no"
                            + " tool-call format; start the server with a --chat-template that renders tools)");
                }
                return c;
            }
            case "required" -> {
                if (tools == null) {
                    throw ApiError.badField("tool_choice", "'tool_choice' 'required' needs 'tools'");
                }
                throw ApiError.unsupported("tool_choice", "Forcing a tool call ('tool_choice' required)");
            }
            default -> throw ApiError.badField("tool_choice",
                    "'tool_choice' must be 'none', 'auto', 'required' or an object naming a function, got '" + v + "'");
        }
    }

    private static JsonNode responseFormat(Fields f) {
        ObjectNode rf = f.object("response_format");
        if (rf == null) {
            return null;
        }
        String type = rf.path("type").asText("");
        switch (type) {
            case "text":
                return null;
            case "json_object":
                throw ApiError.unsupported("response_format", "Structured output ('response_format' json_object)");
            case "json_schema": {
                JsonNode js = rf.get("json_schema");
                if (js == null || !js.isObject() || !js.path("name").isTextual()) {
                    throw ApiError.badField("response_format.json_schema",
                            "'response_format.json_schema' must be an object with a string 'name' and a 'schema'");
                }
                JsonNode schema = js.get("schema");
                if (schema != null && !schema.isObject() && !schema.isBoolean()) {
                    throw ApiError.badField("response_format.json_schema.schema", "the JSON schema must be an object");
                }
                throw ApiError.unsupported("response_format", "Structured output ('response_format' json_schema)");
            }
            default:
                throw ApiError.badField("response_format.type",
                        "'response_format.type' must be 'text', 'json_object' or 'json_schema', got '" + type + "'");
        }
    }

    private String render(List<ChatMessage> messages, JsonNode tools) {
        RenderOptions.Builder options = RenderOptions.builder().addGenerationPrompt(true)
                .bosToken(model.chatBosToken()).eosToken(model.chatEosToken());
        if (tools != null) {
            options.tools(json.convertValue(tools, List.class));
        }
        try {
            return template.render(messages, options.build());
        } catch (TemplateException e) {
            // The template refused the conversation (e.g. roles out of order): the client's to fix.
            throw ApiError.badField("messages", "the chat template could not render these messages: " + e.getMessage());
        }
    }

    /** A rendered chat prompt: BOS only if the template did not write it (as {@link dev.lamina.Chat} does). */
    private int[] tokenizeRendered(String prompt) {
        String bos = model.chatBosToken();
        boolean addBos = model.info().addBos() && !(bos != null && !bos.isEmpty() && prompt.startsWith(bos));
        return model.tokenizer().encode(prompt, addBos, true);
    }

    private int[] completionPrompt(JsonNode p) {
        if (p == null) {
            throw ApiError.badField("prompt", "'prompt' is required");
        }
        if (p.isTextual()) {
            return model.tokenizer().encode(p.textValue(), model.info().addBos(), true);
        }
        if (p.isArray() && !p.isEmpty() && p.get(0).isIntegralNumber()) {
            int vocab = model.info().vocabSize();
            int[] ids = new int[p.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (int) Fields.integerValue("prompt[" + i + "]", p.get(i), 0, vocab - 1);
            }
            return ids;
        }
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
            return completionPrompt(p.get(0));
        }
        if (p.isArray() && p.size() > 1) {
            throw ApiError.unsupported("prompt", "More than one prompt per request");
        }
        throw ApiError.badField("prompt", "'prompt' must be a string, an array of one string or an array of token ids, got "
                + Fields.kind(p));
    }
}
