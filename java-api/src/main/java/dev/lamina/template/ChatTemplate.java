package dev.lamina.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed Hugging Face chat template ({@code tokenizer.chat_template}), rendered exactly as
 * {@code transformers}' {@code apply_chat_template} renders it with Python's Jinja: sandboxed,
 * {@code trim_blocks} and {@code lstrip_blocks}, loop controls, Hugging Face's {@code tojson},
 * {@code raise_exception} and {@code strftime_now}.
 *
 * <p>Immutable and thread-safe: parse once, render from any thread.
 *
 * <pre>{@code
 * ChatTemplate t = ChatTemplate.parse(source);
 * String prompt = t.render(List.of(ChatMessage.user("Hi")), RenderOptions.builder()
 *         .bosToken("<s>").eosToken("</s>").build());
 * }</pre>
 */
public final class ChatTemplate {
    private final String source;
    private final List<Node> nodes;

    private ChatTemplate(String source, List<Node> nodes) {
        this.source = source;
        this.nodes = nodes;
    }

    /**
     * Parses a template.
     *
     * @throws TemplateException of kind {@code SYNTAX}, with line and column, for invalid Jinja or
     *     a construct this renderer does not support
     */
    public static ChatTemplate parse(String source) {
        Objects.requireNonNull(source, "source");
        try {
            return new ChatTemplate(source, List.copyOf(Parser.parse(source)));
        } catch (StackOverflowError e) {
            throw new TemplateException(TemplateException.Kind.SYNTAX, "template nesting too deep", 0, 0);
        }
    }

    /** The Jinja source this template was parsed from. */
    public String source() {
        return source;
    }

    /** Renders with the generation prompt flag only: no special tokens, no tools. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, RenderOptions.builder().addGenerationPrompt(addGenerationPrompt).build());
    }

    /**
     * Renders a conversation.
     *
     * @throws TemplateException of kind {@code RAISED} when the template refuses the conversation
     *     (its message is the template's), or {@code RENDER} when evaluation fails
     */
    public String render(List<ChatMessage> messages, RenderOptions options) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(options, "options");
        List<Object> messageValues = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            messageValues.add(Values.fromJava(m));
        }
        // Variables exactly as apply_chat_template passes them: tools and documents are always
        // defined (None when absent); special tokens only when the tokenizer has them.
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("tools", Values.fromJava(options.tools()));
        context.put("documents", null);
        options.variables().forEach((k, v) -> context.put(k, Values.fromJava(v)));
        if (options.bosToken() != null) {
            context.put("bos_token", options.bosToken());
        }
        if (options.eosToken() != null) {
            context.put("eos_token", options.eosToken());
        }
        context.put("messages", messageValues);
        context.put("add_generation_prompt", options.addGenerationPrompt());

        Scope globals = new Scope(null);
        globals.setAll(Globals.all());
        Scope contextScope = new Scope(globals);
        contextScope.setAll(context);
        Scope templateScope = new Scope(contextScope);
        return new Renderer(options.clock(), options.limits()).render(nodes, templateScope);
    }
}
