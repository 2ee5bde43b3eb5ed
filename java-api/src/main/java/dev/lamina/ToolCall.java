package dev.lamina;

import dev.lamina.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A call of a {@link Tool} that the model wrote: an id to answer it by, the function's name and
 * its arguments as a JSON object.
 *
 * @param id the id the tool's result must name ({@link Chat#addToolResult}); the model's own when
 *     its format carries one, else made up
 * @param name the function's name
 * @param argumentsJson the arguments, a JSON object
 */
public record ToolCall(String id, String name, String argumentsJson) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(argumentsJson, "argumentsJson");
    }

    /** The arguments, decoded (insertion-ordered maps, lists, strings, numbers, booleans, null). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> arguments() {
        return (Map<String, Object>) Json.parse(argumentsJson);
    }

    /**
     * The OpenAI-shaped entry of an assistant message's {@code tool_calls}, as templates read it:
     * arguments as an object, since templates write them with {@code tojson}.
     */
    Map<String, Object> toTemplateValue() {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", name);
        function.put("arguments", arguments());
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("id", id);
        call.put("type", "function");
        call.put("function", function);
        return call;
    }
}
