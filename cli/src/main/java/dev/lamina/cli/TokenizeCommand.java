package dev.lamina.cli;

import dev.lamina.Model;
import dev.lamina.ModelOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lamina tokenize}: prints the token ids of a text. */
@Command(name = "tokenize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints the token ids of a text on one line, separated by spaces.",
                "Only the vocabulary is loaded, so this is fast even for large models."},
        footer = {"", "Examples:",
                "  lamina tokenize -m model.gguf -p 'Hello world'",
                "  printf 'Hello world' | lamina tokenize -m model.gguf",
                "Standard input is tokenized exactly as read, a final newline included."})
final class TokenizeCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT",
            description = "The text to tokenize (default: all of standard input).")
    String prompt;

    @Option(names = "--no-bos",
            description = "Do not put a BOS token first (by default it is added when the model asks for it).")
    boolean noBos;

    @Option(names = "--no-parse-special",
            description = "Tokenize special-token texts such as <|eot_id|> as plain text (by default they become their ids).")
    boolean noParseSpecial;

    @Spec
    CommandSpec spec;

    /** Standard input; tests replace it. */
    InputStream stdin = System.in;

    @Override
    public Integer call() throws IOException {
        // Standard input goes to the tokenizer as raw bytes: invalid UTF-8 is reported (with its
        // offset) instead of being silently replaced while decoding it into a String.
        byte[] text = prompt != null ? null : stdin.readAllBytes();
        try (Model m = Model.load(model.model, ModelOptions.builder().vocabOnly(true).build())) {
            boolean bos = m.info().addBos() && !noBos;
            int[] ids = text == null
                    ? m.tokenizer().encode(prompt, bos, !noParseSpecial)
                    : m.tokenizer().encode(text, bos, !noParseSpecial);
            StringJoiner line = new StringJoiner(" ");
            for (int id : ids) {
                line.add(Integer.toString(id));
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(line);
            out.flush();
        }
        return 0;
    }
}
