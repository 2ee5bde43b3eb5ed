package dev.lamina.cli;

import dev.lamina.json.Json;
import dev.lamina.json.JsonException;
import dev.lamina.template.ChatMessage;
import dev.lamina.template.ChatTemplate;
import dev.lamina.template.RenderOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lamina template}: renders a conversation with a Hugging Face chat template, exactly as
 * {@code transformers}' {@code apply_chat_template(..., tokenize=False)} does.
 */
@Command(name = "template",
        sortOptions = false,
        description = {
            "Renders a conversation with a Hugging Face chat template (tokenizer.chat_template) and prints"
                    + " the prompt to stdout, with no newline added.",
            "The template runs as transformers' apply_chat_template runs it: Jinja with trim_blocks,"
                    + " lstrip_blocks, loop controls, tojson, raise_exception and strftime_now."},
        footer = {"",
            "MESSAGES is a JSON array of objects with a string \"role\" and a string or null",
            "\"content\"; other keys (tool_calls, tool_call_id, ...) reach the template as they are.",
            "",
            "Example:",
            "  lamina template -t llama-3.2.jinja -m chat.json --bos '<|begin_of_text|>'",
            "",
            "When the template refuses the conversation (raise_exception), lamina prints",
            "'lamina: <the template's message>' on stderr and exits with status 1; so it does when the",
            "render exceeds one of the --template-max-* limits."})
public final class TemplateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-t", "--template"}, required = true, paramLabel = "FILE",
            description = "The chat template (Jinja text, e.g. saved from tokenizer_config.json).")
    Path template;

    @Option(names = {"-m", "--messages"}, required = true, paramLabel = "MESSAGES",
            description = "JSON file with the conversation: [{\"role\": ..., \"content\": ...}, ...].")
    Path messages;

    @Option(names = "--no-generation-prompt", negatable = false,
            description = "Render add_generation_prompt=false (by default the assistant header is appended).")
    boolean noGenerationPrompt;

    @Option(names = "--bos", paramLabel = "TEXT", description = "The bos_token value (undefined if not given).")
    String bos;

    @Option(names = "--eos", paramLabel = "TEXT", description = "The eos_token value (undefined if not given).")
    String eos;

    @Option(names = "--tools", paramLabel = "FILE",
            description = "JSON file with a list of tool (function) schemas, passed as 'tools'.")
    Path tools;

    @Option(names = "--var", paramLabel = "NAME=VALUE",
            description = "Another template variable; VALUE is read as JSON when it parses (true, 3,"
                    + " \"text\", {...}), else as a plain string. Repeatable.")
    List<String> variables = new ArrayList<>();

    @Option(names = "--date", paramLabel = "YYYY-MM-DD",
            description = "The date strftime_now() reports (default: today).")
    LocalDate date;

    @Mixin
    TemplateLimitOptions limits;

    @Override
    public Integer call() {
        ChatTemplate chatTemplate = ChatTemplate.parse(read(template));
        RenderOptions.Builder options = limits.applyTo(RenderOptions.builder())
                .addGenerationPrompt(!noGenerationPrompt)
                .bosToken(bos)
                .eosToken(eos);
        if (tools != null) {
            if (!(parseJson(tools) instanceof List<?> list)) {
                throw new IllegalArgumentException(tools + ": expected a JSON array of tool schemas");
            }
            options.tools(list);
        }
        for (String v : variables) {
            int eq = v.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--var expects NAME=VALUE, got '" + v + "'");
            }
            options.variable(v.substring(0, eq), jsonOrString(v.substring(eq + 1)));
        }
        if (date != null) {
            options.clock(Clock.fixed(date.atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC));
        }
        String prompt = chatTemplate.render(readMessages(messages), options.build());
        PrintWriter out = spec.commandLine().getOut();
        out.print(prompt);
        out.flush();
        return 0;
    }

    private static Object jsonOrString(String text) {
        try {
            return Json.parse(text);
        } catch (JsonException e) {
            return text;
        }
    }

    private static List<ChatMessage> readMessages(Path file) {
        if (!(parseJson(file) instanceof List<?> list)) {
            throw new IllegalArgumentException(file + ": expected a JSON array of messages");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException(file + ": message " + i + " is not a JSON object");
            }
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> fields = (Map<String, Object>) m;
                out.add(ChatMessage.fromMap(fields));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": message " + i + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static Object parseJson(Path file) {
        try {
            return Json.parse(read(file));
        } catch (JsonException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
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
