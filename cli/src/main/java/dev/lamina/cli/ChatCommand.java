package dev.lamina.cli;

import dev.lamina.Chat;
import dev.lamina.GeneratedToken;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import dev.lamina.template.ChatTemplate;
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
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lamina chat}: an interactive conversation with a model, rendered by its chat template. */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Talks with a model: each line you type is a user message; the reply",
                "streams back. The conversation is rendered with the model's chat template",
                "(tokenizer.chat_template) or the one given with --chat-template. The KV cache",
                "is reused for the part of the prompt that did not change, so each turn",
                "evaluates only what is new.",
                "",
                "Commands: /reset (forget the conversation, keep --system), /help, /exit.",
                "End of input (Ctrl-D) also quits."},
        footer = {"", "Examples:",
                "  lamina chat -m model.gguf",
                "  lamina chat -m model.gguf --system 'You are a pirate.' --temp 0.7",
                "  lamina chat -m base-model.gguf --chat-template llama-3.2.jinja -n 128",
                "",
                "Errors in a turn print one line 'lamina: <message>' on stderr and the chat goes on."})
final class ChatCommand implements Callable<Integer> {
    static final String HELP = "commands: /reset forgets the conversation, /help shows this, /exit quits";

    @Mixin
    ModelOption model;

    @Option(names = "--chat-template", paramLabel = "FILE.jinja",
            description = "A chat template (Jinja) to use instead of the model's own; required when the"
                    + " model file has none.")
    Path chatTemplate;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message that starts the conversation.")
    String system;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "256", paramLabel = "N",
            description = "Most tokens per reply (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temp", defaultValue = "0.8", paramLabel = "T",
            description = "Sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", paramLabel = "K",
            description = "Sample among the K most likely tokens; 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", paramLabel = "P",
            description = "Nucleus sampling threshold; 1 = off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", paramLabel = "P",
            description = "Drop tokens less likely than P times the most likely one; 0 = off (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", paramLabel = "X",
            description = "Penalty on the last 64 generated tokens; 1 = off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed (default: random).")
    Long seed;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", paramLabel = "N",
            description = "Worker threads; 0 = all online CPUs (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = {"-c", "--ctx"}, defaultValue = "0", paramLabel = "N",
            description = "Context length in tokens; 0 = the model's training context, at most 4096 (default: ${DEFAULT-VALUE}).")
    int contextLength;

    @Option(names = "--no-prompt-marker", description = "Do not print '> ' before reading each message (for scripts).")
    boolean noPromptMarker;

    @Spec
    CommandSpec spec;

    /** Standard input; tests replace it. */
    InputStream stdin = System.in;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ChatTemplate override = chatTemplate == null ? null : ChatTemplate.parse(read(chatTemplate));
        long actualSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        GenerationOptions options = new GenerationOptions(maxTokens, temperature, topK, topP, minP,
                repeatPenalty, 64, actualSeed, List.of());
        try (Model m = Model.load(model.model);
             Session session = m.newSession(SessionOptions.builder()
                     .contextLength(contextLength).threads(threads).build())) {
            Chat.Builder builder = Chat.builder(session).options(options).systemPrompt(system);
            if (override != null) {
                builder.template(override);
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
                turn(chat, line, out, err);
            }
            out.flush();
        }
        return 0;
    }

    /** One exchange; a failure is reported on one line and the chat goes on. */
    private static void turn(Chat chat, String message, PrintWriter out, PrintWriter err) {
        try (Generation reply = chat.send(message)) {
            for (GeneratedToken t : reply) {
                out.print(t.text());
                out.flush();
            }
            out.println();
            out.flush();
        } catch (RuntimeException e) {
            out.flush();
            err.println("lamina: " + LaminaCommand.oneLine(e)
                    + (e instanceof dev.lamina.ContextFullException ? " (/reset starts over)" : ""));
            err.flush();
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
