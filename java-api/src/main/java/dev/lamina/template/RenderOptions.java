package dev.lamina.template;

import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a chat template sees besides the messages, as Hugging Face's
 * {@code apply_chat_template} passes it: {@code add_generation_prompt}, the special tokens,
 * {@code tools} (a list of JSON-like function schemas, {@code none} when absent) and any other
 * template variables, plus the clock behind {@code strftime_now} and the {@link TemplateLimits}
 * that bound the render.
 *
 * <p>A {@code null} bos/eos token leaves that variable undefined (it renders as nothing).
 */
public record RenderOptions(
        boolean addGenerationPrompt,
        String bosToken,
        String eosToken,
        List<Object> tools,
        Map<String, Object> variables,
        Clock clock,
        TemplateLimits limits) {

    public RenderOptions {
        tools = tools == null ? null : Collections.unmodifiableList(new java.util.ArrayList<>(tools));
        variables = variables == null
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(limits, "limits");
    }

    /** Defaults: generation prompt on, no special tokens, no tools, the system clock. */
    public static Builder builder() {
        return new Builder();
    }

    public static RenderOptions defaults() {
        return builder().build();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.addGenerationPrompt = addGenerationPrompt;
        b.bosToken = bosToken;
        b.eosToken = eosToken;
        b.tools = tools;
        b.variables.putAll(variables);
        b.clock = clock;
        b.limits = limits;
        return b;
    }

    public static final class Builder {
        private boolean addGenerationPrompt = true;
        private String bosToken;
        private String eosToken;
        private List<Object> tools;
        private final Map<String, Object> variables = new LinkedHashMap<>();
        private Clock clock = Clock.systemDefaultZone();
        private TemplateLimits limits = TemplateLimits.defaults();

        private Builder() {}

        public Builder addGenerationPrompt(boolean value) {
            addGenerationPrompt = value;
            return this;
        }

        public Builder bosToken(String value) {
            bosToken = value;
            return this;
        }

        public Builder eosToken(String value) {
            eosToken = value;
            return this;
        }

        /** Tool (function) schemas, each a JSON-like {@code Map}; {@code null} for none. */
        public Builder tools(List<?> value) {
            tools = value == null ? null : new java.util.ArrayList<Object>(value);
            return this;
        }

        /** Any other template variable, e.g. {@code date_string} or {@code enable_thinking}. */
        public Builder variable(String name, Object value) {
            variables.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /** The clock {@code strftime_now} reads (its zone gives the local time). */
        public Builder clock(Clock value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** All render bounds at once (see {@link TemplateLimits}). */
        public Builder limits(TemplateLimits value) {
            limits = Objects.requireNonNull(value, "limits");
            return this;
        }

        /** Statements, loop iterations, expressions and calls one render may execute. */
        public Builder maxOperations(long value) {
            limits = new TemplateLimits(value, limits.maxOutputChars(), limits.maxValueSize(), limits.maxDepth());
            return this;
        }

        /** Characters of rendered output. */
        public Builder maxOutputChars(long value) {
            limits = new TemplateLimits(limits.maxOperations(), value, limits.maxValueSize(), limits.maxDepth());
            return this;
        }

        /** Characters of any one string, items of any one list or dict, built while rendering. */
        public Builder maxValueSize(long value) {
            limits = new TemplateLimits(limits.maxOperations(), limits.maxOutputChars(), value, limits.maxDepth());
            return this;
        }

        /** Nesting of macro calls, captured blocks and recursive loops. */
        public Builder maxDepth(int value) {
            limits = new TemplateLimits(limits.maxOperations(), limits.maxOutputChars(), limits.maxValueSize(), value);
            return this;
        }

        public RenderOptions build() {
            return new RenderOptions(addGenerationPrompt, bosToken, eosToken, tools, variables, clock, limits);
        }
    }
}
