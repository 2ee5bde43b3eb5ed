package dev.lamina;

import dev.lamina.json.Json;
import dev.lamina.json.JsonException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * How a model family writes tool calls, so {@link Chat} can find them in a reply. The format
 * follows from the chat template ({@link #detect}), as llama.cpp's chat parser chooses it.
 */
public enum ToolCallFormat {
    /** The template shows no tool-call convention: replies are text only. */
    NONE {
        @Override
        ChatReply parseText(String text) {
            return new ChatReply(text, List.of());
        }

        @Override
        String wrapCallGrammar(String callRule) {
            throw new IllegalArgumentException("a tool call cannot be forced without a tool-call format");
        }
    },
    /**
     * Hermes 2 Pro, Qwen 2.5/3 and others: {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>},
     * one element per call, text around them is content.
     */
    HERMES {
        @Override
        ChatReply parseText(String text) {
            List<ToolCall> calls = new ArrayList<>();
            StringBuilder content = new StringBuilder();
            int at = 0;
            while (true) {
                int open = text.indexOf(OPEN_TAG, at);
                if (open < 0) {
                    content.append(text, at, text.length());
                    break;
                }
                Call call = callAt(text, open + OPEN_TAG.length(), "arguments");
                if (call == null) { // not a call after all: keep it as text
                    content.append(text, at, text.length());
                    break;
                }
                content.append(text, at, open);
                calls.add(call.toolCall(generatedId()));
                int end = skipSpace(text, call.end);
                at = text.startsWith(CLOSE_TAG, end) ? end + CLOSE_TAG.length() : end;
            }
            return new ChatReply(content.toString().strip(), calls);
        }

        @Override
        String wrapCallGrammar(String callRule) {
            return "root ::= \"<tool_call>\\n\" " + callRule + " \"\\n</tool_call>\"";
        }
    },
    /**
     * Llama 3.1–3.3: a reply that is one JSON object {@code {"name": ..., "parameters": {...}}}
     * (several joined by {@code ;}), or {@code <|python_tag|>} followed by such an object or a
     * built-in call {@code tool.call(key="value", ...)}; code after the tag that is neither is a
     * call of {@code python} with {@code {"code": ...}}.
     */
    LLAMA_3 {
        @Override
        ChatReply parseText(String text) {
            String t = text.strip();
            boolean tagged = t.startsWith(PYTHON_TAG);
            if (tagged) {
                t = t.substring(PYTHON_TAG.length()).strip();
            }
            List<ToolCall> calls = new ArrayList<>();
            int at = 0;
            while (at < t.length() && t.charAt(at) == '{') {
                Call call = callAt(t, at, "parameters");
                if (call == null) {
                    break;
                }
                calls.add(call.toolCall(generatedId()));
                at = skipSpace(t, call.end);
                if (at < t.length() && t.charAt(at) == ';') {
                    at = skipSpace(t, at + 1);
                }
            }
            if (!calls.isEmpty() && at == t.length()) {
                return new ChatReply("", calls);
            }
            if (tagged) {
                ToolCall builtin = builtinCall(t);
                return new ChatReply("", List.of(builtin != null ? builtin
                        : new ToolCall(generatedId(), "python", Json.write(Map.of("code", t)))));
            }
            return new ChatReply(text.strip(), List.of());
        }

        @Override
        String argumentsKey() {
            return "parameters";
        }

        @Override
        String wrapCallGrammar(String callRule) {
            return "root ::= " + callRule;
        }
    },
    /**
     * Mistral: {@code [TOOL_CALLS]} then a JSON array of {@code {"name", "arguments", "id"}}, or
     * (newer tokenizers) {@code [TOOL_CALLS]name[ARGS]{...}} for each call.
     */
    MISTRAL {
        @Override
        ChatReply parseText(String text) {
            int tag = text.indexOf(MISTRAL_TAG);
            if (tag < 0) {
                return new ChatReply(text.strip(), List.of());
            }
            String content = text.substring(0, tag).strip();
            List<ToolCall> calls = new ArrayList<>();
            int at = skipSpace(text, tag + MISTRAL_TAG.length());
            if (at < text.length() && text.charAt(at) == '[') {
                try {
                    Json.Prefix p = Json.parsePrefix(text, at);
                    if (p.value() instanceof List<?> list) {
                        for (Object o : list) {
                            Call call = o instanceof Map<?, ?> m ? Call.of(m, "arguments", 0) : null;
                            if (call == null) {
                                return new ChatReply(text.strip(), List.of());
                            }
                            calls.add(call.toolCall(mistralId()));
                        }
                        return new ChatReply(content, calls);
                    }
                } catch (JsonException e) {
                    return new ChatReply(text.strip(), List.of());
                }
            }
            // [TOOL_CALLS]name[ARGS]{...}[TOOL_CALLS]name[ARGS]{...}
            int pos = tag;
            while (text.startsWith(MISTRAL_TAG, pos)) {
                int args = text.indexOf(MISTRAL_ARGS, pos);
                if (args < 0) {
                    return new ChatReply(text.strip(), List.of());
                }
                String name = text.substring(pos + MISTRAL_TAG.length(), args).strip();
                try {
                    Json.Prefix p = Json.parsePrefix(text, args + MISTRAL_ARGS.length());
                    if (!(p.value() instanceof Map<?, ?>) || name.isEmpty()) {
                        return new ChatReply(text.strip(), List.of());
                    }
                    calls.add(new ToolCall(mistralId(), name, Json.write(p.value())));
                    pos = skipSpace(text, p.end());
                } catch (JsonException e) {
                    return new ChatReply(text.strip(), List.of());
                }
            }
            return new ChatReply(content, calls);
        }

        @Override
        String wrapCallGrammar(String callRule) {
            return "root ::= \"[TOOL_CALLS][\" " + callRule + " \"]\"";
        }
    };

    private static final java.util.regex.Pattern ROOT_RULE = java.util.regex.Pattern.compile("(?m)^root\\s*::=");
    private static final String OPEN_TAG = "<tool_call>";
    private static final String CLOSE_TAG = "</tool_call>";
    private static final String PYTHON_TAG = "<|python_tag|>";
    private static final String MISTRAL_TAG = "[TOOL_CALLS]";
    private static final String MISTRAL_ARGS = "[ARGS]";
    private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /**
     * Splits a reply into content and tool calls. The text should be the reply with special
     * tokens rendered (a tag such as {@code <|python_tag|>} is a control token in some
     * vocabularies). A call whose JSON does not parse stays in the content.
     */
    public ChatReply parse(String text) {
        return parseText(text == null ? "" : text);
    }

    abstract ChatReply parseText(String text);

    /** The key of the arguments object in this format's calls. */
    String argumentsKey() {
        return "arguments";
    }

    /** A root rule that writes one call, whose JSON is rule {@code callRule}, as this format does. */
    abstract String wrapCallGrammar(String callRule);

    /**
     * The GBNF grammar of a reply that is exactly one call, in this format, of one of
     * {@code tools} (or of the one named {@code onlyName}, if not null), with arguments valid
     * against the tool's parameter schema: what forced tool choice decodes under.
     *
     * @throws IllegalArgumentException for {@link #NONE}, no tools, or an unknown name
     */
    public String callGrammar(List<Tool> tools, String onlyName) {
        List<Object> alternatives = new ArrayList<>();
        for (Tool t : tools) {
            if (onlyName != null && !t.name().equals(onlyName)) {
                continue;
            }
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("name", Map.of("const", t.name()));
            properties.put(argumentsKey(), Json.parse(t.parametersSchema()));
            Map<String, Object> call = new LinkedHashMap<>();
            call.put("type", "object");
            call.put("properties", properties);
            call.put("required", List.of("name", argumentsKey()));
            alternatives.add(call);
        }
        if (alternatives.isEmpty()) {
            throw new IllegalArgumentException(onlyName == null ? "a tool call cannot be forced without tools"
                    : "tool_choice names '" + onlyName + "', which is not among the tools "
                            + tools.stream().map(Tool::name).toList());
        }
        Object schema = alternatives.size() == 1 ? alternatives.get(0) : Map.of("anyOf", alternatives);
        String json = GenerationOptions.jsonSchemaGrammar(Json.write(schema));
        // The schema's grammar starts at "root"; it becomes the call rule under this format's root.
        String renamed = ROOT_RULE.matcher(json).replaceFirst("tool-call ::=");
        return wrapCallGrammar("tool-call") + "\n" + renamed;
    }

    /** The format a chat template's source shows, from the markers each family's templates write. */
    public static ToolCallFormat detect(String templateSource) {
        if (templateSource == null) {
            return NONE;
        }
        if (templateSource.contains(OPEN_TAG)) {
            return HERMES;
        }
        if (templateSource.contains(MISTRAL_TAG)) {
            return MISTRAL;
        }
        if (templateSource.contains("<|start_header_id|>")
                && (templateSource.contains("ipython") || templateSource.contains(PYTHON_TAG))) {
            return LLAMA_3;
        }
        return NONE;
    }

    /** A call decoded from a JSON object: its name, arguments (as JSON) and id if it had one. */
    private record Call(String name, String argumentsJson, String id, int end) {
        ToolCall toolCall(String fallbackId) {
            return new ToolCall(id != null ? id : fallbackId, name, argumentsJson);
        }

        /** {"name": ..., KEY: {...} or "<json object>"}; null if the object is not a call. */
        static Call of(Map<?, ?> m, String argumentsKey, int end) {
            if (!(m.get("name") instanceof String name) || name.isEmpty()) {
                return null;
            }
            Object args = m.containsKey(argumentsKey) ? m.get(argumentsKey)
                    : m.containsKey("arguments") ? m.get("arguments") : m.get("parameters");
            if (args instanceof String s) { // some models write the arguments as a JSON string
                try {
                    args = Json.parse(s);
                } catch (JsonException e) {
                    return null;
                }
            }
            if (args == null) {
                args = Map.of();
            }
            if (!(args instanceof Map<?, ?>)) {
                return null;
            }
            return new Call(name, Json.write(args), m.get("id") instanceof String id && !id.isEmpty() ? id : null, end);
        }
    }

    private static Call callAt(String text, int start, String argumentsKey) {
        try {
            Json.Prefix p = Json.parsePrefix(text, start);
            return p.value() instanceof Map<?, ?> m ? Call.of(m, argumentsKey, p.end()) : null;
        } catch (JsonException e) {
            return null;
        }
    }

    /** {@code tool.call(key="value", n=3)}, as Llama 3's built-in tools are called; null if not one. */
    private static ToolCall builtinCall(String t) {
        int dot = t.indexOf(".call(");
        if (dot <= 0 || !t.endsWith(")") || !t.substring(0, dot).matches("[A-Za-z_][A-Za-z0-9_]*")) {
            return null;
        }
        Map<String, Object> args = new LinkedHashMap<>();
        String inner = t.substring(dot + ".call(".length(), t.length() - 1).strip();
        int at = 0;
        while (at < inner.length()) {
            int eq = inner.indexOf('=', at);
            if (eq < 0) {
                return null;
            }
            String key = inner.substring(at, eq).strip();
            if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                return null;
            }
            try {
                Json.Prefix p = Json.parsePrefix(inner, eq + 1);
                args.put(key, p.value());
                at = skipSpace(inner, p.end());
            } catch (JsonException e) {
                return null;
            }
            if (at < inner.length()) {
                if (inner.charAt(at) != ',') {
                    return null;
                }
                at = skipSpace(inner, at + 1);
            }
        }
        return new ToolCall(generatedId(), t.substring(0, dot), Json.write(args));
    }

    private static int skipSpace(String s, int at) {
        while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
            at++;
        }
        return at;
    }

    private static String generatedId() {
        return "call_" + randomChars(24);
    }

    /** Mistral's templates require ids of exactly nine letters and digits. */
    private static String mistralId() {
        return randomChars(9);
    }

    private static String randomChars(int n) {
        RandomGenerator r = RandomGenerator.getDefault();
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(ID_CHARS.charAt(r.nextInt(ID_CHARS.length())));
        }
        return sb.toString();
    }
}
