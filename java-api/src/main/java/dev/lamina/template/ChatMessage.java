package dev.lamina.template;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation as a chat template sees it: a dict with {@code role},
 * {@code content} and any {@code extra} fields (for example {@code tool_calls},
 * {@code tool_call_id}). Content may be {@code null}, which templates see as {@code none} (an
 * assistant message that only calls tools).
 *
 * <p>Extra values may be {@code String}, {@code Boolean}, whole or floating numbers, {@code null},
 * {@code List}s and {@code Map}s (with string keys) of these.
 */
public record ChatMessage(String role, String content, Map<String, Object> extra) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
        if (extra.containsKey("role") || extra.containsKey("content")) {
            throw new IllegalArgumentException("extra fields must not repeat 'role' or 'content'");
        }
    }

    public ChatMessage(String role, String content) {
        this(role, content, Map.of());
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /**
     * A message from a decoded JSON object (for example an element of an OpenAI-style
     * {@code messages} array): {@code role} must be a string, {@code content} a string or null
     * (absent means null), every other key becomes an extra field.
     */
    public static ChatMessage fromMap(Map<String, ?> fields) {
        if (!(fields.get("role") instanceof String role)) {
            throw new IllegalArgumentException("message needs a string 'role', got " + fields.get("role"));
        }
        Object content = fields.get("content");
        if (content != null && !(content instanceof String)) {
            throw new IllegalArgumentException("message 'content' must be a string or null, got "
                    + content.getClass().getSimpleName());
        }
        Map<String, Object> extra = new LinkedHashMap<>(fields);
        extra.remove("role");
        extra.remove("content");
        return new ChatMessage(role, (String) content, extra);
    }
}
