package dev.lamina;

import dev.lamina.template.ChatMessage;
import dev.lamina.template.ChatTemplate;
import dev.lamina.template.RenderOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A conversation on a {@link Session}: keeps the history, renders it with a chat template and
 * streams the model's replies.
 * <pre>{@code
 * Chat chat = Chat.builder(session).systemPrompt("You are terse.").build();
 * try (Generation reply = chat.send("Hello!")) {
 *     for (GeneratedToken t : reply) System.out.print(t.text());
 * }
 * chat.history(); // system, user, assistant
 * }</pre>
 *
 * <p><b>Each turn</b> renders the whole history with {@code add_generation_prompt=true} and the
 * model's BOS/EOS texts as {@code bos_token}/{@code eos_token}, tokenizes it (special tokens parsed;
 * BOS added when the vocabulary asks for it and the template did not already write it), and
 * evaluates only what the KV cache does not hold yet: the cached tokens are compared with the new
 * prompt, the cache is cut back to the common prefix and the rest is evaluated. The reply is added
 * to the history when its {@link Generation} finishes (also when it is closed or cancelled early:
 * the history then holds what was generated).
 *
 * <p><b>Tools:</b> a chat built with {@link Builder#tools} offers them to the model through the
 * template and splits each finished reply into content and {@link ToolCall}s
 * ({@link #lastReply()}), in the format the template shows ({@link ToolCallFormat#detect}). A
 * reply with calls enters the history as an assistant message with {@code tool_calls}; the
 * results go back as {@code tool} messages:
 * <pre>{@code
 * Chat chat = Chat.builder(session).tools(weather).build();
 * chat.send("Weather in Paris?").result();
 * if (chat.lastReply().orElseThrow().hasToolCalls()) {
 *     String answer = chat.answerToolCalls(call -> lookUp(call.arguments())).result().text();
 * }
 * }</pre>
 *
 * <p>The chat assumes it is the only user of its session: if the session's cache was changed by
 * anything else, the next turn starts the cache over. Not thread-safe (like the session).
 */
public final class Chat {
    private final Session session;
    private final ChatTemplate template;
    private final RenderOptions renderOptions;
    private final GenerationOptions defaultOptions;
    private final ChatMessage system;
    private final List<ChatMessage> history = new ArrayList<>();
    private final List<Tool> tools;
    private final ToolCallFormat toolCallFormat;
    private ChatReply lastReply;
    private ToolChoice toolChoice;

    /** The tokens the session's cache holds for this chat; valid while the session's version is {@code cacheStamp}. */
    private int[] cached = new int[0];
    private long cacheStamp = -1;
    private Generation current;
    /** The grammar of the last forced tool choice, made once per choice. */
    private String forcedGrammar;
    private ToolChoice forcedGrammarFor;
    private String lastPrompt = "";
    private int[] lastPromptTokens = new int[0];
    private int lastReusedTokens;

    private Chat(Builder b, ChatTemplate template) {
        this.session = b.session;
        this.template = template;
        Model model = session.model();
        RenderOptions.Builder ro = (b.renderOptions == null ? RenderOptions.builder() : b.renderOptions.toBuilder())
                .addGenerationPrompt(true);
        if (b.renderOptions == null || b.renderOptions.bosToken() == null) {
            ro.bosToken(model.chatBosToken());
        }
        if (b.renderOptions == null || b.renderOptions.eosToken() == null) {
            ro.eosToken(model.chatEosToken());
        }
        this.tools = List.copyOf(b.tools);
        this.toolCallFormat = b.toolCallFormat != null ? b.toolCallFormat : ToolCallFormat.detect(template.source());
        if (!tools.isEmpty()) {
            if (toolCallFormat == ToolCallFormat.NONE) {
                throw new IllegalArgumentException("tools were given, but the chat template shows no known tool-call format"
                        + " (Hermes <tool_call>, Llama 3.x ipython/<|python_tag|>, Mistral [TOOL_CALLS]); use a template that"
                        + " renders tools, or name the format with Chat.Builder.toolCallFormat");
            }
            ro.tools(tools.stream().map(Tool::toTemplateValue).toList());
        }
        this.renderOptions = ro.build();
        this.toolChoice = b.toolChoice;
        this.defaultOptions = b.options;
        this.system = b.systemPrompt == null ? null : ChatMessage.system(b.systemPrompt);
        reset();
    }

    /** A builder for a chat on {@code session} (template: the model's own unless one is given). */
    public static Builder builder(Session session) {
        return new Builder(session);
    }

    /**
     * Adds a user message and starts the reply with the chat's default generation options.
     *
     * @throws dev.lamina.template.TemplateException if the template refuses the conversation
     *     (the history is left unchanged)
     * @throws ContextFullException if the prompt does not fit into the session's context
     */
    public Generation send(String userMessage) {
        return send(ChatMessage.user(userMessage), defaultOptions);
    }

    /** Adds a user message and starts the reply. */
    public Generation send(String userMessage, GenerationOptions options) {
        return send(ChatMessage.user(userMessage), options);
    }

    /**
     * Adds any message (for example a tool result) and starts the reply. A reply of this chat that
     * is still running is closed first (and what it generated so far joins the history).
     */
    public Generation send(ChatMessage message, GenerationOptions options) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(options, "options");
        closeCurrent();
        List<ChatMessage> next = new ArrayList<>(history);
        next.add(message);
        return start(next, forcedCall(options));
    }

    /** The options of a turn that answers a message: with the tool-call grammar if a call is forced. */
    private GenerationOptions forcedCall(GenerationOptions options) {
        if (tools.isEmpty() || !toolChoice.forcesCall()) {
            return options;
        }
        if (options.grammar() != null) {
            throw new IllegalArgumentException("tool choice " + toolChoice + " decodes under its own grammar;"
                    + " the options already have one");
        }
        if (forcedGrammar == null || !forcedGrammarFor.equals(toolChoice)) {
            forcedGrammar = toolCallFormat.callGrammar(tools, toolChoice.functionName());
            forcedGrammarFor = toolChoice;
        }
        return options.grammar(forcedGrammar);
    }

    /**
     * Whether replies to messages may, must or must not call tools (default {@link ToolChoice#AUTO}).
     * A forced call ({@link ToolChoice#REQUIRED} or a named function) applies to the replies of
     * {@link #send}; replies after tool results ({@link #reply}, {@link #answerToolCalls}) are free.
     *
     * @throws IllegalArgumentException if the choice names a tool the chat does not have
     */
    public void setToolChoice(ToolChoice choice) {
        Objects.requireNonNull(choice, "choice");
        if (choice.functionName() != null && tools.stream().noneMatch(t -> t.name().equals(choice.functionName()))) {
            throw new IllegalArgumentException("tool choice names '" + choice.functionName() + "', which is not among the tools "
                    + tools.stream().map(Tool::name).toList());
        }
        this.toolChoice = choice;
    }

    public ToolChoice toolChoice() {
        return toolChoice;
    }

    /**
     * Records the result of one of the last reply's tool calls (a {@code tool} message naming the
     * call's id), without replying yet: add every call's result, then {@link #reply}.
     *
     * @throws IllegalArgumentException if the last reply made no call with that id
     */
    public void addToolResult(ToolCall call, String result) {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(result, "result");
        closeCurrent();
        if (lastReply == null || lastReply.toolCalls().stream().noneMatch(c -> c.id().equals(call.id()))) {
            throw new IllegalArgumentException("the last reply made no tool call with id '" + call.id() + "'"
                    + (lastReply == null ? " (no reply yet)" : ": it made " + lastReply.toolCalls().size() + " call(s)"));
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("tool_call_id", call.id());
        extra.put("name", call.name());
        history.add(new ChatMessage("tool", result, extra));
    }

    /**
     * Starts the assistant's reply to the history as it is (for example after
     * {@link #addToolResult}), without adding a message.
     */
    public Generation reply(GenerationOptions options) {
        Objects.requireNonNull(options, "options");
        closeCurrent();
        return start(new ArrayList<>(history), options);
    }

    /**
     * One tool round trip: runs {@code runner} on every call of the last reply, adds each result
     * and starts the answer (with the chat's default options).
     *
     * @throws IllegalStateException if the last reply made no tool call
     */
    public Generation answerToolCalls(Function<ToolCall, String> runner) {
        Objects.requireNonNull(runner, "runner");
        closeCurrent();
        if (lastReply == null || !lastReply.hasToolCalls()) {
            throw new IllegalStateException("the last reply made no tool call");
        }
        for (ToolCall call : lastReply.toolCalls()) {
            addToolResult(call, Objects.requireNonNull(runner.apply(call), "the runner's result for " + call.name()));
        }
        return reply(defaultOptions);
    }

    /**
     * The last finished reply split into content and tool calls (calls are found only when the
     * chat has tools), or empty before the first reply has finished.
     */
    public Optional<ChatReply> lastReply() {
        return Optional.ofNullable(lastReply);
    }

    /** The tools the model is offered (empty: none). */
    public List<Tool> tools() {
        return tools;
    }

    /** How tool calls are found in replies: the given format, else the template's. */
    public ToolCallFormat toolCallFormat() {
        return toolCallFormat;
    }

    private void closeCurrent() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    private Generation start(List<ChatMessage> next, GenerationOptions options) {
        String prompt = template.render(next, renderOptions);
        int[] tokens = tokenize(prompt);
        if (tokens.length == 0) {
            throw new IllegalArgumentException("the chat template rendered an empty prompt");
        }
        int[] known = session.cacheVersion() == cacheStamp && session.position() == cached.length ? cached : new int[0];
        int common = commonPrefix(known, tokens);
        if (common == tokens.length) {
            common--; // the last token must be evaluated again to get its logits
        }
        cacheStamp = -1; // the cache is unknown until the new reply has finished
        session.truncate(common);
        Generation g = session.generate(Arrays.copyOfRange(tokens, common, tokens.length), options);
        history.clear();
        history.addAll(next);
        lastPrompt = prompt;
        lastPromptTokens = tokens;
        lastReusedTokens = common;
        current = g;
        lastReply = null;
        g.onFinish((text, ids, reason) -> {
            ChatReply reply = splitReply(text, ids, reason);
            lastReply = reply;
            history.add(assistantMessage(reply, text));
            cached = concat(tokens, ids);
            cacheStamp = session.cacheVersion();
            if (current == g) {
                current = null;
            }
        });
        return g;
    }

    private ChatReply splitReply(String text, int[] ids, FinishReason reason) {
        if (tools.isEmpty() || toolChoice == ToolChoice.NONE) {
            return new ChatReply(text, List.of());
        }
        // Tool-call markers can be control tokens, which the streamed text leaves out.
        String raw = reason == FinishReason.STOP_STRING ? text : session.model().tokenizer().detokenize(ids, true);
        return toolCallFormat.parse(raw);
    }

    private static ChatMessage assistantMessage(ChatReply reply, String text) {
        if (!reply.hasToolCalls()) {
            return ChatMessage.assistant(text);
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("tool_calls", reply.toolCalls().stream().map(ToolCall::toTemplateValue).toList());
        return new ChatMessage("assistant", reply.content().isEmpty() ? null : reply.content(), extra);
    }

    /**
     * The conversation so far (system prompt first, if any). A reply still being generated is not
     * in it yet.
     */
    public List<ChatMessage> history() {
        return Collections.unmodifiableList(new ArrayList<>(history));
    }

    /**
     * Forgets the conversation (the system prompt stays). The cache is kept: the next turn reuses
     * whatever prefix it still shares with the new prompt.
     */
    public void reset() {
        closeCurrent();
        lastReply = null;
        history.clear();
        if (system != null) {
            history.add(system);
        }
    }

    /** The template this chat renders with. */
    public ChatTemplate template() {
        return template;
    }

    /** The session the chat runs on. */
    public Session session() {
        return session;
    }

    /** The prompt text the last turn rendered ("" before the first turn). */
    public String lastPrompt() {
        return lastPrompt;
    }

    /** The tokens of the last rendered prompt. */
    public int[] lastPromptTokens() {
        return lastPromptTokens.clone();
    }

    /** How many tokens of the last prompt came from the cache instead of being evaluated. */
    public int lastReusedTokens() {
        return lastReusedTokens;
    }

    private int[] tokenize(String prompt) {
        Model model = session.model();
        String bos = renderOptions.bosToken();
        boolean addBos = model.info().addBos() && !(bos != null && !bos.isEmpty() && prompt.startsWith(bos));
        return model.tokenizer().encode(prompt, addBos, true);
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Builds a {@link Chat}. */
    public static final class Builder {
        private final Session session;
        private ChatTemplate template;
        private String systemPrompt;
        private GenerationOptions options = GenerationOptions.greedy();
        private RenderOptions renderOptions;
        private final List<Tool> tools = new ArrayList<>();
        private ToolCallFormat toolCallFormat;
        private ToolChoice toolChoice = ToolChoice.AUTO;

        private Builder(Session session) {
            this.session = Objects.requireNonNull(session, "session");
        }

        /** The template to render with, instead of the model's own. */
        public Builder template(ChatTemplate template) {
            this.template = Objects.requireNonNull(template, "template");
            return this;
        }

        /** A system message that starts the history (and survives {@link Chat#reset()}). */
        public Builder systemPrompt(String systemPrompt) {
            this.systemPrompt = systemPrompt;
            return this;
        }

        /** Generation options of {@link Chat#send(String)} (default: greedy, 256 tokens). */
        public Builder options(GenerationOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Extra template inputs (tools, variables, clock). {@code add_generation_prompt} is always
         * true; bos/eos left null are the model's.
         */
        public Builder renderOptions(RenderOptions renderOptions) {
            this.renderOptions = Objects.requireNonNull(renderOptions, "renderOptions");
            return this;
        }

        /** Functions the model may call; the template writes them into the prompt. */
        public Builder tools(List<Tool> tools) {
            this.tools.clear();
            this.tools.addAll(List.copyOf(tools));
            return this;
        }

        public Builder tools(Tool... tools) {
            return tools(List.of(tools));
        }

        /** Whether replies may, must or must not call tools (see {@link Chat#setToolChoice}). */
        public Builder toolChoice(ToolChoice choice) {
            this.toolChoice = Objects.requireNonNull(choice, "choice");
            return this;
        }

        /** How replies write tool calls, when the template does not show it (default: detected). */
        public Builder toolCallFormat(ToolCallFormat format) {
            this.toolCallFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * @throws IllegalArgumentException if tools were given and no tool-call format is known
         * @throws NoChatTemplateException if no template was given and the model has none
         * @throws dev.lamina.template.TemplateException if the model's template is not valid Jinja
         */
        public Chat build() {
            ChatTemplate t = template != null ? template
                    : session.model().chatTemplate().orElseThrow(() -> new NoChatTemplateException(session.model().path()));
            Chat chat = new Chat(this, t);
            chat.setToolChoice(toolChoice); // checks a named function against the tools
            return chat;
        }
    }
}
