package dev.lamina.cli;

import dev.lamina.Chat;
import dev.lamina.ChatReply;
import dev.lamina.GeneratedToken;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.Tool;
import dev.lamina.ToolCall;
import dev.lamina.ToolCallFormat;
import dev.lamina.ToolChoice;
import dev.lamina.template.ChatTemplate;
import dev.lamina.template.RenderOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lamina chat}: an interactive conversation with a model, rendered by its chat template. */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = SamplerDefaults.class,
        description = {"Talks with a model: each line you type is a user message; the reply",
                "streams back. The conversation is rendered with the model's chat template",
                "(tokenizer.chat_template) or the one given with --chat-template. The KV cache",
                "is reused for the part of the prompt that did not change, so each turn",
                "evaluates only what is new.",
                "",
                "Commands: /reset (forget the conversation, keep --system), /help, /exit.",
                "End of input (Ctrl-D) also quits.",
                "",
                "With --tools the model may call functions: each call is printed as",
                "'[tool call <id>] NAME ARGUMENTS-JSON', then you type its result (one line,",
                "prompted 'result of NAME> ') and the model answers with it."},
        footer = {"", "Examples:",
                "  lamina chat -m model.gguf",
                "  lamina chat -m model.gguf --system 'You are a pirate.' --temp 0.7",
                "  lamina chat -m base-model.gguf --chat-template llama-3.2.jinja -n 128",
                "  lamina chat -m qwen2.5-7b-instruct.gguf --tools tools.json",
                "",
                "Errors in a turn print one line 'lamina: <message>' on stderr and the chat goes on."})
final class ChatCommand implements Callable<Integer> {
    /** Tool rounds one message may lead to before the chat gives the turn back to the user. */
    private static final int MAX_TOOL_ROUNDS = 8;
    static final String HELP = "commands: /reset forgets the conversation, /help shows this, /exit quits";

    @Mixin
    ModelOption model;

    @Option(names = "--chat-template", paramLabel = "FILE.jinja",
            description = "A chat template (Jinja) to use instead of the model's own; required when the"
                    + " model file has none.")
    Path chatTemplate;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message that starts the conversation.")
    String system;

    @Mixin
    SamplingOptions sampling;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "256", paramLabel = "N",
            description = "Most tokens per reply (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Mixin
    SessionSizeOptions sessionSize;

    @Mixin
    TemplateLimitOptions templateLimits;

    @Option(names = "--tools", paramLabel = "FILE.json",
            description = "Functions the model may call: a JSON array of OpenAI tools"
                    + " ([{\"type\": \"function\", \"function\": {\"name\", \"description\", \"parameters\"}}]).")
    Path toolsFile;

    @Option(names = "--tool-choice", paramLabel = "CHOICE", defaultValue = "auto",
            description = "With --tools: auto (the model decides), none, required (each reply to a message is one tool"
                    + " call, decoded under a grammar of the tools' schemas) or a tool's name (a call of that tool)"
                    + " (default: ${DEFAULT-VALUE}).")
    String toolChoice;

    @Option(names = "--tool-format", paramLabel = "FORMAT",
            description = "How the model writes tool calls, if its template does not show it: ${COMPLETION-CANDIDATES}"
                    + " (default: detected from the template).")
    ToolCallFormat toolFormat;

    @Option(names = "--no-prompt-marker", description = "Do not print '> ' before reading each message (for scripts).")
    boolean noPromptMarker;

    @Spec
    CommandSpec spec;

    private GenerationOptions options;

    /** Standard input; tests replace it. */
    InputStream stdin = System.in;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ChatTemplate override = chatTemplate == null ? null : ChatTemplate.parse(read(chatTemplate));
        options = sampling.toGenerationOptions(maxTokens);
        try (Model m = Model.load(model.model, model.loadOptions().build());
             Session session = m.newSession(sessionSize.toSessionOptions())) {
            Chat.Builder builder = Chat.builder(session).options(options).systemPrompt(system)
                    .renderOptions(templateLimits.applyTo(RenderOptions.builder()).build());
            if (override != null) {
                builder.template(override);
            }
            if (toolsFile != null) {
                builder.tools(Tool.listFromJson(read(toolsFile)));
            }
            if (toolFormat != null) {
                builder.toolCallFormat(toolFormat);
            }
            if (toolsFile != null) {
                builder.toolChoice(ToolChoice.parse(toolChoice));
            }
            Chat chat = builder.build(); // fails here, before any prompt, if there is no template
            BufferedReader in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
            while (true) {
                if (!noPromptMarker) {
                    out.print("> ");
                    out.flush();
                }
                String line = in.readLine();
                if (line == null) {
                    out.println();
                    break;
                }
                String text = line.strip();
                if (text.isEmpty()) {
                    continue;
                }
                if (text.equals("/exit") || text.equals("/quit")) {
                    break;
                }
                if (text.equals("/help")) {
                    out.println(HELP);
                    continue;
                }
                if (text.equals("/reset")) {
                    chat.reset();
                    out.println("(conversation cleared)");
                    continue;
                }
                if (text.startsWith("/")) {
                    err.println("lamina: unknown command " + text.split("\\s+")[0] + "; " + HELP);
                    err.flush();
                    continue;
                }
                turn(chat, line, in, out, err);
            }
            out.flush();
        }
        return 0;
    }

    /** One exchange, with its tool round trips; a failure is reported on one line and the chat goes on. */
    private void turn(Chat chat, String message, BufferedReader in, PrintWriter out, PrintWriter err) throws IOException {
        try {
            stream(chat.send(message), out);
            for (int round = 0; round < MAX_TOOL_ROUNDS; round++) {
                ChatReply reply = chat.lastReply().orElseThrow();
                if (!reply.hasToolCalls()) {
                    return;
                }
                for (ToolCall call : reply.toolCalls()) {
                    out.println("[tool call " + call.id() + "] " + call.name() + " " + call.argumentsJson());
                    if (!noPromptMarker) {
                        out.print("result of " + call.name() + "> ");
                    }
                    out.flush();
                    String result = in.readLine();
                    chat.addToolResult(call, result == null ? "" : result);
                }
                stream(chat.reply(options), out);
            }
            err.println("lamina: stopped after " + MAX_TOOL_ROUNDS + " tool rounds in one turn");
            err.flush();
        } catch (RuntimeException e) {
            out.flush();
            err.println("lamina: " + LaminaCommand.oneLine(e)
                    + (e instanceof dev.lamina.ContextFullException ? " (/reset starts over)" : ""));
            err.flush();
        }
    }

    private static void stream(Generation generation, PrintWriter out) {
        try (Generation g = generation) {
            for (GeneratedToken t : g) {
                out.print(t.text());
                out.flush();
            }
            out.println();
            out.flush();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + file, e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
