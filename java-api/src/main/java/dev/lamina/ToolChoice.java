package dev.lamina;

import java.util.Objects;

/**
 * Whether the model may, must or must not call a tool, as OpenAI's {@code tool_choice}:
 * {@link #AUTO} (the model decides), {@link #NONE} (answer in text; calls are not looked for),
 * {@link #REQUIRED} (the reply is one call of some tool) or {@link #function(String)} (the reply is
 * one call of that tool). Forced calls are decoded under a grammar built from the tools' JSON
 * schemas and the model family's call format, so their arguments always parse and validate.
 */
public final class ToolChoice {
    public static final ToolChoice AUTO = new ToolChoice("auto", null);
    public static final ToolChoice NONE = new ToolChoice("none", null);
    public static final ToolChoice REQUIRED = new ToolChoice("required", null);

    private final String mode;
    private final String functionName;

    private ToolChoice(String mode, String functionName) {
        this.mode = mode;
        this.functionName = functionName;
    }

    /** The reply must be a call of the tool named {@code name}. */
    public static ToolChoice function(String name) {
        return new ToolChoice("function", Objects.requireNonNull(name, "name"));
    }

    /**
     * {@code auto}, {@code none}, {@code required}, or any other text as the name of the function
     * to call (as {@code lamina chat --tool-choice} takes it).
     */
    public static ToolChoice parse(String text) {
        return switch (Objects.requireNonNull(text, "text")) {
            case "auto" -> AUTO;
            case "none" -> NONE;
            case "required" -> REQUIRED;
            default -> function(text);
        };
    }

    /** Whether the reply must be a tool call. */
    public boolean forcesCall() {
        return this == REQUIRED || functionName != null;
    }

    /** The function a call is forced to, or null. */
    public String functionName() {
        return functionName;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ToolChoice c && c.mode.equals(mode) && Objects.equals(c.functionName, functionName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, functionName);
    }

    @Override
    public String toString() {
        return functionName == null ? mode : "function:" + functionName;
    }
}
