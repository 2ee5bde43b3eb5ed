package dev.lamina;

import dev.lamina.json.Json;
import dev.lamina.json.JsonException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A function the model may call: its name, what it does, and a JSON schema of its arguments, as
 * in OpenAI's {@code tools} list. A {@link Chat} built with tools hands them to the chat template
 * (which writes them into the prompt the way the model was trained on) and parses the calls in the
 * replies.
 * <pre>{@code
 * Tool weather = Tool.function("get_weather", "Current weather of a city",
 *         """
 *         {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}""");
 * }</pre>
 */
public final class Tool {
    /** OpenAI's rule for function names. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final String name;
    private final String description;
    private final Map<String, Object> parameters;

    private Tool(String name, String description, Map<String, Object> parameters) {
        this.name = name;
        this.description = description;
        this.parameters = parameters;
    }

    /**
     * A function tool.
     *
     * @param description what it does, for the model (may be empty)
     * @param parametersSchema a JSON schema object of its arguments ({@code {"type": "object", ...}})
     * @throws IllegalArgumentException if the name is not 1–64 of {@code A-Z a-z 0-9 _ . -} or the
     *     schema is not a JSON object
     */
    public static Tool function(String name, String description, String parametersSchema) {
        Objects.requireNonNull(parametersSchema, "parametersSchema");
        Object schema;
        try {
            schema = Json.parse(parametersSchema);
        } catch (JsonException e) {
            throw new IllegalArgumentException("tool '" + name + "': parameters are not valid JSON: " + e.getMessage());
        }
        return of(name, description, schema, "tool '" + name + "'");
    }

    /**
     * The tools of an OpenAI-style list: {@code [{"type": "function", "function": {"name": ...,
     * "description": ..., "parameters": {...}}}, ...]} (a bare function object is accepted too).
     *
     * @throws IllegalArgumentException naming the entry that is malformed
     */
    public static List<Tool> listFromJson(String json) {
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (JsonException e) {
            throw new IllegalArgumentException("tools: not valid JSON: " + e.getMessage());
        }
        if (!(parsed instanceof List<?> list)) {
            throw new IllegalArgumentException("tools: expected a JSON array of tools");
        }
        List<Tool> tools = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            tools.add(fromJsonValue(list.get(i), "tools[" + i + "]"));
        }
        return List.copyOf(tools);
    }

    /** One tool from a decoded OpenAI tool object; {@code where} names it in errors. */
    public static Tool fromJsonValue(Object value, String where) {
        if (!(value instanceof Map<?, ?> entry)) {
            throw new IllegalArgumentException(where + ": expected an object");
        }
        Object type = entry.get("type");
        Map<?, ?> function = entry;
        if (type != null) {
            if (!"function".equals(type)) {
                throw new IllegalArgumentException(where + ".type: only \"function\" tools exist, got " + Json.write(type));
            }
            if (!(entry.get("function") instanceof Map<?, ?> f)) {
                throw new IllegalArgumentException(where + ".function: expected an object");
            }
            function = f;
        }
        if (!(function.get("name") instanceof String name)) {
            throw new IllegalArgumentException(where + ": a function needs a string \"name\"");
        }
        Object description = function.get("description");
        if (description != null && !(description instanceof String)) {
            throw new IllegalArgumentException(where + ".description: expected a string");
        }
        Object parameters = function.containsKey("parameters") ? function.get("parameters") : Map.of("type", "object", "properties", Map.of());
        return of(name, (String) description, parameters, where);
    }

    private static Tool of(String name, String description, Object parameters, String where) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + ": a tool name is 1-64 of A-Z a-z 0-9 _ . -, got \"" + name + "\"");
        }
        if (!(parameters instanceof Map<?, ?> schema)) {
            throw new IllegalArgumentException(where + ": parameters must be a JSON schema object");
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        schema.forEach((k, v) -> copy.put(String.valueOf(k), v));
        return new Tool(name, description == null ? "" : description, Collections.unmodifiableMap(copy));
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** The JSON schema of the arguments, as JSON. */
    public String parametersSchema() {
        return Json.write(parameters);
    }

    /** The OpenAI-shaped tool object chat templates read ({@code tools} entries). */
    public Map<String, Object> toTemplateValue() {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", name);
        function.put("description", description);
        function.put("parameters", parameters);
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("type", "function");
        tool.put("function", function);
        return tool;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tool t && t.name.equals(name) && t.description.equals(description)
                && t.parametersSchema().equals(parametersSchema());
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "Tool[" + name + "]";
    }
}
