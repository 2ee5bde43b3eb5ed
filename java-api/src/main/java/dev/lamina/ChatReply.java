package dev.lamina;

import java.util.List;
import java.util.Objects;

/**
 * An assistant turn split as OpenAI's API returns it: the text meant for the user and the tool
 * calls the model made (empty when it made none).
 *
 * @param content the text outside the tool calls (may be empty)
 * @param toolCalls the calls, in the order the model wrote them
 */
public record ChatReply(String content, List<ToolCall> toolCalls) {
    public ChatReply {
        Objects.requireNonNull(content, "content");
        toolCalls = List.copyOf(toolCalls);
    }

    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }
}
